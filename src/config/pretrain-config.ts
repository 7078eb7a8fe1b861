/**
 * The run configuration of one SimCLR pre-training run: every choice the paper studies, as a plain
 * serialisable object (what MLflow logs as params and what a sweep varies). Defaults follow the
 * paper's CIFAR-10 setting (SimCLR section 3 and appendix B.9) except where a field says otherwise.
 * Model, loss and optimiser sections are the modules' own option objects and defaults.
 */
import { ENCODER_DEFAULTS, type EncoderOptions } from "../models/encoder";
import { HEAD_DEFAULTS, type HeadOptions } from "../models/head";
import { LOSS_DEFAULTS, type ContrastiveLossOptions } from "../loss/contrastive";
import { OPTIMIZER_DEFAULTS, type OptimizerOptions } from "../optim/optimizer";
import type { LrScaling } from "../optim/schedule";
import type { PluginOptions, PluginRef } from "../plugins/types";
import type { Precision } from "../backend/bf16";

/** Run modes (the config's mode values). */
export const MODES = Object.freeze(["simclr", "supervised"] as const);

/** Evaluated representations (the config's eval.representation values). */
export const REPRESENTATIONS = Object.freeze(["h", "gh"] as const);

/**
 * What the linear probe and the kNN memory bank are fitted on (the config's eval.probeData values):
 * the run's pre-training subset (data.trainLimit images) or the whole training split, whatever
 * subset pre-training used (the paper's protocol).
 */
export const PROBE_DATA = Object.freeze(["pretrain-subset", "full-train"] as const);

/** One of {@link PROBE_DATA}. */
export type ProbeData = (typeof PROBE_DATA)[number];

/** Optimiser (module options) plus the learning-rate rule and schedule (SimCLR section 2.2, B.1). */
export interface OptimizerConfig extends OptimizerOptions {
  /** Peak learning rate; null derives it from the batch size: base x B/256 or base x sqrt(B). */
  learningRate: number | null;
  /** Base of the scaling rule; null = the paper's 0.3 (linear) or 0.075 (sqrt), section B.1. */
  baseLearningRate: number | null;
  /** Section B.1: linear 0.3 x B/256 or square-root 0.075 x sqrt(B). */
  lrScaling: LrScaling;
  /** Linear warm-up length in epochs (10 of 100 in section 2.2); fractions allowed. */
  warmupEpochs: number;
}

/** The two augmented views (SimCLR section 3, appendix A; B.9 for CIFAR-10). */
export interface AugmentConfig {
  /**
   * Ordered operations of each view (names of src/augment/compose.ts); appendix A: crop (+flip),
   * color distortion (jitter p = 0.8, then grayscale p = 0.2), blur on ImageNet only.
   */
  ops: string[];
  /** Color distortion strength s; appendix B.9 uses 0.5 on CIFAR-10. */
  colorStrength: number;
  /** Gaussian blur; appendix B.9: not used on CIFAR-10. */
  blur: boolean;
  /** Smallest crop area fraction; appendix A: 0.08. */
  cropMinArea: number;
  /**
   * Figure 5: both views get crop (+resize), only view 2 gets the studied `ops` in order. False:
   * both views get `ops` (the default symmetric pipeline).
   */
  asymmetric: boolean;
  /**
   * Options of plugin augmentations by name (`{ solarize: { threshold: 0.5 } }`) over their
   * defaults. Absent unless set, so configs without plugins keep their hash.
   */
  options?: Record<string, PluginOptions>;
}

/** Training data (appendix B.9: CIFAR-10 at 32 x 32). */
export interface DataConfig {
  /** Data-set name or folder: "cifar10", "stl10" or a path. */
  dataset: string;
  /** Root folder to search for the data set; null uses SIMCLR_CIFAR10_DIR / SIMCLR_DATA. */
  dataDir: string | null;
  /** Training images used for pre-training (stratified subset); 0 = all. */
  trainLimit: number;
  /** Held-out test images for evaluation (stratified subset); 0 = all. */
  testLimit: number;
  /** Side the images are resized to before augmentation (32 = CIFAR native). */
  resolution: number;
  /** 1: the next two-view batch is prepared on a worker thread while a step runs; 0: on this thread. */
  prefetch: number;
}

