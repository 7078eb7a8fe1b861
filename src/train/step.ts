/**
 * One optimiser step. SimCLR (Algorithm 1): both views in one encoder pass (global batch norm over
 * 2N, section 2.2), z = g(h), contrastive loss on (z1, z2). Supervised baseline (Table 1): the same
 * encoder and augmented views, softmax cross-entropy of a linear classifier on h.
 */
import * as tf from "@tensorflow/tfjs";
import { contrastiveMetrics } from "../loss/contrastive";
import type { ImageBatch } from "../data/types";
import type { LossFn } from "../parts/resolve";
import type { TrainingState } from "./state";
import type { TwoViewBatch } from "./views";

/** Scalars of one step. */
export interface StepResult {
  loss: number;
  /** Contrastive accuracy (SimCLR) or classification accuracy on the batch (supervised). */
  accuracy: number;
  /** Entropy of the contrastive (or class) distribution, nats. */
  entropy: number;
}

function toTensor(b: ImageBatch): tf.Tensor4D {
  return tf.tensor4d(b.data, [b.n, b.height, b.width, 3]);
}

/**
 * A SimCLR step at learning rate lr; updates the variables and BN moving statistics. `lossFn`:
 * the run's loss with its options bound (src/parts/resolve.ts `resolveLoss(config.loss)`).
 */
export function contrastiveStep(
  state: TrainingState,
  batch: TwoViewBatch,
  lr: number,
  lossFn: LossFn,
): StepResult {
  let metrics = { accuracy: NaN, entropy: NaN };
  const x = tf.tidy(() => tf.concat([toTensor(batch.view1), toTensor(batch.view2)], 0)); // [2N, H, W, 3]
  const { value, grads } = tf.variableGrads(() => {
    const h = state.encoder.apply(x, true); // [2N, D], global BN over both views
    const [z1, z2] = tf.split(state.head.apply(h, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D]; // [N, d] each
    const out = lossFn(z1, z2);
    metrics = contrastiveMetrics(out);
    return out.loss;
  }, state.trainableVariables);
  const v = value.dataSync()[0];
  if (Number.isFinite(v)) state.optimizer.applyGradients(grads, lr);
  tf.dispose([x, value, grads]);
  return { loss: v, ...metrics };
}

/** A supervised step: both augmented views of each image, labelled with its class. */
export function supervisedStep(state: TrainingState, batch: TwoViewBatch, lr: number): StepResult {
  const clf = state.classifier;
  if (!clf)
    throw new Error(
      "supervisedStep: the state has no classifier (config.mode must be 'supervised')",
    );
  let acc = NaN;
  let ent = NaN;
  const x = tf.tidy(() => tf.concat([toTensor(batch.view1), toTensor(batch.view2)], 0)); // [2N, H, W, 3]
  const labels = Int32Array.from([...batch.labels, ...batch.labels]);
  const y = tf.tensor1d(labels, "int32");
  const classes = clf.bias.shape[0];
  const { value, grads } = tf.variableGrads(() => {
    const h = state.encoder.apply(x, true); // [2N, D]
    const logits = h.matMul(clf.kernel).add(clf.bias) as tf.Tensor2D; // [2N, C]
    const [a, e] = tf.tidy(() => {
      const logp = tf.logSoftmax(logits, 1);
      return [
        tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), y), "float32")),
        tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1))),
      ];
    });
    acc = a.dataSync()[0];
    ent = e.dataSync()[0];
    tf.dispose([a, e]);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), logits) as tf.Scalar;
  }, state.trainableVariables);
  const v = value.dataSync()[0];
  if (Number.isFinite(v)) state.optimizer.applyGradients(grads, lr);
  tf.dispose([x, y, value, grads]);
  return { loss: v, accuracy: acc, entropy: ent };
}
