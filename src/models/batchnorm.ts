/**
 * Batch normalisation (Ioffe & Szegedy 2015) fused with the optional residual add and ReLU that
 * follow it in ResNets, as one differentiable op. In training mode the moments are those of the
 * whole batch passed in (both views together: SimCLR section 2.2 "Global BN"), and the moving
 * averages are updated inside the op's forward pass, which the gradient tape does not record.
 *
 * On the native TensorFlow backend (tfjs-node) the op runs TensorFlow's FusedBatchNormV3 /
 * FusedBatchNormGradV3 and ReluGrad kernels directly (4 passes over the activation per layer
 * instead of ~15 for the same maths in elementwise tfjs ops); other backends use the same maths
 * written with tfjs ops, so results agree to float32 rounding.
 */
import * as tf from "@tensorflow/tfjs";

/** Constants of batch normalisation. */
export interface BatchNormOptions {
  /** Added to the variance; google-research/simclr tf2 resnet.py BATCH_NORM_EPSILON = 1e-5. */
  epsilon: number;
  /** Moving-average decay; google-research/simclr tf2 flag batch_norm_decay = 0.9. */
  decay: number;
}

/** Defaults of {@link BatchNormOptions}. */
export const BATCH_NORM_DEFAULTS: Readonly<BatchNormOptions> = Object.freeze({
  epsilon: 1e-5,
  decay: 0.9,
});

/** The variables of one batch-norm layer over C channels. */
export interface BatchNormVars {
  /** Scale, [C]; null when the layer has no scale (fixed 1). */
  gamma: tf.Variable | null;
  /** Offset, [C]; null when the layer is not centred (fixed 0). */
  beta: tf.Variable | null;
  /** Moving mean, [C] (not trainable). */
  movingMean: tf.Variable;
  /** Moving variance, [C] (not trainable). */
  movingVariance: tf.Variable;
}

/** What follows the normalisation. */
export interface BatchNormCall {
  /** True: batch moments and moving-average update; false: moving statistics. */
  training: boolean;
  /** Apply ReLU after the (optional) residual add. */
  relu: boolean;
  /** Added after normalisation and before the ReLU (ResNet shortcut), same shape as x. */
  residual?: tf.Tensor4D;
  /** "auto": native TensorFlow kernels when available; "tfjs": portable tfjs ops (tests). */
  impl?: "auto" | "tfjs";
}

interface NativeAttr {
  name: string;
  type: number;
  value: number | string | boolean;
}
interface NativeBinding {
  TF_ATTR_TYPE: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_STRING: number;
  TF_ATTR_BOOL: number;
  TF_FLOAT: number;
}
interface NativeBackend {
  binding: NativeBinding;
  executeMultipleOutputs(
    name: string,
    attrs: NativeAttr[],
    inputs: tf.Tensor[],
    n: number,
  ): tf.Tensor[];
}

/** The tfjs-node backend object when the active backend runs native TensorFlow, else null. */
export function nativeBackend(): NativeBackend | null {
  if (tf.getBackend() !== "tensorflow") return null;
  const b = tf.backend() as unknown as Partial<NativeBackend>;
  return typeof b.executeMultipleOutputs === "function" && b.binding ? (b as NativeBackend) : null;
}

function bnAttrs(nb: NativeBackend, epsilon: number, training: boolean): NativeAttr[] {
  const B = nb.binding;
  return [
    { name: "T", type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: "U", type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: "epsilon", type: B.TF_ATTR_FLOAT, value: epsilon },
    { name: "data_format", type: B.TF_ATTR_STRING, value: "NHWC" },
    { name: "is_training", type: B.TF_ATTR_BOOL, value: training },
  ];
}

function reluGrad(nb: NativeBackend | null, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (nb) {
    const attrs = [{ name: "T", type: nb.binding.TF_ATTR_TYPE, value: nb.binding.TF_FLOAT }];
    return nb.executeMultipleOutputs("ReluGrad", attrs, [dy, y], 1)[0];
  }
  return tf.mul(dy, tf.step(y));
}

function updateMoving(v: tf.Variable, batchValue: tf.Tensor, decay: number): void {
  // moving = decay * moving + (1 - decay) * batch
  v.assign(tf.add(tf.mul(v, decay), tf.mul(batchValue, 1 - decay)));
}

/**
 * Batch norm over the last axis of x ([N, H, W, C]), then optional residual add and ReLU.
 * Differentiable in x, gamma, beta and residual; in training mode updates the moving statistics
 * (moving variance from the unbiased batch variance, as TensorFlow's fused kernel reports it).
 */
