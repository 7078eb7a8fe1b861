/**
 * Training kernels for the WebAssembly backend (environment.md, "Backends").
 *
 * tfjs-backend-wasm 4.22 cannot train a ConvNet: it has no `Conv2DBackpropFilter`, and its
 * `Conv2DBackpropInput` is a scalar loop (about 2 GFLOP/s here). Both convolution gradients are
 * re-expressed as forward convolutions, which run in XNNPACK's packed kernels (about 25 GFLOP/s on
 * one thread):
 * - filter gradient: dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, s*oh+kh, s*ow+kw, ci] dy[n,oh,ow,co]
 *   is a convolution of x^T [CI, Hp, Wp, N] with dy^T [OH, OW, N, CO] as the filter: output
 *   [CI, >=KH, >=KW, CO], cropped and transposed, the filter dilated by the stride s;
 * - input gradient: dx is a stride-1 convolution of dy (padded by KH-1-top) with the filter
 *   flipped in space and transposed in channels; for stride s > 1, s*s such convolutions, one per
 *   output phase (rows s*a + p) with only the taps reaching it, interleaved (no work on zeros).
 * Pooling gradients are replaced too: tfjs-backend-wasm 4.22's MaxPoolGrad misroutes gradients
 * when the batch or channel count is above 1, and its AvgPoolGrad (like tfjs-backend-cpu's)
 * divides by the full window although the forward pass averages in-bounds cells only ("same"
 * padding); both are rebuilt from strided window taps.
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
    // g: [CI, >=KH, >=KW, CO]; stride s becomes a dilation of the dy "filter" (a per-phase split
    // into stride-1 convolutions measured 3-5x slower here: wasm's strided slices of x^T)
    const g = tf.conv2d(xt, dyt, 1, pad, "NHWC", [info.strideHeight, info.strideWidth]);
    return tf.transpose(tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** One axis of a stride-s input gradient split into s phases (rows h = s*a + p). */
interface PhaseAxis {
  /** Filter taps of this phase, in the order of the sub-filter. */
  taps: number[];
  /** dy rows kept: [start, start + length). */
  start: number;
  length: number;
  /** Explicit padding of the stride-1 correlation. */
  before: number;
  after: number;
  /** Output rows of this phase: ceil((size - p) / s). */
  out: number;
}

function phaseAxis(
  p: number,
  s: number,
  k: number,
  top: number,
  size: number,
  dyLen: number,
): PhaseAxis {
  // tap kk reaches dx row s*a + p from dy row a + d, d = (p + top - kk) / s; taps sorted by d ascending
  const taps: number[] = [];
  for (let kk = k - 1; kk >= 0; kk--) if ((((p + top - kk) % s) + s) % s === 0) taps.push(kk);
  const out = Math.max(0, Math.ceil((size - p) / s));
  if (taps.length === 0 || out === 0)
    return { taps: [], start: 0, length: 0, before: 0, after: 0, out };
  const dMin = (p + top - taps[0]) / s;
  const start = Math.max(0, dMin);
  const before = Math.max(0, -dMin);
  let length = dyLen - start;
  let after = out - length - before + taps.length - 1;
  if (after < 0) {
    length += after;
    after = 0;
  }
  return { taps, start, length, before, after, out };
}

/**
 * Input gradient of a strided convolution as s*s stride-1 convolutions, one per output phase,
 * each with the taps that reach that phase (no multiplications by inserted zeros), interleaved.
 */
