/**
 * The images a run trains and evaluates on: stratified subsets of the data set's train and test
 * splits at the run's resolution, the training images of the evaluation (the pre-training subset
 * or the whole training split, config.eval.probeData), plus the smaller subsets the kNN monitor
 * uses during training.
 */
import * as tf from "@tensorflow/tfjs";
import type { PretrainConfig } from "../config/pretrain-config";
import { subset } from "../data/subset";
import type { Dataset, ImageSplit } from "../data/types";
import type { EvaluationSplits } from "../eval/evaluate";
import { createRng } from "../util/random";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";

/** Splits of one run. */
export interface PreparedSplits {
  /** Pre-training images (labels used only by the supervised baseline and evaluation). */
  train: ImageSplit;
  /** Held-out images for evaluation (scored by the linear probe and the kNN). */
  test: ImageSplit;
  /**
   * Training images of the evaluation: the linear probe's and the kNN memory bank's (the same set
   * for both): `train` itself, or the whole training split (config.eval.probeData "full-train").
   */
  probeTrain: ImageSplit;
  /** kNN monitor bank (a subset of train). */
  monitorTrain: ImageSplit;
  /** kNN monitor queries (a subset of test). */
  monitorTest: ImageSplit;
  classes: number;
}

/** Resizes every image of a split to side x side (bilinear, half-pixel centres); same split if already that size. */
export function resizeSplit(split: ImageSplit, side: number): ImageSplit {
  if (split.height === side && split.width === side) return split;
  const out = new Uint8Array(split.n * side * side * 3);
  const chunk = 1000;
  const size = split.height * split.width * 3;
  for (let s = 0; s < split.n; s += chunk) {
    const e = Math.min(split.n, s + chunk);
    const r = tf.tidy(() => {
      const x = tf.tensor4d(
        split.pixels.subarray(s * size, e * size),
        [e - s, split.height, split.width, 3],
        "int32",
      );
      return tf.image
        .resizeBilinear(x.toFloat(), [side, side], false, true)
        .round()
        .clipByValue(0, 255)
        .toInt();
    });
    out.set(r.dataSync(), s * side * side * 3);
    r.dispose();
  }
  return { n: split.n, height: side, width: side, pixels: out, labels: split.labels };
}

/** Subsets and resizes the data set as config.data and config.train say. */
export function prepareSplits(dataset: Dataset, config: PretrainConfig): PreparedSplits {
  const d = config.data;
  const rng = createRng(deriveSeed(config.seed, SEED_STREAMS.subset));
  const pick = (s: ImageSplit, limit: number): ImageSplit =>
    limit > 0 && limit < s.n ? subset(s, limit, rng) : s;
  const train = resizeSplit(pick(dataset.train, d.trainLimit), d.resolution);
  const test = resizeSplit(pick(dataset.test, d.testLimit), d.resolution);
  // The whole split draws nothing from rng, so the monitor subsets below stay as they were.
  const probeTrain =
    config.eval.probeData === "full-train" ? resizeSplit(dataset.train, d.resolution) : train;
  return {
    train,
    test,
    probeTrain,
    monitorTrain: pick(train, config.train.knnMonitorTrain),
    monitorTest: pick(test, config.train.knnMonitorTest),
    classes: dataset.classes.length,
  };
}

/** What the evaluation fits (the probe's training images, also the kNN bank) and scores. */
export function evaluationSplits(splits: PreparedSplits): EvaluationSplits {
  return { train: splits.probeTrain, test: splits.test, classes: splits.classes };
}