export function batchNorm(
  x: tf.Tensor4D,
  vars: BatchNormVars,
  call: BatchNormCall,
  opts: BatchNormOptions = BATCH_NORM_DEFAULTS,
): tf.Tensor4D {
  const c = x.shape[3];
  return tf.tidy(() => {
    const gamma = (vars.gamma ?? tf.ones([c])) as tf.Tensor1D;
    const beta = (vars.beta ?? tf.zeros([c])) as tf.Tensor1D;
    if (!call.training) {
      // y = (x - m) * gamma / sqrt(v + eps) + beta, folded into one scale and shift
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(vars.movingVariance, opts.epsilon)));
      const shift = tf.sub(beta, tf.mul(vars.movingMean, scale));
      let y: tf.Tensor4D = tf.add(tf.mul(x, scale), shift);
      if (call.residual) y = tf.add(y, call.residual);
      return call.relu ? tf.relu(y) : y;
    }
    const nb = call.impl === "tfjs" ? null : nativeBackend();
    const relu = call.relu;
    const hasRes = call.residual !== undefined;
    const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const [xi, g, b] = args as tf.Tensor[];
      const res = hasRes ? (args[3] as tf.Tensor4D) : null;
      let y: tf.Tensor4D;
      let saved: tf.Tensor[];
      if (nb) {
        const empty = tf.tensor1d([], "float32");
        // outputs: y, batch_mean, batch_variance (unbiased), reserve_1, reserve_2, reserve_3
        const out = nb.executeMultipleOutputs(
          "FusedBatchNormV3",
          bnAttrs(nb, opts.epsilon, true),
          [xi, g, b, empty, empty],
          6,
        );
        y = out[0] as tf.Tensor4D;
        updateMoving(vars.movingMean, out[1], opts.decay);
        updateMoving(vars.movingVariance, out[2], opts.decay);
        if (res) y = tf.add(y, res);
        if (relu) y = tf.relu(y);
        saved = [xi, g, out[3], out[4], out[5], y];
      } else {
        const n = xi.size / c;
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        const invStd = tf.rsqrt(tf.add(variance, opts.epsilon));
        const xhat = tf.mul(tf.sub(xi, mean), invStd);
        y = tf.add(tf.mul(xhat, g), b) as tf.Tensor4D;
        updateMoving(vars.movingMean, mean, opts.decay);
        updateMoving(vars.movingVariance, tf.mul(variance, n / Math.max(n - 1, 1)), opts.decay);
        if (res) y = tf.add(y, res);
        if (relu) y = tf.relu(y);
        saved = [xhat, g, invStd, y];
      }
      save(saved);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => {
          const yOut = s[s.length - 1];
          const dz = relu ? reluGrad(nb, dy, yOut) : dy; // d(pre-ReLU)
          let grads: tf.Tensor[];
          if (nb) {
            const [xs, gs, r1, r2, r3] = s;
            const gOut = nb.executeMultipleOutputs(
              "FusedBatchNormGradV3",
              bnAttrs(nb, opts.epsilon, true),
              [dz, xs, gs, r1, r2, r3],
              5,
            );
            grads = [gOut[0], gOut[1], gOut[2]];
          } else {
            const [xhat, gs, invStd] = s;
            const n = xhat.size / c;
            // dbeta = sum dz; dgamma = sum dz*xhat; dx = gamma*invStd*(dz - dbeta/n - xhat*dgamma/n)
            const dbeta = tf.sum(dz, [0, 1, 2]);
            const dgamma = tf.sum(tf.mul(dz, xhat), [0, 1, 2]);
            const centred = tf.sub(tf.sub(dz, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n)));
            grads = [tf.mul(centred, tf.mul(gs, invStd)), dgamma, dbeta];
          }
          if (hasRes) grads.push(dz);
          return grads;
        },
      };
    });
    const inputs: tf.Tensor[] = hasRes
      ? [x, gamma, beta, call.residual as tf.Tensor4D]
      : [x, gamma, beta];
    return fn(...inputs) as tf.Tensor4D;
  });
}

/** Batch norm of a [N, C] tensor (projection head), same semantics as {@link batchNorm}. */
export function batchNorm2d(
  x: tf.Tensor2D,
  vars: BatchNormVars,
  call: BatchNormCall,
  opts: BatchNormOptions = BATCH_NORM_DEFAULTS,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, c] = x.shape;
    const y = batchNorm(tf.reshape(x, [n, 1, 1, c]), vars, call, opts);
    return tf.reshape(y, [n, c]);
  });
}
