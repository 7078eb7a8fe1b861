/**
 * The projection head g(.) of SimCLR (section 2.1, Figure 8, Table 3 / appendix B.4): maps h to
 * the space z where the contrastive loss is applied. "none" (identity), "linear" (one dense layer
 * + BN) or "nonlinear" (an MLP). Layout as in google-research/simclr tf2 model.py ProjectionHead:
 * every layer is dense + BN; middle layers have BN with offset then ReLU, the last layer has
 * neither bias, BN offset nor ReLU; dense kernels start N(0, 0.01^2).
 */
import * as tf from "@tensorflow/tfjs";
import { batchNorm2d, type BatchNormVars } from "./batchnorm";
import { wrapModel, type Encoder } from "./encoder";
import { ParamStore } from "./params";

/** Projection head kinds (paper Figure 8); plugin heads are resolved above (src/parts). */
export type HeadKind = "none" | "linear" | "nonlinear";

/** The built-in head kinds. */
export const HEAD_KINDS: readonly HeadKind[] = Object.freeze([
  "none",
  "linear",
  "nonlinear",
] as HeadKind[]);

/** Projection head choices. */
export interface HeadOptions {
  /** "nonlinear" is SimCLR's default (section 2.1: one hidden layer + ReLU). */
  kind: HeadKind;
  /** Dense layers of the nonlinear head; 2 = one hidden layer (SimCLR v1); tf2 code defaults to 3. */
  layers: number;
  /** Hidden width; 0 means the input (h) width, as in the official code. */
  hiddenDim: number;
  /** Width of z; 128 in the paper (Figure 8 varies it). */
  outDim: number;
  /** Batch norm after each dense layer (official code use_bn = True). */
  batchNorm: boolean;
}

/** Defaults of {@link HeadOptions}: SimCLR's nonlinear head. */
export const HEAD_DEFAULTS: Readonly<HeadOptions> = Object.freeze({
  kind: "nonlinear",
  layers: 2,
  hiddenDim: 0,
  outDim: 128,
  batchNorm: true,
});

/** A projection head g: h [N, inDim] -> z [N, outDim]. */
export interface Head extends Pick<
  Encoder,
  "params" | "trainableVariables" | "variables" | "paramCount" | "dispose"
> {
  readonly options: Readonly<HeadOptions>;
  /** Width of z (= inDim for "none"). */
  readonly outDim: number;
  /** z = g(h). training: batch statistics (updating moving averages) vs moving statistics. */
  apply(h: tf.Tensor2D, training: boolean): tf.Tensor2D;
  /**
   * Every intermediate output: [h, after layer 1, ..., z] (Table 3 probes g(h) at each depth).
   * The caller disposes the returned tensors.
   */
  applyAll(h: tf.Tensor2D, training: boolean): tf.Tensor2D[];
  /** Forward FLOPs per example (2 x multiply-adds of the dense layers). */
  forwardFlops(): number;
}

interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable | null;
  bn: BatchNormVars | null;
  relu: boolean;
}

/**
 * Creates a projection head on inputs of width inDim, initialised from seed.
 * @param inDim width of h (encoder.featureDim).
 * @param opts missing fields from {@link HEAD_DEFAULTS}.
 */
export function createHead(inDim: number, opts: Partial<HeadOptions>, seed: number): Head {
  const options: HeadOptions = { ...HEAD_DEFAULTS, ...opts };
  const store = new ParamStore("head", seed);
  const hidden = options.hiddenDim > 0 ? options.hiddenDim : inDim;
  const nLayers = options.kind === "none" ? 0 : options.kind === "linear" ? 1 : options.layers;
  if (!["none", "linear", "nonlinear"].includes(options.kind)) {
    throw new Error(
      `unknown head kind "${String(options.kind)}"; expected none, linear or nonlinear`,
    );
  }
  if (nLayers > 0 && !(options.outDim >= 1 && options.hiddenDim >= 0)) {
    throw new Error(
      `head outDim must be >= 1 and hiddenDim >= 0, got ${options.outDim} and ${options.hiddenDim}`,
    );
  }
  if (options.kind === "nonlinear" && !(options.layers >= 1)) {
    throw new Error(`nonlinear head needs layers >= 1, got ${options.layers}`);
  }
  const layers: DenseLayer[] = [];
  let cin = inDim;
  for (let j = 0; j < nLayers; j++) {
    const last = j === nLayers - 1;
    const cout = last ? options.outDim : hidden;
    const name = `${last ? "out" : "hidden"}${j}`;
    const kernel = store.dense(name, cin, cout, 0.01);
    // middle layers: bias (BN offset when BN), ReLU; last layer: no bias, no offset, no ReLU
    const bn = options.batchNorm ? store.batchNorm(`${name}/bn`, cout, { center: !last }) : null;
    const bias = !last && !options.batchNorm ? store.bias(name, cout) : null;
    layers.push({ kernel, bias, bn, relu: !last });
    cin = cout;
  }
  const applyLayer = (l: DenseLayer, x: tf.Tensor2D, training: boolean): tf.Tensor2D =>
    tf.tidy((): tf.Tensor2D => {
      if (l.bn) {
        const y = tf.matMul(x, l.kernel as tf.Tensor2D) as tf.Tensor2D;
        return batchNorm2d(y, l.bn, { training, relu: l.relu });
      }
      return tf.fused.matMul({
        a: x,
        b: l.kernel as tf.Tensor2D,
        bias: l.bias ?? undefined,
        activation: l.relu ? "relu" : "linear",
      }) as tf.Tensor2D;
    });
  const applyAll = (h: tf.Tensor2D, training: boolean): tf.Tensor2D[] => {
    const out: tf.Tensor2D[] = [tf.clone(h)];
    for (const l of layers) out.push(applyLayer(l, out[out.length - 1], training));
    return out;
  };
  return {
    options: Object.freeze(options),
    outDim: nLayers === 0 ? inDim : options.outDim,
    apply: (h, training) =>
      layers.length === 0
        ? tf.clone(h)
        : tf.tidy(() => layers.reduce((x, l) => applyLayer(l, x, training), h)),
    applyAll,
    forwardFlops: () => layers.reduce((f, l) => f + 2 * l.kernel.size, 0),
    ...wrapModel(store),
  };
}
