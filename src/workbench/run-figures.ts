/**
 * Figures and a computed conclusion for one pre-training run (the quickstart notebook): the
 * training curve (loss, contrastive accuracy and the kNN monitor per epoch) and linear / kNN
 * accuracy of the pre-trained encoder beside the same encoder with random weights (section 2.3's
 * protocol applied to both).
 */
import { groupedBars, lineChart, type Figure } from "../plot/figures";
import type { PretrainResult } from "../train/pretrain";

/** The training curve of a run: loss and contrastive accuracy per epoch, kNN accuracy when monitored. */
export function trainingCurveFigure(result: Pick<PretrainResult, "history">): Figure {
  const h = result.history;
  const epochs = h.map((e) => e.epoch);
  const series: { name: string; x: number[]; y: number[]; dash?: "solid" | "dash" | "dot" }[] = [
    { name: "loss", x: epochs, y: h.map((e) => e.loss) },
    { name: "contrastive accuracy", x: epochs, y: h.map((e) => e.contrastive_acc), dash: "dash" },
  ];
  const knn = h.filter((e) => typeof e.knn_acc === "number" && Number.isFinite(e.knn_acc));
  if (knn.length)
    series.push({
      name: "kNN accuracy",
      x: knn.map((e) => e.epoch),
      y: knn.map((e) => e.knn_acc as number),
      dash: "dot",
    });
  // Loss on the left axis, the accuracies (0..1) on their own right axis.
  const fig = lineChart({
    title: "training curve",
    series,
    xTitle: "epoch",
    yTitle: "NT-Xent loss",
  });
  fig.data.forEach((trace, i) => {
    if (i > 0) trace.yaxis = "y2";
  });
  fig.layout.yaxis2 = {
    title: { text: "accuracy" },
    overlaying: "y",
    side: "right",
    range: [0, 1],
  };
  return fig;
}

/** Linear and kNN top-1 of the pre-trained encoder against the random-init baseline, in percent. */
export function accuracyFigure(
  result: Pick<
    PretrainResult,
    "linear_acc" | "knn_acc" | "random_init_linear_acc" | "random_init_knn_acc"
  >,
): Figure {
  const pct = (x: number): number | null => (Number.isFinite(x) ? 100 * x : null);
  return groupedBars({
    title: "held-out top-1: SimCLR pre-training vs random init",
    categories: ["linear evaluation", "kNN (k=200)"],
    series: [
      { name: "SimCLR", means: [pct(result.linear_acc), pct(result.knn_acc)] },
      {
        name: "random init",
        means: [pct(result.random_init_linear_acc), pct(result.random_init_knn_acc)],
      },
    ],
    yTitle: "top-1 (%)",
  });
}

/** One paragraph, computed from the run: what pre-training gained over random weights. */
export function runConclusion(
  result: Pick<
    PretrainResult,
    | "linear_acc"
    | "knn_acc"
    | "random_init_linear_acc"
    | "random_init_knn_acc"
    | "train_s"
    | "views_per_s"
    | "steps"
  >,
): string {
  const f = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
  const gain = 100 * (result.linear_acc - result.random_init_linear_acc);
  const verdict = !Number.isFinite(gain)
    ? "Linear evaluation did not run, so the gain over random weights is unknown."
    : gain > 0
      ? `Pre-training beat the random-init encoder by ${gain.toFixed(1)} points of linear-evaluation accuracy (${f(result.linear_acc)} vs ${f(result.random_init_linear_acc)}).`
      : `Pre-training did NOT beat the random-init encoder (${f(result.linear_acc)} vs ${f(result.random_init_linear_acc)}): too few steps, or a learning rate or temperature that does not suit this scale.`;
  return (
    `${verdict} kNN accuracy: ${f(result.knn_acc)} vs ${f(result.random_init_knn_acc)}. ` +
    `Training took ${result.train_s.toFixed(0)} s for ${result.steps} steps (${result.views_per_s.toFixed(0)} views/s).`
  );
}
