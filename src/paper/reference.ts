/**
 * The SimCLR paper's own numbers, for overlays on plots and for checking conclusions.
 * Source: Chen, Kornblith, Norouzi, Hinton. A Simple Framework for Contrastive Learning of Visual
 * Representations. ICML 2020, arXiv:2002.05709. ImageNet top-1 linear evaluation (%) with
 * ResNet-50 unless noted. Copied here (not read at run time) so the toolkit stands alone.
 */

/** Table 1: linear evaluation (SimCLR) and supervised top-1 under color distortion strength. */
export const TABLE1_COLOR_STRENGTH = Object.freeze({
  columns: ["1/8", "1/4", "1/2", "1", "1 (+Blur)", "AutoAug"] as const,
  /** Strength s of each column (AutoAug has none). */
  strengths: [0.125, 0.25, 0.5, 1, 1, null] as const,
  simclr: [59.6, 61.0, 62.6, 63.2, 64.5, 61.1] as const,
  supervised: [77.0, 76.7, 76.5, 75.7, 75.4, 77.1] as const,
  finding:
    "contrastive learning benefits from stronger color augmentation than supervised learning",
});

/** Figure 8 (values only in the figure image): the finding it supports. */
export const FIGURE8_FINDING =
  "a non-linear projection beats a linear one by about 3% and no projection by more than 10%; output dimension matters little; h beats z = g(h) by more than 10%";

/** Table 3: accuracy (%) of predicting a transformation from h and from g(h). */
export const TABLE3_PREDICT_TRANSFORMATION = Object.freeze({
  color_vs_grayscale: { h: 99.3, gh: 97.4 },
  rotation: { h: 67.6, gh: 25.6 },
  orig_vs_corrupted: { h: 99.5, gh: 59.6 },
  orig_vs_sobel: { h: 96.6, gh: 56.3 },
});

/** Table 4: top-1 of the losses (with the best temperature/margin for each). */
export const TABLE4_LOSSES = Object.freeze({
  margin: 50.9,
  ntlogistic: 51.6,
  "margin (semi-hard)": 57.5,
  "ntlogistic (semi-hard)": 57.9,
  ntxent: 63.9,
});

/** Table 5: NT-Xent with and without l2 normalisation at several temperatures. */
export const TABLE5_TEMPERATURE = Object.freeze([
  { l2Normalize: true, temperature: 0.05, entropy: 1.0, contrastiveAcc: 90.5, top1: 59.7 },
  { l2Normalize: true, temperature: 0.1, entropy: 4.5, contrastiveAcc: 87.8, top1: 64.4 },
  { l2Normalize: true, temperature: 0.5, entropy: 8.2, contrastiveAcc: 68.2, top1: 60.7 },
  { l2Normalize: true, temperature: 1.0, entropy: 8.3, contrastiveAcc: 59.1, top1: 58.0 },
  { l2Normalize: false, temperature: 10, entropy: 0.5, contrastiveAcc: 91.7, top1: 57.2 },
  { l2Normalize: false, temperature: 100, entropy: 0.5, contrastiveAcc: 92.1, top1: 57.0 },
]);

/**
 * Table B.1 (Figure 9 plots the linear column): top-1 by batch size and epochs, as
 * [linear LR scaling, square-root LR scaling].
 */
export const TABLEB1_BATCH_EPOCHS = Object.freeze({
  epochs: [100, 200, 400, 800] as const,
  rows: {
    256: [
      [57.5, 62.8],
      [61.9, 64.3],
      [64.7, 65.7],
      [66.6, 66.5],
    ],
    512: [
      [60.7, 63.8],
      [64.0, 65.6],
      [66.2, 66.7],
      [67.8, 67.4],
    ],
    1024: [
      [62.8, 64.3],
      [65.3, 66.1],
      [67.2, 67.2],
      [68.5, 68.3],
    ],
    2048: [
      [64.0, 64.7],
      [66.1, 66.8],
      [68.1, 67.9],
      [68.9, 68.8],
    ],
    4096: [
      [64.6, 64.5],
      [66.5, 66.8],
      [68.2, 68.0],
      [68.9, 69.1],
    ],
    8192: [
      [64.8, 64.8],
      [66.6, 67.0],
      [67.8, 68.3],
      [69.0, 69.1],
    ],
  } as Readonly<Record<number, readonly (readonly [number, number])[]>>,
});

/** Appendix B.9: CIFAR-10 with ResNet-50 (CIFAR stem). */
export const CIFAR10_B9 = Object.freeze({
  bestLinearEval: 94.0,
  supervisedSameArchitecture: 95.1,
  grid: {
    lr: [0.5, 1.0, 1.5],
    temperature: [0.1, 0.5, 1.0],
    batchSize: [256, 512, 1024, 2048, 4096],
  },
  findings:
    "tau = 0.5 is best at convergence for every batch size; tau = 0.1 improves with batch size; batch 4096 degrades slightly",
});