/** Training schedule, checkpoints and monitoring. */
export interface TrainConfig {
  /** Batch size N (2N views per step); appendix B.9 searches 256..4096. */
  batchSize: number;
  /** Passes over the training images. */
  epochs: number;
  /** When > 0, stop after this many steps instead of `epochs` (tests, smoke runs). */
  maxSteps: number;
  /** Folder for checkpoints; null = none. */
  checkpointDir: string | null;
  /** Save a checkpoint every this many steps (0 = only at the end when checkpointDir is set). */
  checkpointEverySteps: number;
  /** kNN monitor every this many epochs (0 = never during training). */
  knnEveryEpochs: number;
  /** Training images used by the kNN monitor as the memory bank (0 = all of trainLimit). */
  knnMonitorTrain: number;
  /** Held-out images used by the kNN monitor (0 = all of testLimit). */
  knnMonitorTest: number;
  /**
   * Arithmetic of the encoder's convolutions: "fp32", or "bf16" (bfloat16 products, float32
   * accumulation, weights and everything else float32; src/backend/bf16.ts) on CPUs with
   * AVX512-BF16 or AMX. Refused elsewhere, never emulated.
   */
  precision: Precision;
}

/** Evaluation protocol (SimCLR section 2.3, appendix B.5). */
export interface EvalConfig {
  /** Representation evaluated: h (before the head, the default) or z = g(h) (Figure 8, Table 3). */
  representation: (typeof REPRESENTATIONS)[number];
  /** Run linear evaluation at the end. */
  linear: boolean;
  /**
   * Training images of the linear probe and of the kNN memory bank (both use the same set):
   * "pretrain-subset" (the data.trainLimit images pre-training used) or "full-train" (the whole
   * training split). The scored images are data.testLimit's (0: the whole test split).
   */
  probeData: ProbeData;
  /** Epochs of the logistic regression on cached features. */
  linearEpochs: number;
  /** Mini-batch of the logistic regression. */
  linearBatchSize: number;
  /** Adam learning rate of the logistic regression on standardised features. */
  linearLearningRate: number;
  /** L2 penalty of the logistic regression (the paper uses none; a little helps small runs). */
  linearWeightDecay: number;
  /** kNN monitor: neighbours (k = 200 as in InstDisc / lightly benchmarks). */
  knnK: number;
  /** kNN vote temperature (0.1 as in InstDisc). */
  knnTemperature: number;
  /** Also evaluate the same encoder with random weights through the same protocol. */
  randomInit: boolean;
  /**
   * Table 3: predict the transformation applied from h and from g(h) with an MLP ("mlp", as the
   * paper) or a linear classifier ("linear"); false skips the probe.
   */
  transformProbe: false | "linear" | "mlp";
}

/**
 * A section that names a model part (encoder.arch, head.kind, loss.kind): the built-in fields and,
 * when the part is a plugin's, its own options (`loss.beta`), filled from its defaults.
 */
export type PartSection<T> = T & PluginOptions;

/** One run's complete configuration. */
export interface PretrainConfig {
  /** "simclr" pre-training, or "supervised": the same encoder and augmentations trained with labels (Table 1). */
  mode: (typeof MODES)[number];
  /** Seed of every random source in the run (init, shuffles, augmentations). */
  seed: number;
  /** Preset it was resolved from, for the record. */
  preset: string;
  /**
   * Plugin files (src/plugins) whose augmentations, losses, heads or encoders the config names:
   * paths relative to the project root, or absolute; resolved to {path, sha256}, so the config
   * hash changes when a plugin's code does. Absent (not []) without plugins: built-in configs keep
   * their hash.
   */
  plugins?: PluginRef[];
  data: DataConfig;
  encoder: PartSection<EncoderOptions>;
  head: PartSection<HeadOptions>;
  loss: PartSection<ContrastiveLossOptions>;
  optimizer: OptimizerConfig;
  augment: AugmentConfig;
  train: TrainConfig;
  eval: EvalConfig;
}

/** A part's name (encoder.arch, head.kind, loss.kind): a built-in's, or a plugin part's. */
type Named<T, K extends keyof T> = Omit<T, K> & {
  [P in K]: T[P] | (string & Record<never, never>);
};

/** A plugin part's own options by section, e.g. `{ loss: { beta: number } }`. */
export interface PartExtras {
  encoder?: PluginOptions;
  head?: PluginOptions;
  loss?: PluginOptions;
}

