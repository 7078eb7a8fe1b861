/**
 * The evaluation protocol of a run (SimCLR section 2.3, appendix B.5 on CIFAR-10): features of the
 * frozen encoder for the probe's training images and the scored test images, a linear classifier
 * and a weighted kNN fitted on the same training features and scored on the same test features,
 * next to the same encoder with random weights through the same protocol so the gain from
 * pre-training is visible (computed once per baseline key and shared through a cache folder,
 * src/eval/baseline-cache.ts); h by default, g(h) as well when asked (Figure 8).
 */
import * as tf from "@tensorflow/tfjs";
import type { PretrainConfig } from "../config/pretrain-config";
import type { ImageSplit } from "../data/types";
import type { Encoder } from "../models/encoder";
import { createEncoderPart } from "../parts/resolve";
import type { Head } from "../models/head";
import { extractFeatures, type FeatureFn, type FeatureSet } from "./features";
import { knnEval } from "./knn";
import { linearEval } from "./linear";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";
import { transformProbe } from "./probe";
import { randomInitBaseline, type RandomInitBaseline } from "./baseline-cache";

/** What a run reports about its representation (keys as in the `--json` output). */
export interface EvaluationResult {
  /** Linear-evaluation test top-1 of the configured representation (h, or g(h)). */
  linear_acc: number;
  /** kNN test top-1 of the configured representation. */
  knn_acc: number;
  /** The same encoder, random weights, same protocol. */
  random_init_linear_acc: number;
  random_init_knn_acc: number;
  /** The random-init baseline's cache key (sha256 of its inputs), when one was measured. */
  random_init_key?: string;
  /** Whether this run "computed" the baseline or "reused" another run's (same key). */
  random_init_source?: RandomInitBaseline["source"];
  /** Linear-evaluation train top-1 (over-fitting check). */
  linear_train_acc: number;
  /** Both representations when config.eval.representation is "gh" (Figure 8). */
  linear_acc_h?: number;
  linear_acc_gh?: number;
  /** Supervised baseline: its own classifier's test top-1 (config.mode "supervised"). */
  supervised_acc?: number;
  /** Seconds of the linear evaluation alone (features cached). */
  linear_eval_s: number;
  /** Seconds extracting features. */
  feature_s: number;
  /** Table 3 probe accuracies, keys probe_<task>_h / probe_<task>_gh and means probe_h / probe_gh. */
  [probe: `probe_${string}`]: number;
}

/** The trained parts evaluated. */
export interface EvaluatedModel {
  encoder: Encoder;
  head: Head;
  classifier: { kernel: tf.Variable; bias: tf.Variable } | null;
}

/** The splits evaluated on. */
export interface EvaluationSplits {
  /** Training images of the linear probe and the kNN memory bank (one set for both). */
  train: ImageSplit;
  /** Scored images of both. */
  test: ImageSplit;
  classes: number;
}

/** Options of evaluateRepresentations besides the config. */
export interface EvaluationOptions {
  /**
   * Folder of the random-init baseline cache shared by the cells of a sweep (an entry point passes
   * it); absent: the baseline is computed in this run and not kept.
   */
  baselineCache?: string;
}

/** Runs the whole protocol of config.eval on a trained model. */
export function evaluateRepresentations(
  model: EvaluatedModel,
  splits: EvaluationSplits,
  config: PretrainConfig,
  options: EvaluationOptions = {},
): EvaluationResult {
  const e = config.eval;
  const linearOpts = {
    epochs: e.linearEpochs,
    batchSize: e.linearBatchSize,
    learningRate: e.linearLearningRate,
    weightDecay: e.linearWeightDecay,
    classes: splits.classes,
    seed: config.seed,
  };
  const knnOpts = { k: e.knnK, temperature: e.knnTemperature, classes: splits.classes };
  let featureS = 0;
  let linearS = 0;
  const features = (fn: FeatureFn): [FeatureSet, FeatureSet] => {
    const t = performance.now();
    const r: [FeatureSet, FeatureSet] = [
      extractFeatures(fn, splits.train),
      extractFeatures(fn, splits.test),
    ];
    featureS += (performance.now() - t) / 1000;
    return r;
  };
  const protocol = (fn: FeatureFn): { linear: number; train: number; knn: number } => {
    const [tr, te] = features(fn);
    const lin = e.linear && e.linearEpochs > 0 ? linearEval(tr, te, linearOpts) : null;
    if (lin) linearS += lin.seconds;
    return {
      linear: lin?.testAccuracy ?? NaN,
      train: lin?.trainAccuracy ?? NaN,
      knn: knnEval(tr, te, knnOpts),
    };
  };
  const hFn: FeatureFn = (x) => model.encoder.apply(x, false);
  const ghFn: FeatureFn = (x) =>
    tf.tidy(() => model.head.apply(model.encoder.apply(x, false), false));
  const h = protocol(hFn);
  const gh = e.representation === "gh" ? protocol(ghFn) : null;
  const main = gh ?? h;
  // Same architecture and initialisation seed as the pre-trained encoder before training.
  const baseline = e.randomInit
    ? randomInitBaseline(
        config,
        splits,
        () => {
          const random = createEncoderPart(
            config.encoder,
            deriveSeed(config.seed, SEED_STREAMS.encoder),
          );
          try {
            const r = protocol((x) => random.apply(x, false));
            return { linear: r.linear, knn: r.knn };
          } finally {
            random.dispose();
          }
        },
        options.baselineCache,
      )
    : null;
  const result: EvaluationResult = {
    linear_acc: main.linear,
    knn_acc: main.knn,
    random_init_linear_acc: baseline?.linear ?? NaN,
    random_init_knn_acc: baseline?.knn ?? NaN,
    ...(baseline ? { random_init_key: baseline.key, random_init_source: baseline.source } : {}),
    linear_train_acc: main.train,
    linear_eval_s: linearS,
    feature_s: featureS,
  };
  if (gh) {
    result.linear_acc_h = h.linear;
    result.linear_acc_gh = gh.linear;
  }
  const clf = model.classifier;
  if (clf) {
    const te = extractFeatures(hFn, splits.test);
    const logits = tf.tidy(() =>
      tf.tensor2d(te.data, [te.n, te.dim]).matMul(clf.kernel).add(clf.bias).argMax(1),
    );
    const pred = logits.dataSync();
    logits.dispose();
    let ok = 0;
    for (let i = 0; i < te.n; i++) if (pred[i] === te.labels[i]) ok++;
    result.supervised_acc = te.n ? ok / te.n : NaN;
  }
  if (e.transformProbe) Object.assign(result, transformProbe(model, splits, config));
  return result;
}
