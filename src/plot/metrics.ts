/**
 * The evaluation metrics as figures and evidence read them: which metrics evaluate h (and so
 * compare with the random-init encoder's), the random-init metric that matches a metric, a
 * metric's range, and the words a figure names metrics and config keys with. One home: the
 * evidence (src/evidence/baseline.ts), the report and the figures all read these.
 */

/** The random-init encoder's linear-evaluation accuracy, as evaluation logs it. */
export const RANDOM_INIT_METRIC = "random_init_linear_acc";

/** The random-init encoder's kNN accuracy, as evaluation logs it. */
export const RANDOM_INIT_KNN_METRIC = "random_init_knn_acc";

/** Metrics that are linear evaluations of h, comparable with the random-init encoder's. */
export const LINEAR_ON_H: readonly string[] = ["linear_acc", "linear_acc_h"];

/** Linear evaluation of z = g(h), logged where runs evaluate both h and g(h) (Figure 8). */
export const LINEAR_ON_GH = "linear_acc_gh";

/** What these functions read of a run: its final metrics. */
export interface MetricsOf {
  metrics: Record<string, number>;
}

/**
 * The metric that evaluates h in these runs. Where runs evaluate g(h) too, `linear_acc` is the
 * configured representation g(h)'s and h's is `linear_acc_h`. Evaluation measures the random-init
 * encoder on h only (src/eval/evaluate.ts): a random-init g(h) is not measured, so g(h) is never
 * compared with a random-init baseline.
 */
export function hMetric(runs: readonly MetricsOf[]): string {
  return runs.some(
    (r) => Number.isFinite(r.metrics[LINEAR_ON_GH]) || Number.isFinite(r.metrics.linear_acc_h),
  )
    ? "linear_acc_h"
    : "linear_acc";
}

/** Whether `metric` is a linear evaluation of h in these runs (so the random-init encoder's compares). */
export function evaluatesH(runs: readonly MetricsOf[], metric: string): boolean {
  return (
    LINEAR_ON_H.includes(metric) && metric === (metric === "linear_acc" ? hMetric(runs) : metric)
  );
}

/**
 * The random-init metric that measures what `metric` measures on these runs: the random-init
 * encoder's linear accuracy for a linear evaluation of h, its kNN accuracy for kNN where the runs
 * evaluate h only; undefined otherwise (g(h), supervised accuracy, losses: no matching baseline).
 */
export function randomInitMetricOf(runs: readonly MetricsOf[], metric: string): string | undefined {
  if (evaluatesH(runs, metric)) return RANDOM_INIT_METRIC;
  if (metric === "knn_acc" && hMetric(runs) === "linear_acc") return RANDOM_INIT_KNN_METRIC;
  return undefined;
}

/** The range a metric's values can take: [0, 1] for accuracies (fractions), none otherwise. */
export function metricRange(metric: string): [number, number] | undefined {
  return /(^|_)acc(_|$)/.test(metric) || /^probe_/.test(metric) ? [0, 1] : undefined;
}

/** Metrics in words (a figure's axis and legend); others are shown with '_' as spaces. */
const METRIC_WORDS: Readonly<Record<string, string>> = Object.freeze({
  linear_acc: "linear-evaluation accuracy",
  linear_acc_h: "linear-evaluation accuracy on h",
  linear_acc_gh: "linear-evaluation accuracy on g(h)",
  knn_acc: "kNN accuracy",
  supervised_acc: "supervised classifier's accuracy",
  [RANDOM_INIT_METRIC]: "random-init encoder's linear-evaluation accuracy",
  [RANDOM_INIT_KNN_METRIC]: "random-init encoder's kNN accuracy",
  probe_h: "Table 3 probes' mean accuracy on h",
  probe_gh: "Table 3 probes' mean accuracy on g(h)",
  contrastive_acc: "contrastive accuracy",
  final_loss: "final training loss",
  loss: "training loss",
  epoch_loss: "training loss per epoch",
  entropy: "entropy of the contrastive prediction",
  train_s: "training time (s)",
  views_per_s: "views per second",
});

/** Config keys in words (axis titles, legend titles); "key[i]" picks an element of an array. */
const KEY_WORDS: Readonly<Record<string, string>> = Object.freeze({
  "augment.ops[0]": "first transformation",
  "augment.ops[-1]": "second transformation",
  "augment.ops": "transformations",
  "augment.colorStrength": "colour distortion strength",
  "augment.blur": "blur",
  mode: "training",
  "train.batchSize": "batch size",
  "train.epochs": "epochs",
  "optimizer.lrScaling": "learning-rate scaling",
  "head.kind": "projection head",
  "head.outDim": "output dimension of the head",
  "loss.kind": "loss",
  "loss.temperature": "temperature τ",
  "loss.l2Normalize": "ℓ2 normalisation",
  "loss.margin": "margin",
});

/** A metric in words, e.g. "linear-evaluation accuracy" for `linear_acc`. */
export function metricWords(metric: string): string {
  return METRIC_WORDS[metric] ?? metric.replace(/_/g, " ");
}

/** What a random-init metric evaluates, in words (a baseline's legend). */
export function baselineWords(randomInitMetric: string): string {
  return randomInitMetric === RANDOM_INIT_KNN_METRIC ? "kNN" : "linear evaluation";
}

/** A config key in words, e.g. "batch size" for `train.batchSize`. */
export function keyWords(key: string): string {
  if (KEY_WORDS[key]) return KEY_WORDS[key];
  const last =
    key
      .replace(/\[-?\d+\]$/, "")
      .split(".")
      .pop() ?? key;
  return last.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The random-init baseline one figure draws, and what it is the mean of. */
export interface FigureBaseline {
  /** The random-init metric averaged. */
  metric: string;
  /** Its mean over the runs the figure shows that measured it. */
  value: number;
  /** How many runs measured it. */
  n: number;
}

/**
 * The one random-init baseline of a figure: the mean, over the runs the figure shows, of the
 * random-init metric that matches the metric each run is plotted by ({@link randomInitMetricOf});
 * undefined when no shown run has a matching baseline. Every figure of a study draws this value,
 * in its legend (bars) or at the centre of its colour scale (heatmap), and says what it is.
 */
export function figureBaseline(
  shown: readonly { run: MetricsOf; metric: string }[],
  all: readonly MetricsOf[] = shown.map((s) => s.run),
): FigureBaseline | undefined {
  const values: number[] = [];
  let metric: string | undefined;
  for (const s of shown) {
    const m = randomInitMetricOf(all, s.metric);
    if (m === undefined || (metric !== undefined && m !== metric)) continue;
    const v = s.run.metrics[m];
    if (v === undefined || !Number.isFinite(v)) continue;
    metric = m;
    values.push(v);
  }
  if (metric === undefined || values.length === 0) return undefined;
  return { metric, value: values.reduce((a, b) => a + b, 0) / values.length, n: values.length };
}
