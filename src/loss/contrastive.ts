/**
 * The contrastive objectives of SimCLR Table 2 / Table 4 behind one call: NT-Xent (the default,
 * section 2.1 eq. 1), NT-Logistic and margin triplet, with optional l2 normalisation (Table 5) and
 * semi-hard negative mining (Table 4). Returns the loss with the logits and labels that the
 * per-step metrics need (as google-research/simclr tf2 objective.py returns them). Only the
 * built-in kinds: a plugin's loss is resolved above the leaves (src/parts/resolve.ts) and keeps
 * the same output contract.
 */
import * as tf from "@tensorflow/tfjs";
import { contrastivePairs, semiHardNegative, type ContrastivePairs } from "./pairs";

/** Loss functions of Table 2. */
export type LossKind = "ntxent" | "ntlogistic" | "margin";

/** The built-in loss kinds (a plugin's loss may not reuse these names). */
export const LOSS_KINDS: readonly LossKind[] = Object.freeze([
  "ntxent",
  "ntlogistic",
  "margin",
] as LossKind[]);

/** Contrastive loss choices. */
export interface ContrastiveLossOptions {
  /** Objective; NT-Xent is SimCLR's (Table 4: 63.9 vs <= 57.9 top-1). */
  kind: LossKind;
  /** tau (NT-Xent, NT-Logistic); SimCLR appendix B.9 uses 0.5 on CIFAR-10. */
  temperature: number;
  /** Cosine similarity (l2-normalised z), SimCLR's default (Table 5). */
  l2Normalize: boolean;
  /** Semi-hard negative mining for NT-Logistic and margin (Table 4); ignored by NT-Xent. */
  semiHard: boolean;
  /** m of the margin triplet loss; the paper tunes it (Table 4) without stating the value. */
  margin: number;
}

/** Defaults of {@link ContrastiveLossOptions}: NT-Xent at the paper's CIFAR-10 temperature. */
export const LOSS_DEFAULTS: Readonly<ContrastiveLossOptions> = Object.freeze({
  kind: "ntxent",
  temperature: 0.5,
  l2Normalize: true,
  semiHard: false,
  margin: 0.5,
});

/** A loss value with what the metrics need. */
export interface ContrastiveLossOutput {
  /** Mean over the 2N anchors (Algorithm 1's 1/2N sum; the official code reports 2x this). */
  loss: tf.Scalar;
  /** sim / tau ([2N, 2N]; sim alone for the margin loss), self-similarities set to -1e9. */
  logits: tf.Tensor2D;
  /** Column of each row's positive, int32 [2N]. */
  labels: tf.Tensor1D;
}

/**
 * log sigma(x) = -softplus(-x). (tf.logSigmoid's gradient reads its input through a closure,
 * which is gone once the loss's tidy scope ends and the backward pass runs.)
 */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/** -1e9 on the diagonal: logits of an anchor with itself never win a softmax or argmax. */
function maskSelf(scaled: tf.Tensor2D, pairs: ContrastivePairs): tf.Tensor2D {
  return tf.sub(scaled, tf.mul(pairs.selfMask, 1e9));
}

/** NT-Xent: mean_k [ -s_k+/tau + log sum_{j != k} exp(s_kj/tau) ] (eq. 1). */
function ntXent(pairs: ContrastivePairs, tau: number): tf.Scalar {
  const logits = maskSelf(tf.div(pairs.sim, tau), pairs);
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.div(pairs.positive, tau)));
}

/** Mean over each anchor's 2(N-1) negatives of f(sim), [2N]. */
function meanOverNegatives(values: tf.Tensor2D, pairs: ContrastivePairs): tf.Tensor1D {
  const count = pairs.sim.shape[1] - 2;
  return tf.div(tf.sum(tf.mul(values, pairs.negativeMask), 1), count);
}

/**
 * NT-Logistic (Table 2): -log sigma(s+/tau) - log sigma(-s-/tau); over all negatives the
 * negative term is averaged per anchor (so positive and negative terms weigh alike), with
 * semi-hard mining it uses the one mined negative.
 */
function ntLogistic(pairs: ContrastivePairs, tau: number, semiHard: boolean): tf.Scalar {
  const posTerm = tf.neg(logSigmoid(tf.div(pairs.positive, tau)));
  const negTerm = semiHard
    ? tf.neg(logSigmoid(tf.div(tf.neg(semiHardNegative(pairs)), tau)))
    : meanOverNegatives(tf.neg(logSigmoid(tf.div(tf.neg(pairs.sim), tau))) as tf.Tensor2D, pairs);
  return tf.mean(tf.add(posTerm, negTerm));
}

/** Margin triplet (Table 2): max(s- - s+ + m, 0), averaged over negatives or on the mined one. */
function marginTriplet(pairs: ContrastivePairs, margin: number, semiHard: boolean): tf.Scalar {
  const pos = pairs.positive;
  if (semiHard) return tf.mean(tf.relu(tf.add(tf.sub(semiHardNegative(pairs), pos), margin)));
  const hinge = tf.relu(tf.add(tf.sub(pairs.sim, tf.expandDims(pos, 1)), margin)) as tf.Tensor2D;
  return tf.mean(meanOverNegatives(hinge, pairs));
}

/**
 * The contrastive loss of a two-view batch.
 * @param z1 projections of view 1, [N, D].
 * @param z2 projections of view 2, [N, D]; row i is the positive of z1's row i.
 * @param opts missing fields from {@link LOSS_DEFAULTS}.
 */
export function contrastiveLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  opts: Partial<ContrastiveLossOptions> = {},
): ContrastiveLossOutput {
  const o: ContrastiveLossOptions = { ...LOSS_DEFAULTS, ...opts };
  if (!(o.temperature > 0)) throw new Error(`loss temperature must be > 0, got ${o.temperature}`);
  return tf.tidy(() => {
    const pairs = contrastivePairs(z1, z2, o.l2Normalize);
    let loss: tf.Scalar;
    if (o.kind === "ntxent") loss = ntXent(pairs, o.temperature);
    else if (o.kind === "ntlogistic") loss = ntLogistic(pairs, o.temperature, o.semiHard);
    else if (o.kind === "margin") loss = marginTriplet(pairs, o.margin, o.semiHard);
    else
      throw new Error(
        `unknown loss kind "${String(o.kind)}"; expected ntxent, ntlogistic or margin`,
      );
    const scale = o.kind === "margin" ? 1 : 1 / o.temperature;
    const logits = maskSelf(tf.mul(pairs.sim, scale), pairs);
    return { loss, logits, labels: pairs.labels };
  });
}

/** Per-step contrastive metrics of Table 5. */
export interface ContrastiveMetrics {
  /** Fraction of anchors whose positive has the largest logit among the 2N-1 candidates. */
  accuracy: number;
  /** Mean entropy (nats) of softmax(logits) over the 2N-1 candidates. */
  entropy: number;
}

/** Contrastive accuracy and entropy from a loss output (reads two scalars from the device). */
export function contrastiveMetrics(out: ContrastiveLossOutput): ContrastiveMetrics {
  const [acc, ent] = tf.tidy(() => {
    const hit = tf.equal(tf.argMax(out.logits, 1), out.labels);
    const logp = tf.logSoftmax(out.logits, 1);
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
    return [tf.mean(tf.cast(hit, "float32")), tf.mean(entropy)];
  });
  const result = { accuracy: acc.dataSync()[0], entropy: ent.dataSync()[0] };
  tf.dispose([acc, ent]);
  return result;
}
