/**
 * Training kernels for the WebAssembly backend (environment.md, "Backends").
 *
 * tfjs-backend-wasm 4.22 cannot train a ConvNet: it has no `Conv2DBackpropFilter`, and its
 * `Conv2DBackpropInput` is a scalar loop (about 2 GFLOP/s here). Both convolution gradients are
 * re-expressed as forward convolutions, which run in XNNPACK's packed kernels (about 25 GFLOP/s on
 * one thread):
 * - filter gradient: dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, s*oh+kh, s*ow+kw, ci] dy[n,oh,ow,co]
 *   is a convolution of x^T [CI, Hp, Wp, N] with dy^T [OH, OW, N, CO] as the filter, dilated by
 *   the stride s: output [CI, >=KH, >=KW, CO], cropped and transposed;
 * - input gradient: dx is a stride-1 convolution of dy (zeros inserted between rows and columns
 *   when s > 1, padded by KH-1-top) with the filter flipped in space and transposed in channels.
 * Only NHWC with no forward dilation is covered (what tfjs's conv2d gradient itself supports);
 * anything else keeps wasm's own kernel or fails as before. Checked against the `cpu` backend in
 * test/backend/wasm-grads.test.ts.
 */
import * as tf from "@tensorflow/tfjs";

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DBackpropAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | ExplicitPad;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/** A kernel input as a Tensor tracked in the current tidy scope. */
function asTensor(info: tf.TensorInfo | undefined): tf.Tensor {
  if (!info) throw new Error("wasm convolution gradient: a kernel input is missing");
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

function convInfo(xShape: number[], filterShape: number[], attrs: Conv2DBackpropAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    attrs.dataFormat === "NCHW" ? "channelsFirst" : "channelsLast",
  );
}

/**
 * Filter gradient of a 2-D convolution through a forward convolution.
 * x: [N, H, W, CI], dy: [N, OH, OW, CO] -> dW: [KH, KW, CI, CO].
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: Pick<Conv2DBackpropAttrs, "strides" | "pad" | "dimRoundingMode">,
): tf.Tensor4D {
  const info = convInfo(x.shape, filterShape, { ...attrs, dataFormat: "NHWC" });
  const [kh, kw] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    // xt: [CI, H, W, N]; dyt (the "filter"): [OH, OW, N, CO]
    const xt = tf.transpose(x, [3, 1, 2, 0]);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const pad: ExplicitPad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    // g: [CI, >=KH, >=KW, CO]
    const g = tf.conv2d(xt, dyt, 1, pad, "NHWC", [info.strideHeight, info.strideWidth]);
    return tf.transpose(tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Input gradient of a 2-D convolution through a forward convolution.
 * dy: [N, OH, OW, CO], filter: [KH, KW, CI, CO] -> dx: inputShape [N, H, W, CI].
 * Returns undefined where the padding has no such form (top > KH-1), for the caller to fall back.
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  attrs: Pick<Conv2DBackpropAttrs, "strides" | "pad" | "dimRoundingMode">,
): tf.Tensor4D | undefined {
  const info = convInfo(inputShape, filter.shape, { ...attrs, dataFormat: "NHWC" });
  const [n, h, w] = inputShape;
  const [kh, kw] = filter.shape;
  const { top, left } = info.padInfo;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const [, oh, ow, co] = dy.shape;
  const before = [kh - 1 - top, kw - 1 - left];
  if (before[0] < 0 || before[1] < 0) return undefined;
  return tf.tidy(() => {
    // up: dy with s-1 zeros between rows/columns: [N, s*(OH-1)+1, s*(OW-1)+1, CO]
    let up: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      const z = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, co]), [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      up = tf.slice(
        tf.reshape(z, [n, oh * sh, ow * sw, co]) as tf.Tensor4D,
        [0, 0, 0, 0],
        [n, sh * (oh - 1) + 1, sw * (ow - 1) + 1, co],
      );
    }
    // padded length must be H + KH - 1; crop when the forward conv dropped trailing rows' taps
    const after = [h + kh - 1 - before[0] - up.shape[1], w + kw - 1 - before[1] - up.shape[2]];
    if (after[0] < 0 || after[1] < 0) {
      up = tf.slice(
        up,
        [0, 0, 0, 0],
        [n, up.shape[1] + Math.min(0, after[0]), up.shape[2] + Math.min(0, after[1]), co],
      );
    }
    const pad: ExplicitPad = [
      [0, 0],
      [before[0], Math.max(0, after[0])],
      [before[1], Math.max(0, after[1])],
      [0, 0],
    ];
    // flipped: [KH, KW, CO, CI]
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(up, flipped as tf.Tensor4D, 1, pad);
  });
}

let registered = false;

/**
 * Registers the convolution gradient kernels for the `wasm` backend (idempotent). Call before
 * training on wasm; `initBackend` does it when it selects wasm.
 */
export function registerWasmGradients(): void {
  if (registered) return;
  if (!tf.getKernel("Conv2D", "wasm")) {
    throw new Error(
      "registerWasmGradients: load @tensorflow/tfjs-backend-wasm first (initBackend does)",
    );
  }
  registered = true;
  const builtinInput = tf.getKernel("Conv2DBackpropInput", "wasm");

  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const a = attrs as unknown as Conv2DBackpropAttrs;
      if (a.dataFormat === "NCHW") throw new Error("wasm Conv2DBackpropFilter supports NHWC only");
      return tf.tidy(() =>
        conv2dFilterGradient(
          asTensor(inputs.x) as tf.Tensor4D,
          asTensor(inputs.dy) as tf.Tensor4D,
          a.filterShape as [number, number, number, number],
          a,
        ),
      );
    },
  });

  if (builtinInput) tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({
    kernelName: "Conv2DBackpropInput",
    backendName: "wasm",
    kernelFunc: (args) => {
      const a = args.attrs as unknown as Conv2DBackpropAttrs;
      const dx =
        a.dataFormat === "NCHW"
          ? undefined
          : tf.tidy(() =>
              conv2dInputGradient(
                asTensor(args.inputs.dy) as tf.Tensor4D,
                asTensor(args.inputs.filter) as tf.Tensor4D,
                a.inputShape as [number, number, number, number],
                a,
              ),
            );
      if (dx) return dx;
      if (!builtinInput)
        throw new Error("wasm Conv2DBackpropInput: unsupported padding or data format");
      return builtinInput.kernelFunc(args);
    },
  });
}