function conv2dInputGradientPhased(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  info: ReturnType<typeof convInfo>,
): tf.Tensor4D {
  const [n, h, w, ci] = inputShape;
  const [kh, kw] = filter.shape;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const [, oh, ow] = dy.shape;
  const a = Math.ceil(h / sh);
  const b = Math.ceil(w / sw);
  return tf.tidy(() => {
    // fT: [KH, KW, CO, CI]
    const fT = tf.transpose(filter, [0, 1, 3, 2]);
    const rows: tf.Tensor[] = [];
    for (let py = 0; py < sh; py++) {
      const ay = phaseAxis(py, sh, kh, info.padInfo.top, h, oh);
      const cols: tf.Tensor[] = [];
      for (let px = 0; px < sw; px++) {
        const ax = phaseAxis(px, sw, kw, info.padInfo.left, w, ow);
        let phase: tf.Tensor4D;
        if (ay.taps.length === 0 || ax.taps.length === 0 || ay.length <= 0 || ax.length <= 0) {
          phase = tf.zeros([n, ay.out, ax.out, ci]);
        } else {
          const sub = tf.gather(tf.gather(fT, ay.taps, 0), ax.taps, 1) as tf.Tensor4D;
          const d = tf.slice(dy, [0, ay.start, ax.start, 0], [-1, ay.length, ax.length, -1]);
          const pad: ExplicitPad = [
            [0, 0],
            [ay.before, ay.after],
            [ax.before, ax.after],
            [0, 0],
          ];
          phase = tf.conv2d(d, sub, 1, pad); // [N, out_y, out_x, CI]
        }
        // every phase padded to [N, A, B, CI] for the interleave
        cols.push(
          tf.pad(phase, [
            [0, 0],
            [0, a - ay.out],
            [0, b - ax.out],
            [0, 0],
          ]),
        );
      }
      rows.push(tf.stack(cols, 3)); // [N, A, B, sw, CI]
    }
    const all = tf.stack(rows, 2); // [N, A, sh, B, sw, CI]
    const dx = tf.reshape(all, [n, a * sh, b * sw, ci]) as tf.Tensor4D;
    return a * sh === h && b * sw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, ci]);
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
  if ((sh > 1 || sw > 1) && top >= 0 && left >= 0) {
    return conv2dInputGradientPhased(dy, filter, inputShape, info);
  }
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

interface Pool2DAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: "valid" | "same" | number | ExplicitPad;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * Scatters t [N, OH, OW, C] to rows s*oy + offY and columns s*ox + offX of an [N, H, W, C] zero
 * tensor (out-of-range positions dropped): the adjoint of a strided window tap.
 */
function placeTap(
  t: tf.Tensor4D,
  sh: number,
  sw: number,
  offY: number,
  offX: number,
  h: number,
  w: number,
): tf.Tensor4D {
  const [n, oh, ow, c] = t.shape;
  let up: tf.Tensor4D = t;
  if (sh > 1 || sw > 1) {
    const z = tf.pad(tf.reshape(t, [n, oh, 1, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    up = tf.slice(
      tf.reshape(z, [n, oh * sh, ow * sw, c]) as tf.Tensor4D,
      [0, 0, 0, 0],
      [n, sh * (oh - 1) + 1, sw * (ow - 1) + 1, c],
    );
  }
  // rows: drop those before 0 and at or after h, then pad to [0, h)
  const y0 = Math.max(0, -offY);
  const x0 = Math.max(0, -offX);
  const rows = Math.max(0, Math.min(up.shape[1], h - offY) - y0);
  const cols = Math.max(0, Math.min(up.shape[2], w - offX) - x0);
  if (rows === 0 || cols === 0) return tf.zeros([n, h, w, c]);
  const kept = tf.slice(up, [0, y0, x0, 0], [n, rows, cols, c]);
  const top = offY + y0;
  const left = offX + x0;
  return tf.pad(kept, [
    [0, 0],
    [top, h - top - rows],
    [left, w - left - cols],
    [0, 0],
  ]);
}

/**
 * Input gradient of max pooling, routing each output's gradient to the first maximum of its
 * window in row-major order (TensorFlow's and tfjs-cpu's tie rule). x: [N, H, W, C].
 */
function maxPoolInputGradient(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  attrs: Pool2DAttrs,
): tf.Tensor4D {
  const info = tf.backend_util.computePool2DInfo(
    x.shape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [n, h, w, c] = x.shape;
  const { top, bottom, left, right } = info.padInfo;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const [, oh, ow] = y.shape;
  return tf.tidy(() => {
    const xp = tf.pad(
      x,
      [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      -Infinity,
    );
    let taken: tf.Tensor4D = tf.zerosLike(y);
    let dx: tf.Tensor4D = tf.zeros([n, h, w, c]);
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++) {
        // win: the (kh, kw) tap of every window, [N, OH, OW, C]
        const win = tf.stridedSlice(
          xp,
          [0, kh, kw, 0],
          [n, kh + (oh - 1) * sh + 1, kw + (ow - 1) * sw + 1, c],
          [1, sh, sw, 1],
        ) as tf.Tensor4D;
        const hit = tf.mul(tf.cast(tf.equal(win, y), "float32"), tf.sub(1, taken)) as tf.Tensor4D;
        taken = tf.add(taken, hit);
        dx = tf.add(
          dx,
          placeTap(tf.mul(hit, dy) as tf.Tensor4D, sh, sw, kh - top, kw - left, h, w),
        );
      }
    }
    return dx;
  });
}

/**
 * Input gradient of average pooling where each window's mean is over its in-bounds cells (what
 * tfjs's forward and TensorFlow compute; tfjs 4.22's AvgPoolGrad divides by the full window).
 */
function avgPoolInputGradient(
  dy: tf.Tensor4D,
  xShape: [number, number, number, number],
  attrs: Pool2DAttrs,
): tf.Tensor4D {
  const info = tf.backend_util.computePool2DInfo(
    xShape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [, h, w] = xShape;
  const { top, left } = info.padInfo;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const [, oh, ow] = dy.shape;
  const inv = new Float32Array(oh * ow);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const ys = Math.min(h, oy * sh - top + info.filterHeight) - Math.max(0, oy * sh - top);
      const xs = Math.min(w, ox * sw - left + info.filterWidth) - Math.max(0, ox * sw - left);
      inv[oy * ow + ox] = 1 / Math.max(1, ys * xs);
    }
  }
  return tf.tidy(() => {
    const scaled = tf.mul(dy, tf.tensor4d(inv, [1, oh, ow, 1])) as tf.Tensor4D;
    let dx: tf.Tensor4D = tf.zeros(xShape);
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++)
        dx = tf.add(dx, placeTap(scaled, sh, sw, kh - top, kw - left, h, w));
    }
    return dx;
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

  for (const name of ["MaxPoolGrad", "AvgPoolGrad"]) {
    if (tf.getKernel(name, "wasm")) tf.unregisterKernel(name, "wasm");
  }
  tf.registerKernel({
    kernelName: "MaxPoolGrad",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() =>
        maxPoolInputGradient(
          asTensor(inputs.dy) as tf.Tensor4D,
          asTensor(inputs.input) as tf.Tensor4D,
          asTensor(inputs.output) as tf.Tensor4D,
          attrs as unknown as Pool2DAttrs,
        ),
      ),
  });
  tf.registerKernel({
    kernelName: "AvgPoolGrad",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() => {
        const x = asTensor(inputs.input) as tf.Tensor4D;
        return avgPoolInputGradient(
          asTensor(inputs.dy) as tf.Tensor4D,
          x.shape,
          attrs as unknown as Pool2DAttrs,
        );
      }),
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
