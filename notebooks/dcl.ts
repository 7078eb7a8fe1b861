/**
 * A plugin loss variant: the decoupled contrastive loss (DCL, Yeh et al. 2022, eq. 6), NT-Xent
 * with the positive pair removed from the denominator, so a well-aligned positive no longer
 * shrinks the gradient of its negatives. Same options (temperature, l2Normalize) and output
 * contract as the toolkit's contrastiveLoss. Used by notebooks/06-your-idea.ipynb as
 * `plugins: ["notebooks/dcl.ts"]`, `loss.kind: "dcl"`.
 */
import * as tf from "@tensorflow/tfjs";
import type {
  ContrastiveLossOptions,
  ContrastiveLossOutput,
  LossPlugin,
  Plugin,
} from "simclr-workbook";

function l2Normalize(z: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-12)));
}

/** mean_k [ -s_k+/tau + log sum_{j not k, not k+} exp(s_kj/tau) ] over the 2N anchors. */
function decoupledLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  o: ContrastiveLossOptions,
): ContrastiveLossOutput {
  return tf.tidy(() => {
    const n = z1.shape[0];
    const a = o.l2Normalize ? l2Normalize(z1) : z1;
    const b = o.l2Normalize ? l2Normalize(z2) : z2;
    const z = tf.concat([a, b], 0);
    const sim = tf.matMul(z, z, false, true);
    const labels = tf.tensor1d(
      Int32Array.from({ length: 2 * n }, (_, k) => (k < n ? k + n : k - n)),
      "int32",
    );
    const self = tf.eye(2 * n);
    const pos = tf.oneHot(labels, 2 * n).toFloat();
    const logits = tf.sub(tf.div(sim, o.temperature), tf.mul(self, 1e9)) as tf.Tensor2D;
    const positive = tf.sum(tf.mul(logits, pos), 1);
    const negativesOnly = tf.sub(logits, tf.mul(pos, 1e9));
    const loss = tf.mean(tf.sub(tf.logSumExp(negativesOnly, 1), positive)) as tf.Scalar;
    return { loss, logits, labels: labels as tf.Tensor1D };
  });
}

const dcl: LossPlugin = {
  name: "dcl",
  description: "decoupled contrastive loss: NT-Xent without the positive in the denominator",
  loss: decoupledLoss,
};

const plugin: Plugin = { losses: [dcl] };
export default plugin;
