/**
 * Convolution building blocks shared by the encoders: conv + batch norm (+ residual) (+ ReLU),
 * NHWC, "same" padding, no conv bias (batch norm follows every conv, as in ResNet).
 */
import * as tf from "@tensorflow/tfjs";
import { batchNorm, type BatchNormVars } from "./batchnorm";
import type { ParamStore } from "./params";

/** One conv layer followed by batch norm. */
export interface ConvBn {
  kernel: tf.Variable;
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
  opts: { zeroInitGamma?: boolean } = {},
): ConvBn {
  return {
    kernel: store.conv(`${name}/conv`, k, k, cin, cout),
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
  const y = tf.conv2d(x, layer.kernel as tf.Tensor4D, layer.stride, "same");
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