/** Figure 5 (values only in the figure image): the seven transformations and the finding. */
export const FIGURE5 = Object.freeze({
  transformations: ["crop", "cutout", "color", "sobel", "noise", "blur", "rotate"] as const,
  finding:
    "no single transformation suffices to learn good representations; composing crop and color distortion stands out",
});

/**
 * Public small-scale CIFAR-10 references (backbone, batch, epochs, metric, accuracy %). lightly
 * benchmarks: the CIFAR-10 table of docs.lightly.ai "Benchmarks" (lightly-ai/lightly,
 * docs/source/getting_started/benchmarks.rst): one run per row, the best epoch's kNN accuracy.
 */
export const CIFAR10_SMALL_SCALE = Object.freeze([
  {
    source: "google-research/simclr README",
    backbone: "ResNet-18 CIFAR stem",
    batch: 512,
    epochs: 1000,
    metric: "linear",
    acc: 91,
  },
  {
    source: "solo-learn README",
    backbone: "ResNet-18",
    batch: 256,
    epochs: 1000,
    metric: "linear",
    acc: 90.74,
  },
  {
    source: "lightly benchmarks",
    backbone: "ResNet-18",
    batch: 128,
    epochs: 200,
    metric: "kNN k=200",
    acc: 84.7,
  },
  {
    source: "lightly benchmarks",
    backbone: "ResNet-18",
    batch: 512,
    epochs: 200,
    metric: "kNN k=200",
    acc: 84.8,
  },
  {
    source: "lightly benchmarks",
    backbone: "ResNet-18",
    batch: 512,
    epochs: 800,
    metric: "kNN k=200",
    acc: 87.9,
  },
  {
    source: "sthalles/SimCLR README",
    backbone: "ResNet-18",
    batch: 256,
    epochs: 100,
    metric: "logistic regression",
    acc: 69.82,
  },
]);

/** One row of {@link CIFAR10_SMALL_SCALE}. */
export type SmallScaleResult = (typeof CIFAR10_SMALL_SCALE)[number];

/**
 * A published comparison of two settings at a larger training budget than `small` (issue 24: a
 * budget ladder's trend set beside it): both sides from one source, backbone, epochs and metric.
 */
export interface PublishedComparison {
  /** Where it is published. */
  source: string;
  /** Backbone, training length and metric, in words. */
  setting: string;
  /** What the better side (in the paper's direction) is, e.g. "batch 512". */
  betterName: string;
  worseName: string;
  /** Accuracy (%) of each side. */
  better: number;
  worse: number;
}

/**
 * Where no published small-scale result of a laddered comparison is known: the references
 * searched and why none of them compares the two settings, said beside the trend so a reader
 * knows it was looked for (issue 24 item 3).
 */
export interface NoPublishedComparison {
  /** Why there is none, in words. */
  none: string;
}

/**
 * The note that none of the small-scale references of {@link CIFAR10_SMALL_SCALE} compares
 * `what`, because each reports one setting of it per method.
 * @param what the comparison, e.g. "a non-linear with a linear projection head".
 * @param setting what each reference reports instead, e.g. "one projection head per method".
 */
export function noPublishedComparison(what: string, setting: string): NoPublishedComparison {
  const sources = [...new Set(CIFAR10_SMALL_SCALE.map((r) => r.source))];
  return {
    none: `none of the small-scale CIFAR-10 references tracked here (${sources.join(", ")}) compares ${what}: each reports ${setting} only`,
  };
}

/**
 * The published batch-size comparison of {@link CIFAR10_SMALL_SCALE} at `epochs`: batch `better`
 * against `worse` from one source; throws naming what is missing.
 */
export function publishedBatchComparison(
  source: string,
  epochs: number,
  better: number,
  worse: number,
): PublishedComparison {
  const row = (batch: number): SmallScaleResult => {
    const r = CIFAR10_SMALL_SCALE.find(
      (x) => x.source === source && x.epochs === epochs && x.batch === batch,
    );
    if (!r)
      throw new Error(
        `CIFAR10_SMALL_SCALE has no row of '${source}' at ${epochs} epochs and batch ${batch}`,
      );
    return r;
  };
  const [b, w] = [row(better), row(worse)];
  if (b.backbone !== w.backbone || b.metric !== w.metric)
    throw new Error(
      `'${source}' at ${epochs} epochs: batch ${better} and ${worse} differ in backbone or metric`,
    );
  return {
    source,
    setting: `${b.backbone}, ${epochs} epochs, ${b.metric}, one run per batch size`,
    betterName: `batch ${better}`,
    worseName: `batch ${worse}`,
    better: b.acc,
    worse: w.acc,
  };
}
