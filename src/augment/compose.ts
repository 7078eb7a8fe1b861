/**
 * Composing augmentations by name in a given order (SimCLR section 3, Figure 5: the study is about
 * which compositions matter, so a pipeline is an ordered list of named steps, not flags) and the
 * SimCLR default pipeline (appendix A; appendix B.9 for CIFAR-10: crop and flip, colour strength
 * 0.5, no blur). Names that are not built in come from the caller, as {@link ExtraAugmentations}
 * (src/parts resolves a config's plugin augmentations into them): this module knows only its own.
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { checkBatch, type Kernel } from "./op";
import { cropKernel, type CropOptions } from "./crop";
import { flipKernel, type FlipOptions } from "./flip";
import {
  colorDistortionKernel,
  colorJitterKernel,
  type ColorDistortionOptions,
  type ColorJitterOptions,
} from "./color";
import { grayscaleKernel, type GrayscaleOptions } from "./grayscale";
import { blurKernel, type BlurOptions } from "./blur";
import { cutoutKernel, type CutoutOptions } from "./cutout";
import { sobelKernel, type SobelOptions } from "./sobel";
import { noiseKernel, type NoiseOptions } from "./noise";
import { rotateKernel, type RotateOptions } from "./rotate";

/** Options of each augmentation, by name. */
export interface AugmentOptionsByName {
  /** random resized crop (appendix A) */
  crop: CropOptions;
  /** horizontal flip, p = 0.5 */
  flip: FlipOptions;
  /** colour distortion: jitter (p = 0.8) then grayscale (p = 0.2), Figure 4 "color distort. (drop and jitter)" */
  color: ColorDistortionOptions;
  /** colour jitter only */
  jitter: ColorJitterOptions;
  /** grayscale only ("color drop") */
  grayscale: GrayscaleOptions;
  /** gaussian blur, p = 0.5 */
  blur: BlurOptions;
  cutout: CutoutOptions;
  sobel: SobelOptions;
  noise: NoiseOptions;
  rotate: RotateOptions;
}

/** Names of the augmentations (SimCLR Figure 4 plus the parts of crop and colour). */
export type AugmentName = keyof AugmentOptionsByName;

/** All augmentation names, in Figure 4's order. */
export const AUGMENT_NAMES: readonly AugmentName[] = Object.freeze([
  "crop",
  "flip",
  "cutout",
  "color",
  "jitter",
  "grayscale",
  "sobel",
  "noise",
  "blur",
  "rotate",
] as AugmentName[]);

/** One step of a pipeline: an augmentation name and its options (plain data, serialisable). */
export type AugmentStep = {
  [K in AugmentName]: { name: K; options?: Partial<AugmentOptionsByName[K]> };
}[AugmentName];

/** Options of an augmentation that is not built in: flat, JSON-serialisable values. */
export type ExtraOptions = Record<string, number | string | boolean>;

/** A step of an augmentation that is not built in (a plugin's), with its options. */
export interface PluginStep {
  name: string;
  options?: ExtraOptions;
}

/** Augmentations beyond the built-ins (plugins), resolved by the caller (src/parts) and passed in. */
export interface ExtraAugmentations {
  /** Whether there is one named `name`. */
  has(name: string): boolean;
  /** Its kernel with `options` (over its defaults); throws when there is none of that name. */
  kernel(name: string, options: ExtraOptions): Kernel;
  /** Their names (listed in the error of an unknown name). */
  names(): readonly string[];
}

/** An ordered list of augmentation steps applied to one view. */
export interface ViewPipeline {
  ops: (AugmentStep | PluginStep)[];
}

/** Per-name options applied to every step of that name when building a pipeline from names. */
export type ComposeOptions = { [K in AugmentName]?: Partial<AugmentOptionsByName[K]> } & {
  [plugin: string]: object | undefined;
};

/** A step as `pipeline` and `compose` take it: a name (built-in or plugin) or a step. */
export type StepLike = AugmentName | AugmentStep | PluginStep | string;

/** A composed augmentation: batch and random source in, new batch out (input never modified). */
export type Augmenter = (batch: ImageBatch, rng: Rng) => ImageBatch;

const KERNELS: { [K in AugmentName]: (o?: Partial<AugmentOptionsByName[K]>) => Kernel } = {
  crop: cropKernel,
  flip: flipKernel,
  color: colorDistortionKernel,
  jitter: colorJitterKernel,
  grayscale: grayscaleKernel,
  blur: blurKernel,
  cutout: cutoutKernel,
  sobel: sobelKernel,
  noise: noiseKernel,
  rotate: rotateKernel,
};

/** Checks an augmentation name; throws listing the valid ones. */
export function isAugmentName(name: string): name is AugmentName {
  return Object.prototype.hasOwnProperty.call(KERNELS, name);
}

