/**
 * The probe of SimCLR Table 3: how much information about the applied transformation survives in
 * h and in g(h). Held-out images are transformed (or not) at random, the frozen network's features
 * are extracted, and a classifier predicts which transformation was applied. Tasks: colour vs
 * grayscale, rotation (0/90/180/270), original vs corrupted (Gaussian noise), original vs Sobel.
 * The paper trains MLPs on the features: `eval.transformProbe: "mlp"` does too (one ReLU hidden
 * layer of PROBE_DEFAULTS.hidden units, trained like linear evaluation); "linear" uses the linear
 * classifier (a lower bound on the information, and what runs before the MLP probe measured).
 */
import * as tf from "@tensorflow/tfjs";
import type { PretrainConfig } from "../config/pretrain-config";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";
import { batchToBytes, toImageBatch } from "../data/batch";
import type { ImageBatch, ImageSplit } from "../data/types";
import { toGrayscale } from "../augment/grayscale";
import { gaussianNoise } from "../augment/noise";
import { rotateImage, type QuarterTurn } from "../augment/rotate";
import { sobel } from "../augment/sobel";
import { createRng, type Rng } from "../util/random";
import { extractFeatures, type FeatureFn } from "./features";
import { linearEval } from "./linear";
import type { EvaluatedModel, EvaluationSplits } from "./evaluate";

/** The transformation-prediction tasks of Table 3. */
export const PROBE_TASKS = Object.freeze([
  "color_vs_grayscale",
  "rotation",
  "orig_vs_corrupted",
  "orig_vs_sobel",
] as const);
export type ProbeTask = (typeof PROBE_TASKS)[number];

/** Options of transformProbe. */
export interface ProbeOptions {
  /** Training images of each probe (from the training split). */
  trainImages: number;
  /** Test images of each probe (from the test split). */
  testImages: number;
  /** Epochs of the probe classifier. */
  epochs: number;
  /** Hidden units of the MLP probe (0: linear), unless the config asks for the linear probe. */
  hidden: number;
}

/** Defaults of transformProbe. */
export const PROBE_DEFAULTS: Readonly<ProbeOptions> = Object.freeze({
  trainImages: 5000,
  testImages: 2000,
  epochs: 50,
  hidden: 512,
});

/** Probe accuracies: probe_<task>_h, probe_<task>_gh and the means probe_h, probe_gh. */
export type ProbeResult = Record<`probe_${string}`, number>;

/** The images of `split` (first n) with a transformation class drawn per image and applied. */
export function transformedSplit(
  split: ImageSplit,
  n: number,
  task: ProbeTask,
  rng: Rng,
): ImageSplit {
  const count = Math.min(n, split.n);
  const idx = Int32Array.from({ length: count }, (_, i) => i);
  const batch = toImageBatch(split, idx);
  const classes = task === "rotation" ? 4 : 2;
  const labels = Int16Array.from({ length: count }, () => rng.int(classes));
  const npix = batch.height * batch.width;
  const size = npix * 3;
  let out: ImageBatch = batch;
  if (task === "color_vs_grayscale") {
    for (let i = 0; i < count; i++) if (labels[i] === 1) toGrayscale(batch.data, i * size, npix);
  } else if (task === "rotation") {
    const data = new Float32Array(batch.data.length);
    for (let i = 0; i < count; i++) {
      if (labels[i] === 0) data.set(batch.data.subarray(i * size, (i + 1) * size), i * size);
      else rotateImage(batch.data, data, i * size, batch.height, (labels[i] * 90) as QuarterTurn);
    }
    out = { ...batch, data };
  } else {
    const op = task === "orig_vs_corrupted" ? gaussianNoise : sobel;
    const changed = op(batch, rng, { p: 1 });
    const data = Float32Array.from(batch.data);
    for (let i = 0; i < count; i++)
      if (labels[i] === 1) data.set(changed.data.subarray(i * size, (i + 1) * size), i * size);
    out = { ...batch, data };
  }
  return { n: count, height: batch.height, width: batch.width, pixels: batchToBytes(out), labels };
}

/** Runs the four probes on h and g(h) of a trained model. */
export function transformProbe(
  model: EvaluatedModel,
  splits: EvaluationSplits,
  config: PretrainConfig,
  options: Partial<ProbeOptions> = {},
): ProbeResult {
  const o = { ...PROBE_DEFAULTS, ...options };
  const hFn: FeatureFn = (x) => model.encoder.apply(x, false);
  const ghFn: FeatureFn = (x) =>
    tf.tidy(() => model.head.apply(model.encoder.apply(x, false), false));
  const result: ProbeResult = {};
  const sums = { h: 0, gh: 0 };
  PROBE_TASKS.forEach((task, t) => {
    const rng = createRng(deriveSeed(config.seed, SEED_STREAMS.probe, t));
    const train = transformedSplit(splits.train, o.trainImages, task, rng);
    const test = transformedSplit(splits.test, o.testImages, task, rng);
    for (const [rep, fn] of [
      ["h", hFn],
      ["gh", ghFn],
    ] as const) {
      const acc = linearEval(extractFeatures(fn, train), extractFeatures(fn, test), {
        epochs: o.epochs,
        batchSize: config.eval.linearBatchSize,
        learningRate: config.eval.linearLearningRate,
        weightDecay: config.eval.linearWeightDecay,
        classes: task === "rotation" ? 4 : 2,
        seed: config.seed,
        hidden: config.eval.transformProbe === "linear" ? 0 : o.hidden,
      }).testAccuracy;
      result[`probe_${task}_${rep}`] = acc;
      sums[rep] += acc;
    }
  });
  result.probe_h = sums.h / PROBE_TASKS.length;
  result.probe_gh = sums.gh / PROBE_TASKS.length;
  return result;
}
