/**
 * Frozen-feature extraction for evaluation (SimCLR section 2.3): runs a frozen network in inference
 * mode over a split once and caches the representations, so linear evaluation and kNN train on
 * the cached features instead of re-running the encoder.
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageSplit } from "../data/types";

/** A frozen network: images [N, H, W, 3] in [0, 1] -> features [N, D], inference mode. */
export type FeatureFn = (x: tf.Tensor4D) => tf.Tensor2D;

/** Options of extractFeatures. */
export interface FeatureOptions {
  /** Images per forward pass. */
  batchSize: number;
  /** Side images are resized to (bilinear) before the network; 0 keeps the split's size. */
  resolution: number;
}

/** Defaults of extractFeatures. */
export const FEATURE_DEFAULTS: Readonly<FeatureOptions> = Object.freeze({
  batchSize: 500,
  resolution: 0,
});

/** Cached features of one split. */
export interface FeatureSet {
  /** Number of images. */
  n: number;
  /** Feature width. */
  dim: number;
  /** Row-major [n, dim]. */
  data: Float32Array;
  /** Class per image. */
  labels: Int16Array;
}

/** Images [start, end) of a split as a float tensor in [0, 1], resized to `side` when > 0. */
export function splitToTensor(
  split: ImageSplit,
  start: number,
  end: number,
  side = 0,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { height: h, width: w } = split;
    const px = split.pixels.subarray(start * h * w * 3, end * h * w * 3);
    const x = tf
      .tensor4d(px, [end - start, h, w, 3], "int32")
      .toFloat()
      .div(255) as tf.Tensor4D;
    return side > 0 && (side !== h || side !== w) ? tf.image.resizeBilinear(x, [side, side]) : x;
  });
}

/** Runs `fn` over every image of `split` in batches; returns the features and labels. */
export function extractFeatures(
  fn: FeatureFn,
  split: ImageSplit,
  options: Partial<FeatureOptions> = {},
): FeatureSet {
  const o = { ...FEATURE_DEFAULTS, ...options };
  let data: Float32Array | null = null;
  let dim = 0;
  for (let s = 0; s < split.n; s += o.batchSize) {
    const e = Math.min(split.n, s + o.batchSize);
    const f = tf.tidy(() => fn(splitToTensor(split, s, e, o.resolution)));
    const v = f.dataSync() as Float32Array;
    if (!data) {
      dim = f.shape[1];
      data = new Float32Array(split.n * dim);
    }
    data.set(v, s * dim);
    f.dispose();
  }
  return { n: split.n, dim, data: data ?? new Float32Array(0), labels: split.labels };
}

/** Largest class label over feature sets (-1 when none is labelled). */
export function maxLabel(...sets: FeatureSet[]): number {
  let m = -1;
  for (const s of sets)
    for (let i = 0; i < s.labels.length; i++) if (s.labels[i] > m) m = s.labels[i];
  return m;
}