function toStep(
  s: StepLike,
  opts: ComposeOptions,
  extra?: ExtraAugmentations,
): AugmentStep | PluginStep {
  const step = typeof s === "string" ? ({ name: s } as AugmentStep | PluginStep) : s;
  if (!isAugmentName(step.name)) {
    if (extra?.has(step.name)) {
      const shared = opts[step.name] as ExtraOptions | undefined;
      return shared ? { name: step.name, options: { ...shared, ...(step.options ?? {}) } } : step;
    }
    const plugins = extra?.names() ?? [];
    throw new Error(
      `unknown augmentation '${String(step.name)}'; expected one of ${[...AUGMENT_NAMES, ...plugins].join(", ")}` +
        " (an augmentation of your own: name its plugin file in the config's `plugins`)",
    );
  }
  const shared = opts[step.name];
  return (
    shared ? { name: step.name, options: { ...shared, ...(step.options ?? {}) } } : step
  ) as AugmentStep;
}

/**
 * Builds a pipeline from names and/or steps, in order; `opts` gives options per name, `extra` the
 * augmentations that are not built in.
 */
export function pipeline(
  steps: readonly StepLike[],
  opts: ComposeOptions = {},
  extra?: ExtraAugmentations,
): ViewPipeline {
  return { ops: steps.map((s) => toStep(s, opts, extra)) };
}

function kernelOf(step: AugmentStep | PluginStep, extra?: ExtraAugmentations): Kernel {
  if (!isAugmentName(step.name)) {
    if (!extra?.has(step.name))
      throw new Error(`unknown augmentation '${step.name}' (its plugin is not loaded)`);
    return extra.kernel(step.name, (step.options ?? {}) as ExtraOptions);
  }
  const make = KERNELS[step.name] as (o?: unknown) => Kernel;
  return make(step.options);
}

/**
 * Composes augmentations in the given order into one function over batches, e.g.
 * `compose(["crop", "flip", "color"], { color: { strength: 0.5 } })`. Two buffers are reused
 * across steps (pointwise steps run in place); the input batch is never modified. `extra`: the
 * augmentations that are not built in (plugins, from src/parts).
 */
export function compose(
  steps: readonly StepLike[] | ViewPipeline,
  opts: ComposeOptions = {},
  extra?: ExtraAugmentations,
): Augmenter {
  const p = Array.isArray(steps) ? pipeline(steps, opts, extra) : (steps as ViewPipeline);
  const kernels = p.ops.map((step) => kernelOf(step, extra));
  return (batch, rng) => {
    checkBatch(batch, "augment");
    let cur = batch.data;
    let owned = false; // whether `cur` is one of our buffers (writable)
    let spare: Float32Array | null = null;
    for (const k of kernels) {
      const view: ImageBatch = { ...batch, data: cur };
      if (k.inPlace) {
        if (!owned) {
          const out = new Float32Array(cur.length);
          k.run(view, out, rng);
          cur = out;
          owned = true;
        } else {
          k.run(view, cur, rng);
        }
      } else {
        const out: Float32Array = spare ?? new Float32Array(cur.length);
        k.run(view, out, rng);
        spare = owned ? cur : null;
        cur = out;
        owned = true;
      }
    }
    return { ...batch, data: owned ? cur : Float32Array.from(cur) };
  };
}

/** Applies a pipeline to a batch (new batch). */
export function applyPipeline(
  batch: ImageBatch,
  p: ViewPipeline | readonly StepLike[],
  rng: Rng,
): ImageBatch {
  return compose(p)(batch, rng);
}

/** Options of {@link defaultPipeline}. */
export interface DefaultPipelineOptions {
  /** Colour strength s; appendix B.9 uses 0.5 on CIFAR-10, appendix A 1.0 on ImageNet (Table 1 varies it). */
  colorStrength: number;
  /** Add gaussian blur (p = 0.5); appendix A uses it on ImageNet, appendix B.9 not on CIFAR-10. */
  blur: boolean;
  /** Brightness variant (official tf2 default "simclrv2"). */
  impl: ColorDistortionOptions["impl"];
}

/** Defaults of {@link DefaultPipelineOptions}: the CIFAR-10 setting of SimCLR appendix B.9. */
export const DEFAULT_PIPELINE_DEFAULTS: Readonly<DefaultPipelineOptions> = Object.freeze({
  colorStrength: 0.5,
  blur: false,
  impl: "simclrv2" as ColorDistortionOptions["impl"],
});

/**
 * The SimCLR augmentation pipeline (appendix A): random resized crop, flip, colour distortion of
 * strength s (jitter p = 0.8, grayscale p = 0.2), and optionally blur. Defaults: CIFAR-10, B.9.
 */
export function defaultPipeline(opts: Partial<DefaultPipelineOptions> = {}): ViewPipeline {
  const o: DefaultPipelineOptions = {
    ...DEFAULT_PIPELINE_DEFAULTS,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  };
  const ops: AugmentStep[] = [
    { name: "crop" },
    { name: "flip" },
    { name: "color", options: { strength: o.colorStrength, impl: o.impl } },
  ];
  if (o.blur) ops.push({ name: "blur" });
  return { ops };
}