/**
 * A typed layer of config overrides, nested like the config (`{ loss: { temperature: 0.1 } }`):
 * what a study's cells, base and presets set. A misspelt field or a wrong type is a compile
 * error; a plugin part's own options are typed by `X` (`CellOverrides<{ loss: { beta: number } }>`).
 */
export type CellOverrides<out X extends PartExtras = Record<never, never>> = {
  mode?: PretrainConfig["mode"];
  seed?: number;
  data?: Partial<DataConfig>;
  encoder?: Partial<Named<EncoderOptions, "arch">> & X["encoder"];
  head?: Partial<Named<HeadOptions, "kind">> & X["head"];
  loss?: Partial<Named<ContrastiveLossOptions, "kind">> & X["loss"];
  optimizer?: Partial<OptimizerConfig>;
  augment?: Partial<AugmentConfig>;
  train?: Partial<TrainConfig>;
  eval?: Partial<EvalConfig>;
  /** Plugin files: paths (relative to the project root, or absolute) or resolved refs. */
  plugins?: (string | PluginRef)[];
};

/** What a dotted config field holds at its end: a value, or an array of values. */
type FieldLeaf = string | number | boolean | null | readonly unknown[];

/** The dotted paths of the leaves of `T` ("loss.temperature", "augment.ops"), 3 levels deep. */
type Paths<T, Depth extends unknown[] = []> = Depth["length"] extends 3
  ? never
  : {
      [K in keyof T & string]-?: NonNullable<T[K]> extends FieldLeaf
        ? K
        : `${K}.${Paths<NonNullable<T[K]>, [...Depth, unknown]>}`;
    }[keyof T & string];

/** The type at dotted path `P` of `T`. */
type At<T, P extends string> = P extends `${infer K}.${infer R}`
  ? K extends keyof T
    ? At<NonNullable<T[K]>, R>
    : never
  : P extends keyof T
    ? NonNullable<T[P]>
    : never;

/** A config field by its dotted path, as CLI flags, MLflow params and study selectors name it. */
export type ConfigField = Paths<CellOverrides>;

/** Values of config fields by dotted path (`{ "head.kind": "linear" }`): a study's cell selector. */
export type ConfigFieldValues = { [P in ConfigField]?: At<CellOverrides, P> };

/** Values to try per config field by dotted path: a study's grid (the product of its axes). */
export type ConfigGrid = { [P in ConfigField]?: readonly At<CellOverrides, P>[] };

/**
 * A recursive partial of the config, what presets, files and flags provide: any plugin options
 * (validated at run time against the plugins' declared defaults), and the preset's name.
 */
export type PretrainConfigOverrides = CellOverrides<Required<PartExtras>> & { preset?: string };

/** The paper's CIFAR-10 defaults (appendix B.9) for every field. */
export const DEFAULT_CONFIG: Readonly<PretrainConfig> = Object.freeze({
  mode: "simclr",
  seed: 0,
  preset: "default",
  data: Object.freeze({
    dataset: "cifar10",
    dataDir: null,
    trainLimit: 0,
    testLimit: 0,
    resolution: 32,
    prefetch: 1,
  }),
  encoder: Object.freeze({ ...ENCODER_DEFAULTS }),
  head: Object.freeze({ ...HEAD_DEFAULTS }),
  loss: Object.freeze({ ...LOSS_DEFAULTS }),
  optimizer: Object.freeze({
    ...OPTIMIZER_DEFAULTS,
    learningRate: null,
    baseLearningRate: null,
    lrScaling: "linear",
    warmupEpochs: 10,
  }),
  augment: Object.freeze({
    ops: Object.freeze(["crop", "flip", "color"]) as unknown as string[],
    colorStrength: 0.5,
    blur: false,
    cropMinArea: 0.08,
    asymmetric: false,
  }),
  train: Object.freeze({
    batchSize: 512,
    epochs: 1000,
    maxSteps: 0,
    checkpointDir: null,
    checkpointEverySteps: 0,
    knnEveryEpochs: 0,
    knnMonitorTrain: 0,
    knnMonitorTest: 0,
    precision: "fp32",
  }),
  eval: Object.freeze({
    representation: "h",
    linear: true,
    probeData: "pretrain-subset",
    linearEpochs: 100,
    linearBatchSize: 1024,
    linearLearningRate: 1e-3,
    linearWeightDecay: 1e-4,
    knnK: 200,
    knnTemperature: 0.1,
    randomInit: true,
    transformProbe: false,
  }),
}) as Readonly<PretrainConfig>;
