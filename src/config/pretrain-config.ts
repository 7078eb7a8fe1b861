/**
 * The run configuration of one SimCLR pre-training run: every choice the paper studies, as a plain
 * serialisable object (what MLflow logs as params and what a sweep varies). Defaults follow the
 * paper's CIFAR-10 setting (SimCLR section 3 and appendix B.9) except where a field says otherwise.
 */

/** Encoder choice (SimCLR section 2.1, appendix B.9). */
export interface EncoderConfig {
  /** Backbone; the paper uses ResNet-50, "convnet" is a small fast network for CPU studies. */
  arch: "convnet" | "resnet18" | "resnet34" | "resnet50";
  /** First layers; appendix B.9: CIFAR stem = 3x3 stride-1 conv, no max-pool. */
  stem: "cifar" | "imagenet";
  /** Width multiplier (Figure 7). */
  widthMultiplier: number;
}

/** Projection head g (SimCLR section 4.2, Figure 8). */
export interface HeadConfig {
  /** none = identity, linear, or nonlinear MLP (the default, section 2.1). */
  kind: "none" | "linear" | "nonlinear";
  /** Number of linear layers of the MLP; 2 in the paper. */
  layers: number;
  /** Hidden width; 0 means the encoder's feature width (section 2.1). */
  hiddenDim: number;
  /** Output width of z; 128 in section 2.1. */
  outDim: number;
  /** BN after each linear layer, as in the official code. */
  batchNorm: boolean;
}

/** Contrastive loss (SimCLR Table 2 and Table 4). */
export interface LossConfig {
  /** NT-Xent (default), NT-Logistic or margin triplet. */
  kind: "ntxent" | "ntlogistic" | "margin";
  /** Temperature tau; appendix B.9 uses 0.5 on CIFAR-10. */
  temperature: number;
  /** Cosine similarity (l2-normalised z), Table 5. */
  l2Normalize: boolean;
  /** Semi-hard negative mining for NT-Logistic and margin (Table 4). */
  semiHard: boolean;
  /** Margin of the triplet loss. */
  margin: number;
}

/** Optimiser and learning-rate schedule (SimCLR section 2.2, appendix B.9). */
export interface OptimizerConfig {
  /** LARS in the paper; sgd, nesterov and adam for comparison. */
  kind: "lars" | "sgd" | "nesterov" | "adam";
  /** Peak learning rate; null derives it from the batch size: base x B/256 or base x sqrt(B). */
  learningRate: number | null;
  /** Base of the scaling rule; null = the paper's 0.3 (linear) or 0.075 (sqrt), section B.1. */
  baseLearningRate: number | null;
  /** Section B.1: linear 0.3 x B/256 or square-root 0.075 x sqrt(B). */
  lrScaling: "linear" | "sqrt";
  /** Weight decay 1e-6 (section 2.2). */
  weightDecay: number;
  /** Momentum 0.9. */
  momentum: number;
  /** LARS trust coefficient eta = 0.001. */
  trustCoefficient: number;
  /** Linear warm-up length in epochs (10 of 100 in section 2.2); fraction of an epoch allowed. */
  warmupEpochs: number;
}

/** The two augmented views (SimCLR section 3, appendix A; B.9 for CIFAR-10). */
export interface AugmentConfig {
  /** Ordered operations of each view; the paper's default is crop+flip, color, (blur). */
  ops: string[];
  /** Color distortion strength s; appendix B.9 uses 0.5 on CIFAR-10. */
  colorStrength: number;
  /** Gaussian blur; appendix B.9: not used on CIFAR-10. */
  blur: boolean;
  /** Smallest crop area fraction; appendix A: 0.08. */
  cropMinArea: number;
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
  /** Background workers that prepare the next two-view batch while a step runs. */
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
}

/** Evaluation protocol (SimCLR section 2.3, appendix B.5). */
export interface EvalConfig {
  /** Representation evaluated: h (before the head, the default) or z = g(h) (Figure 8, Table 3). */
  representation: "h" | "gh";
  /** Run linear evaluation at the end. */
  linear: boolean;
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
}

/** One run's complete configuration. */
export interface PretrainConfig {
  /** Seed of every random source in the run (init, shuffles, augmentations). */
  seed: number;
  /** Preset it was resolved from, for the record. */
  preset: string;
  data: DataConfig;
  encoder: EncoderConfig;
  head: HeadConfig;
  loss: LossConfig;
  optimizer: OptimizerConfig;
  augment: AugmentConfig;
  train: TrainConfig;
  eval: EvalConfig;
}

/** A recursive partial of the config, what presets, files and flags provide. */
export type PretrainConfigOverrides = {
  [K in keyof PretrainConfig]?: PretrainConfig[K] extends object
    ? Partial<PretrainConfig[K]>
    : PretrainConfig[K];
};

/** The paper's CIFAR-10 defaults (appendix B.9) for every field. */
export const DEFAULT_CONFIG: Readonly<PretrainConfig> = Object.freeze({
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
  encoder: Object.freeze({ arch: "resnet50", stem: "cifar", widthMultiplier: 1 }),
  head: Object.freeze({ kind: "nonlinear", layers: 2, hiddenDim: 0, outDim: 128, batchNorm: true }),
  loss: Object.freeze({
    kind: "ntxent",
    temperature: 0.5,
    l2Normalize: true,
    semiHard: false,
    margin: 1,
  }),
  optimizer: Object.freeze({
    kind: "lars",
    learningRate: null,
    baseLearningRate: null,
    lrScaling: "linear",
    weightDecay: 1e-6,
    momentum: 0.9,
    trustCoefficient: 0.001,
    warmupEpochs: 10,
  }),
  augment: Object.freeze({
    ops: Object.freeze(["crop", "flip", "color", "grayscale"]) as unknown as string[],
    colorStrength: 0.5,
    blur: false,
    cropMinArea: 0.08,
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
  }),
  eval: Object.freeze({
    representation: "h",
    linear: true,
    linearEpochs: 100,
    linearBatchSize: 1024,
    linearLearningRate: 1e-3,
    linearWeightDecay: 1e-4,
    knnK: 200,
    knnTemperature: 0.1,
    randomInit: true,
  }),
}) as Readonly<PretrainConfig>;
