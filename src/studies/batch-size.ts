/**
 * The batch-size and training-length study of SimCLR section 5.2: Figure 9 and appendix B.1
 * (batch size by epochs, learning rate scaled linearly (0.3 x B/256) or with the square root
 * (0.075 x sqrt(B))), at CIFAR-10 scale as in appendix B.9.
 */
import { TABLEB1_BATCH_EPOCHS } from "../paper/reference";
import type { Study } from "../sweep/study";
import { studyBudgets } from "./budget";

/** Figure 9 / Table B.1: batch size x epochs x learning-rate scaling. */
export const batchSizeStudy: Study = {
  name: "batch-size",
  description:
    "Figure 9 and Table B.1: linear evaluation after pre-training with different batch sizes for different numbers of epochs, with linear and square-root learning-rate scaling.",
  base: {
    "optimizer.kind": "lars",
    "optimizer.learningRate": null,
    "optimizer.baseLearningRate": null,
  },
  presetOverrides: studyBudgets({ "data.trainLimit": 8000 }),
  grid: {
    "train.batchSize": [128, 512],
    "train.epochs": [2, 6],
    "optimizer.lrScaling": ["linear", "sqrt"],
  },
  presetGrid: {
    tiny: { "train.batchSize": [128, 512], "train.epochs": [2], "optimizer.lrScaling": ["linear"] },
  },
  seeds: 3,
  presetSeeds: { tiny: 1 },
  metrics: ["linear_acc", "knn_acc"],
  claims: [
    {
      claim: "with short training, a larger batch beats a smaller one (Figure 9)",
      metric: "linear_acc",
      better: { "train.batchSize": 512, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      worse: { "train.batchSize": 128, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      source: "Figure 9",
    },
    {
      claim: "longer training helps (Figure 9)",
      metric: "linear_acc",
      better: { "train.batchSize": 512, "train.epochs": 6, "optimizer.lrScaling": "linear" },
      worse: { "train.batchSize": 512, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      source: "Figure 9",
    },
    {
      claim:
        "square-root learning-rate scaling beats linear scaling at a small batch and short training (Appendix B.1)",
      metric: "linear_acc",
      better: { "train.batchSize": 128, "train.epochs": 2, "optimizer.lrScaling": "sqrt" },
      worse: { "train.batchSize": 128, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      source: "Appendix B.1",
    },
  ],
  plot: {
    kind: "bars",
    metric: "linear_acc",
    x: "train.batchSize",
    group: "train.epochs",
    title: "linear eval top-1",
  },
};

/** The paper's Table B.1, for overlays (ImageNet, ResNet-50). */
export const PAPER_BATCH_EPOCHS = TABLEB1_BATCH_EPOCHS;
