/**
 * Weighted k-nearest-neighbour classifier on frozen features, the cheap monitor used during
 * self-supervised training (Wu et al. 2018, InstDisc; lightly's CIFAR-10 benchmarks): cosine
 * similarity, the k = 200 most similar training images vote for their class with weight
 * exp(similarity / T).
 */
import * as tf from "@tensorflow/tfjs";
import { maxLabel, type FeatureSet } from "./features";

/** Options of knnEval. */
export interface KnnOptions {
  /** Neighbours; 200 as in InstDisc and lightly's benchmarks. */
  k: number;
  /** Vote temperature T; 0.1 as in InstDisc. */
  temperature: number;
  /** Number of classes; 0 infers max label + 1. */
  classes: number;
  /** Test rows per similarity block (memory: chunk x nTrain floats). */
  chunk: number;
}

/** Defaults of knnEval. */
export const KNN_DEFAULTS: Readonly<KnnOptions> = Object.freeze({
  k: 200,
  temperature: 0.1,
  classes: 0,
  chunk: 256,
});

/** l2-normalised features as a tensor [N, D]. */
function normalized(f: FeatureSet): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(f.data, [f.n, f.dim]);
    return x.div(x.norm("euclidean", 1, true).add(1e-12)) as tf.Tensor2D;
  });
}

/** Top-1 accuracy in [0, 1] of the weighted kNN classifier of `test` against the `train` bank. */
export function knnEval(
  train: FeatureSet,
  test: FeatureSet,
  options: Partial<KnnOptions> = {},
): number {
  const o = { ...KNN_DEFAULTS, ...options };
  const classes = o.classes || maxLabel(train, test) + 1;
  const k = Math.min(o.k, train.n);
  const bank = normalized(train); // [Ntr, D]
  const bankT = bank.transpose(); // [D, Ntr]
  const bankLabels = tf.tensor1d(Int32Array.from(train.labels), "int32"); // [Ntr]
  const q = normalized(test); // [Nte, D]
  let correct = 0;
  let counted = 0;
  for (let s = 0; s < test.n; s += o.chunk) {
    const e = Math.min(test.n, s + o.chunk);
    const pred = tf.tidy(() => {
      const sim = q.slice([s, 0], [e - s, test.dim]).matMul(bankT); // [B, Ntr]
      const { values, indices } = tf.topk(sim, k); // [B, k]
      const w = values.div(o.temperature).exp(); // [B, k]
      const nb = bankLabels.gather(indices.flatten()).reshape([e - s, k]); // [B, k]
      const votes = tf
        .oneHot(nb as tf.Tensor2D, classes)
        .mul(w.expandDims(2))
        .sum(1); // [B, C]
      return votes.argMax(1);
    });
    const p = pred.dataSync();
    pred.dispose();
    for (let i = s; i < e; i++) {
      if (test.labels[i] < 0) continue;
      counted++;
      if (p[i - s] === test.labels[i]) correct++;
    }
  }
  tf.dispose([bank, bankT, bankLabels, q]);
  return counted ? correct / counted : 0;
}
