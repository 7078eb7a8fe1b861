/**
 * The base encoder f(.) of SimCLR (section 2.1): image -> representation h, the input of the
 * projection head and of every downstream evaluation. ResNets as in the paper (B.9 for CIFAR),
 * or a small ConvNet for CPU studies. Variables are created from an explicit seed.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dFp32, type Conv2dFn } from "./conv";
import { buildConvNet, CONVNET_LAYERS } from "./convnet";
import { countParams, ParamStore, type NamedVariable } from "./params";
import { buildResNet, type ResNetBody } from "./resnet";

/** Encoder architectures; plugin encoders are resolved above (src/parts). */
export type EncoderArch = "convnet" | "resnet18" | "resnet34" | "resnet50";

/** The built-in architectures. */
export const ENCODER_ARCHS: readonly EncoderArch[] = Object.freeze([
  "convnet",
  "resnet18",
  "resnet34",
  "resnet50",
] as EncoderArch[]);

/** Stems (the config's encoder.stem values). */
export const ENCODER_STEMS = Object.freeze(["cifar", "imagenet"] as const);

/** Encoder choices. */
export interface EncoderOptions {
  /** Architecture; SimCLR's CIFAR-10 experiments use ResNet-50 (appendix B.9). */
  arch: EncoderArch;
  /** "cifar": 3x3 stride-1 first conv, no max-pool (appendix B.9); "imagenet": 7x7/2 + max-pool. */
  stem: (typeof ENCODER_STEMS)[number];
  /** Channel width multiplier (Figure 7 studies 1x, 2x, 4x). */
  widthMultiplier: number;
}

/** Defaults of {@link EncoderOptions}: the paper's CIFAR-10 encoder. */
export const ENCODER_DEFAULTS: Readonly<EncoderOptions> = Object.freeze({
  arch: "resnet50",
  stem: "cifar",
  widthMultiplier: 1,
});

/** An encoder f: [N, H, W, 3] images in [0, 1] -> h [N, featureDim]. */
export interface Encoder {
  readonly options: Readonly<EncoderOptions>;
  /** Width of h. */
  readonly featureDim: number;
  /**
   * Forward pass. training = true uses (and updates the moving averages from) the moments of
   * this whole batch, so pass both views concatenated (global BN, section 2.2).
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** All variables with stable names and roles, including BN moving statistics (checkpoints). */
  readonly params: readonly NamedVariable[];
  /** The variables gradients are taken over (kernels, BN gamma/beta). */
  readonly trainableVariables: tf.Variable[];
  /** Every variable, trainable or not. */
  readonly variables: tf.Variable[];
  /** Number of trainable scalars. */
  paramCount(): number;
  /** Forward FLOPs per image (2 x multiply-adds of the convolutions) at the given input size. */
  forwardFlops(height: number, width: number): number;
  /** Frees the variables. */
  dispose(): void;
}

/** Wraps a model body and its variables into the common {@link Encoder}-like shape. */
export function wrapModel(
  store: ParamStore,
): Pick<Encoder, "params" | "trainableVariables" | "variables" | "paramCount" | "dispose"> {
  const params = store.params;
  return {
    params,
    trainableVariables: params.filter((p) => p.trainable).map((p) => p.variable),
    variables: params.map((p) => p.variable),
    paramCount: () => countParams(params),
    dispose: () => params.forEach((p) => p.variable.dispose()),
  };
}

/**
 * Creates an encoder with variables initialised from seed (same seed and backend: same values).
 * @param opts architecture, stem and width; missing fields from {@link ENCODER_DEFAULTS}.
 * @param seed initialisation seed.
 * @param conv computes the built-in architectures' convolutions (float32 unless a run asks for
 *   another precision, src/backend/bf16.ts); plugin encoders compute their own.
 */
export function createEncoder(
  opts: Partial<EncoderOptions>,
  seed: number,
  conv: Conv2dFn = conv2dFp32,
): Encoder {
  const options: EncoderOptions = { ...ENCODER_DEFAULTS, ...opts };
  if (!(options.widthMultiplier > 0)) {
    throw new Error(`encoder widthMultiplier must be > 0, got ${options.widthMultiplier}`);
  }
  if (options.stem !== "cifar" && options.stem !== "imagenet") {
    throw new Error(`unknown encoder stem "${String(options.stem)}"; expected cifar or imagenet`);
  }
  const store = new ParamStore("encoder", seed);
  let body: ResNetBody;
  if (options.arch === "convnet")
    body = buildConvNet(store, options.stem, options.widthMultiplier, CONVNET_LAYERS, conv);
  else if (
    options.arch === "resnet18" ||
    options.arch === "resnet34" ||
    options.arch === "resnet50"
  )
    body = buildResNet(store, options.arch, options.stem, options.widthMultiplier, conv);
  else
    throw new Error(
      `unknown encoder arch "${String(options.arch)}"; expected convnet, resnet18, resnet34 or resnet50`,
    );
  return {
    options: Object.freeze(options),
    featureDim: body.featureDim,
    apply: body.apply,
    forwardFlops: body.forwardFlops,
    ...wrapModel(store),
  };
}
