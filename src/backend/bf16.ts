/**
 * Mixed precision on CPUs with bfloat16 instructions (issue 25): convolutions whose products run in
 * bfloat16 with float32 accumulation, on native TensorFlow's oneDNN kernels (AVX512-BF16, AMX).
 *
 * tfjs has no bfloat16 dtype, but tfjs-node's binding executes any TensorFlow op by name with raw
 * type attributes. So each convolution here is three eager ops inside TensorFlow: Cast float32 ->
 * bfloat16 of its inputs, the bfloat16 Conv2D (or its input / filter gradient), Cast back to
 * float32. The bfloat16 tensors never reach JavaScript: their handles are deleted right after use,
 * and JavaScript sees one float32 tensor per convolution (the raw ops: src/backend/native-ops.ts).
 * Weights, optimiser state, batch norm, the head, the loss and the logits stay float32 (the profile
 * in bench/README.md puts the head's and the loss's matrix products at 0.1-0.7% of a step, so only
 * the convolutions change precision).
 *
 * The gradient is registered with tf.customGrad: dx = Conv2DBackpropInput and dw =
 * Conv2DBackpropFilter, both in bfloat16 with float32 outputs, like PyTorch's CPU autocast.
 */
import * as tf from "@tensorflow/tfjs";
import type { CpuInfo } from "../track/cpu";
import {
  castOp,
  convAttrs,
  execOp,
  nativeBackend,
  TF_BFLOAT16,
  TF_FLOAT,
  type NativeBackend,
} from "./native-ops";

/**
 * A "same"-padded NHWC convolution, x [N, H, W, cin] and kernel [k, k, cin, cout] (the shape of
 * `Conv2dFn` in src/models/conv.ts, which the models take; the backend sits below them).
 */
type Conv2d = (x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number) => tf.Tensor4D;

/** The arithmetic a run's convolutions use; weights and everything else stay float32. */
export type Precision = "fp32" | "bf16";

/** The precisions a config may name. */
export const PRECISIONS: readonly Precision[] = Object.freeze(["fp32", "bf16"] as Precision[]);

/**
 * Why bf16 cannot run here, or undefined when it can: it needs native TensorFlow on the CPU with
 * oneDNN on (Eigen would emulate bfloat16 in software) and a CPU with AVX512-BF16 or AMX.
 * @param cpu the CPU (src/track/cpu.ts).
 * @param backend the backend in use and whether oneDNN is on (src/backend/index.ts).
 */
export function bf16Unavailable(
  cpu: CpuInfo,
  backend: { backend: string; onednn?: boolean } | undefined,
): string | undefined {
  if (!cpu.isa.includes("AVX512-BF16") && !cpu.isa.includes("AMX"))
    return `this CPU (${cpu.model}; ISA: ${cpu.isa.join(" ") || "none listed"}) has neither AVX512-BF16 nor AMX, so bfloat16 would be emulated in software; use precision "fp32"`;
  if (backend?.backend !== "tensorflow")
    return `bf16 needs the native TensorFlow CPU backend, but the backend is ${backend?.backend ?? "not initialised"}; use precision "fp32"`;
  if (backend.onednn === false)
    return `bf16 needs TensorFlow's oneDNN kernels, but TF_ENABLE_ONEDNN_OPTS=0 turned them off; unset it or use precision "fp32"`;
  if (!nativeBackend()) return `the active tfjs backend is not tfjs-node; use precision "fp32"`;
  return undefined;
}

/** An input of a bf16 op: a float32 tensor cast to bfloat16, or an int32 tensor passed as is. */
type Input = { bf16: tf.Tensor } | { int32: tf.Tensor };

/**
 * Runs `op` with its float32 inputs cast to bfloat16 and returns its output cast back to float32,
 * deleting every bfloat16 handle (inputs and output) before it returns.
 */
function bf16Op(be: NativeBackend, op: string, stride: number, inputs: Input[]): tf.Tensor {
  const temps: number[] = [];
  try {
    const ids = inputs.map((inp) => {
      if ("int32" in inp) return be.getInputTensorIds([inp.int32])[0];
      const t = castOp(be, be.getInputTensorIds([inp.bf16])[0], TF_FLOAT, TF_BFLOAT16);
      temps.push(t.id);
      return t.id;
    });
    const out = execOp(be, op, convAttrs(be.binding, stride, TF_BFLOAT16), ids);
    temps.push(out.id);
    return be.createOutputTensor(castOp(be, out.id, TF_BFLOAT16, TF_FLOAT));
  } finally {
    for (const id of temps) be.binding.deleteTensor(id);
  }
}

/** A shape as the int32 tensor the gradient ops take. */
function sizes(shape: number[]): tf.Tensor1D {
  return tf.tensor1d(shape, "int32");
}

/**
 * The bfloat16 convolution for the active native backend, with its gradients; one customGrad per
 * stride (the stride is an attribute, not a tensor). Call {@link bf16Unavailable} first.
 */
export function bf16Conv2d(): Conv2d {
  const be = nativeBackend();
  if (!be)
    throw new Error("bf16Conv2d: the active tfjs backend is not tfjs-node's native TensorFlow");
  const byStride = new Map<number, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D>();
  const forStride = (stride: number): ((x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D) =>
    tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
      save([x, w]);
      return {
        value: bf16Op(be, "Conv2D", stride, [{ bf16: x }, { bf16: w }]) as tf.Tensor4D,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sw] = saved;
          const xs = sizes(sx.shape);
          const ws = sizes(sw.shape);
          try {
            const dx = bf16Op(be, "Conv2DBackpropInput", stride, [
              { int32: xs },
              { bf16: sw },
              { bf16: dy },
            ]);
            const dw = bf16Op(be, "Conv2DBackpropFilter", stride, [
              { bf16: sx },
              { int32: ws },
              { bf16: dy },
            ]);
            return [dx, dw];
          } finally {
            tf.dispose([xs, ws]);
          }
        },
      };
    }) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
  return (x, kernel, stride) => {
    let f = byStride.get(stride);
    if (!f) byStride.set(stride, (f = forStride(stride)));
    return f(x, kernel);
  };
}
