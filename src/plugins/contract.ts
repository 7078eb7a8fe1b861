/**
 * The contracts a plugin's model parts must keep, checked where the toolkit calls them, with
 * errors naming the plugin file: a loss returns a scalar with logits [2N, 2N] and labels [2N]
 * (contrastiveLoss's contract); a head or encoder returns [n, width]. Built-ins are never wrapped,
 * so their behaviour is unchanged. (Augmentations: kernel.ts, which needs no TensorFlow.)
 */
import * as tf from "@tensorflow/tfjs";
import type { ContrastiveLossOptions, ContrastiveLossOutput } from "../loss/contrastive";
import type { Encoder } from "../models/encoder";
import type { Head } from "../models/head";
import type { Registered } from "./registry";
import {
  PluginError,
  type EncoderPlugin,
  type HeadPlugin,
  type LossPlugin,
  type PluginOptions,
} from "./types";

/** Throws the error of a broken contract, naming the plugin file and the part. */
export function fail(what: string, name: string, file: string, message: string): never {
  throw new PluginError(`plugin ${file}: ${what} '${name}' ${message}`, file);
}

function shapeOf(t: unknown): string {
  return t instanceof tf.Tensor ? JSON.stringify(t.shape) : t === undefined ? "nothing" : typeof t;
}

/** Runs a plugin loss and checks contrastiveLoss's output contract. */
export function pluginLossOutput(
  r: Registered<LossPlugin>,
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: ContrastiveLossOptions & PluginOptions,
): ContrastiveLossOutput {
  const { part, from } = r;
  const out = tf.tidy(() => {
    const o = part.loss(z1, z2, options) as Partial<ContrastiveLossOutput> | undefined;
    const n2 = 2 * z1.shape[0];
    const loss = o?.loss;
    if (!(loss instanceof tf.Tensor) || loss.rank !== 0)
      fail(
        "loss",
        part.name,
        from.path,
        `returned loss ${shapeOf(loss)}; expected a scalar tf.Tensor (rank 0), e.g. tf.mean(...) of the per-anchor losses`,
      );
    const logits = o?.logits;
    if (
      !(logits instanceof tf.Tensor) ||
      logits.rank !== 2 ||
      logits.shape[0] !== n2 ||
      logits.shape[1] !== n2
    )
      fail(
        "loss",
        part.name,
        from.path,
        `returned logits ${shapeOf(logits)}; expected [${n2}, ${n2}] (2N x 2N similarities / tau, self masked)`,
      );
    const labels = o?.labels;
    if (!(labels instanceof tf.Tensor) || labels.rank !== 1 || labels.shape[0] !== n2)
      fail(
        "loss",
        part.name,
        from.path,
        `returned labels ${shapeOf(labels)}; expected int32 [${n2}] (column of each anchor's positive)`,
      );
    return {
      loss: loss as tf.Scalar,
      logits: logits as tf.Tensor2D,
      labels: labels as tf.Tensor1D,
    };
  });
  return out;
}

function checkWidth(
  what: string,
  name: string,
  file: string,
  y: tf.Tensor,
  n: number,
  width: number,
): void {
  if (y.rank !== 2 || y.shape[0] !== n || y.shape[1] !== width)
    fail(what, name, file, `returned ${JSON.stringify(y.shape)}; expected [${n}, ${width}]`);
}

/** A plugin head with its output shape checked on every call. */
export function checkedHead(r: Registered<HeadPlugin>, head: Head): Head {
  const { part, from } = r;
  // Fields copied one by one: a plugin may return a class instance (spreading drops methods).
  return {
    options: head.options,
    outDim: head.outDim,
    params: head.params,
    trainableVariables: head.trainableVariables,
    variables: head.variables,
    apply(h, training) {
      const z = head.apply(h, training);
      checkWidth("projection head", part.name, from.path, z, h.shape[0], head.outDim);
      return z;
    },
    applyAll: (h, training) => head.applyAll(h, training),
    forwardFlops: () => head.forwardFlops(),
    paramCount: () => head.paramCount(),
    dispose: () => head.dispose(),
  };
}

/** A plugin encoder with its output shape checked on every call. */
export function checkedEncoder(r: Registered<EncoderPlugin>, enc: Encoder): Encoder {
  const { part, from } = r;
  return {
    options: enc.options,
    featureDim: enc.featureDim,
    params: enc.params,
    trainableVariables: enc.trainableVariables,
    variables: enc.variables,
    apply(x, training) {
      const h = enc.apply(x, training);
      checkWidth("encoder", part.name, from.path, h, x.shape[0], enc.featureDim);
      return h;
    },
    forwardFlops: (height, width) => enc.forwardFlops(height, width),
    paramCount: () => enc.paramCount(),
    dispose: () => enc.dispose(),
  };
}
