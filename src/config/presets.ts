/**
 * Named presets: `tiny` (seconds, tests and CI notebooks), `small` (the CPU reproduction on a
 * 2-core machine, chosen by measurement; see results/small/pretrain.md) and `paper` (SimCLR
 * appendix B.9, CIFAR-10 with ResNet-50, for a GPU).
 */
import type { PretrainConfigOverrides } from "./pretrain-config";

/** Preset names. */
export type PresetName = "tiny" | "small" | "paper";

/** The presets, as overrides of DEFAULT_CONFIG (the paper's CIFAR-10 defaults). */
export const PRESETS: Readonly<Record<PresetName, PretrainConfigOverrides>> = Object.freeze({
  tiny: {
    // Measured (results/tiny.md): tau 0.2 and crops of >= 25% area learn a usable signal in
    // 80 steps on 16x16 images, where the paper's 0.5 / 8% barely leave the random-init level.
    data: { trainLimit: 1024, testLimit: 1000, resolution: 16 },
    encoder: { arch: "convnet", stem: "cifar", widthMultiplier: 0.5 },
    head: { kind: "nonlinear", layers: 2, hiddenDim: 0, outDim: 64 },
    loss: { temperature: 0.2 },
    augment: { cropMinArea: 0.25 },
    optimizer: { kind: "adam", learningRate: 3e-3, weightDecay: 1e-6, warmupEpochs: 0.5 },
    train: { batchSize: 128, epochs: 10 },
    eval: { linearEpochs: 50, linearBatchSize: 256, knnK: 50, randomInit: true },
  },
  small: {
    // CPU reproduction on 2 cores (results/small/pretrain.md): the small ConvNet at the native
    // 32x32 (68 MFLOP/image; ResNet-18 is 16x the FLOPs and ran ~30x slower), batch 256 with LARS
    // and the square-root rule (appendix B.1 recommends it for small batches and short training),
    // tau 0.2 (learns faster than 0.5 in short runs), 7 epochs = 1365 steps: measured 60.5% linear
    // evaluation, 20 min of training with other jobs on the machine, ~13 min at the ~880 views/s of
    // an idle 2-core machine.
    data: { trainLimit: 0, testLimit: 0, resolution: 32 },
    encoder: { arch: "convnet", stem: "cifar", widthMultiplier: 1 },
    head: { kind: "nonlinear", layers: 2, hiddenDim: 0, outDim: 128 },
    loss: { temperature: 0.2 },
    optimizer: { kind: "lars", lrScaling: "sqrt", warmupEpochs: 0.5 },
    train: {
      batchSize: 256,
      epochs: 7,
      knnEveryEpochs: 1,
      knnMonitorTrain: 10000,
      knnMonitorTest: 2000,
    },
    eval: { linearEpochs: 100 },
  },
  paper: {
    // Appendix B.9: ResNet-50 with CIFAR stem, crop+flip to 32x32, color strength 0.5, no blur,
    // tau 0.5, LARS with lr in {0.5, 1.0, 1.5} x B/256; batch 1024, 1000 epochs (Figure B.7).
    data: { trainLimit: 0, testLimit: 0, resolution: 32 },
    encoder: { arch: "resnet50", stem: "cifar", widthMultiplier: 1 },
    head: { kind: "nonlinear", layers: 2, hiddenDim: 0, outDim: 128 },
    loss: { kind: "ntxent", temperature: 0.5 },
    optimizer: { kind: "lars", lrScaling: "linear", baseLearningRate: 1.0, warmupEpochs: 10 },
    augment: { colorStrength: 0.5, blur: false },
    train: { batchSize: 1024, epochs: 1000, knnEveryEpochs: 10 },
    eval: { linearEpochs: 100 },
  },
});
