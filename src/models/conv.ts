/**
 * Convolution building blocks shared by the encoders: conv + batch norm (+ residual) (+ ReLU),
 * NHWC, "same" padding, no conv bias (batch norm follows every conv, as in ResNet).
 */
import * as tf from "@tensorflow/tfjs";
import { batchNorm, type BatchNormVars } from "./batchnorm";
import type { ParamStore } from "./params";

/**
 * A 2-D convolution, NHWC, "same" padding: x [N, H, W, cin], kernel [k, k, cin, cout]. The encoders
 * take it as a parameter so that a run can compute its convolutions in another precision
 * (src/backend/bf16.ts) while the models stay free of backend code.
 */
export type Conv2dFn = (x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number) => tf.Tensor4D;

/** The float32 convolution: tfjs's own conv2d (what every run computed before issue 25). */
export const conv2dFp32: Conv2dFn = (x, kernel, stride) => tf.conv2d(x, kernel, stride, "same");

/** One conv layer followed by batch norm. */
export interface ConvBn {
  kernel: tf.Variable;
  /** The convolution that computes it. */
  conv: Conv2dFn;
  bn: BatchNormVars;
  stride: number;
  k: number;
  cin: number;
  cout: number;
}

/** Creates the variables of a k x k conv (cin -> cout, stride) followed by batch norm. */
export function convBn(
  store: ParamStore,
  name: string,
  k: number,
  cin: number,
  cout: number,
  stride: number,
  opts: { zeroInitGamma?: boolean; conv?: Conv2dFn } = {},
): ConvBn {
  return {
    kernel: store.conv(`${name}/conv`, k, k, cin, cout),
    conv: opts.conv ?? conv2dFp32,
    bn: store.batchNorm(`${name}/bn`, cout, { zeroInit: opts.zeroInitGamma }),
    stride,
    k,
    cin,
    cout,
  };
}

/** Applies conv -> BN (-> + residual) (-> ReLU). x: [N, H, W, cin] -> [N, H/s, W/s, cout]. */
export function applyConvBn(
  layer: ConvBn,
  x: tf.Tensor4D,
  training: boolean,
  relu: boolean,
  residual?: tf.Tensor4D,
): tf.Tensor4D {
  const y = layer.conv(x, layer.kernel as tf.Tensor4D, layer.stride);
  return batchNorm(y, layer.bn, { training, relu, residual });
}

/** Output size of a "same"-padded conv or pool along one axis. */
export function outSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

/** Forward FLOPs (2 x multiply-adds) of a conv layer on an h x w input; returns [flops, h', w']. */
export function convFlops(layer: ConvBn, h: number, w: number): [number, number, number] {
  const ho = outSize(h, layer.stride);
  const wo = outSize(w, layer.stride);
  return [2 * ho * wo * layer.k * layer.k * layer.cin * layer.cout, ho, wo];
}
