/**
 * The pairwise structure shared by SimCLR's contrastive losses (section 2.1, Algorithm 1): the 2N
 * augmented examples of a batch of N, each with one positive (the other view of the same image)
 * and 2(N-1) negatives, and their similarities sim(u, v) = u^T v (cosine when l2-normalised).
 */
import * as tf from "@tensorflow/tfjs";

/** Pairwise similarities of a two-view batch; row k is anchor k of z = [z1; z2]. */
export interface ContrastivePairs {
  /** sim[k, j] = z_k . z_j, [2N, 2N] (diagonal not masked). */
  sim: tf.Tensor2D;
  /** sim of each anchor with its positive, [2N]. */
  positive: tf.Tensor1D;
  /** 1 where j is a negative of anchor k (j != k and j != positive of k), else 0; [2N, 2N]. */
  negativeMask: tf.Tensor2D;
  /** 1 on the diagonal, [2N, 2N]. */
  selfMask: tf.Tensor2D;
  /** Index of each anchor's positive: k + N for k < N, k - N otherwise; int32 [2N]. */
  labels: tf.Tensor1D;
}

/** Row-wise l2 normalisation, as tf.math.l2_normalize (epsilon 1e-12 on the squared norm). */
export function l2NormalizeRows(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-12))));
}

/**
 * Builds the similarity matrix and masks. z1, z2: [N, D]; row i of z1 and row i of z2 are a
 * positive pair. Needs N >= 2 (otherwise there is no negative).
 */
export function contrastivePairs(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  l2Normalize: boolean,
): ContrastivePairs {
  const [n, d] = z1.shape;
  if (z2.shape[0] !== n || z2.shape[1] !== d) {
    throw new Error(
      `contrastive loss: z1 ${JSON.stringify(z1.shape)} and z2 ${JSON.stringify(z2.shape)} differ`,
    );
  }
  if (n < 2) throw new Error(`contrastive loss needs at least 2 images per batch, got ${n}`);
  return tf.tidy(() => {
    let a = z1;
    let b = z2;
    if (l2Normalize) {
      a = l2NormalizeRows(a);
      b = l2NormalizeRows(b);
    }
    const z = tf.concat([a, b], 0); // [2N, D]
    const sim = tf.matMul(z, z, false, true) as tf.Tensor2D; // [2N, 2N]
    const pos1 = tf.sum(tf.mul(a, b), 1); // [N]
    const positive = tf.concat([pos1, pos1], 0) as tf.Tensor1D; // [2N]
    const idx = new Int32Array(2 * n);
    for (let k = 0; k < 2 * n; k++) idx[k] = k < n ? k + n : k - n;
    const labels = tf.tensor1d(idx, "int32");
    const selfMask = tf.eye(2 * n) as tf.Tensor2D;
    const posMask = tf.oneHot(labels, 2 * n).toFloat() as tf.Tensor2D;
    const negativeMask = tf.sub(tf.sub(1, selfMask), posMask) as tf.Tensor2D;
    return { sim, positive, negativeMask, selfMask, labels };
  });
}

/**
 * Semi-hard negative per anchor (Schroff et al. 2015, as in TensorFlow Addons'
 * triplet_semihard_loss): the most similar negative that is still less similar than the positive;
 * if an anchor has none, its least similar negative. Returns the chosen negative's similarity,
 * [2N], differentiable in sim (the choice itself is not).
 */
export function semiHardNegative(pairs: ContrastivePairs): tf.Tensor1D {
  return tf.tidy(() => {
    const { sim, negativeMask, labels } = pairs;
    const big = 1e9;
    // the choice is made on a detached copy (tfjs has no stop-gradient; comparisons have no gradient)
    const s = tf.tensor2d(sim.dataSync() as Float32Array, sim.shape);
    const positive = tf.sum(tf.mul(s, tf.oneHot(labels, s.shape[1]).toFloat()), 1);
    const below = tf.mul(negativeMask, tf.cast(tf.less(s, tf.expandDims(positive, 1)), "float32"));
    const hasBelow = tf.greater(tf.max(below, 1), 0); // [2N] bool
    // candidates below the positive: the largest sim; otherwise: the smallest sim among negatives
    const semi = tf.argMax(tf.add(s, tf.mul(tf.sub(below, 1), big)), 1);
    const easiest = tf.argMin(tf.sub(s, tf.mul(tf.sub(negativeMask, 1), big)), 1);
    const chosen = tf.where(hasBelow, semi, easiest) as tf.Tensor1D;
    const oneHot = tf.oneHot(chosen, sim.shape[1]).toFloat();
    return tf.sum(tf.mul(sim, oneHot), 1) as tf.Tensor1D;
  });
}
