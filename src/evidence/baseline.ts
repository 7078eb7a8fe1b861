/**
 * Each cell against the random-init encoder of its own budget and seed: the same encoder with its
 * initial weights, evaluated on the same subsets with the same probe (eval.randomInit, logged as
 * random_init_linear_acc). A cell below it has trained too briefly to show the paper's effect
 * (issue 12), so tables show each cell's gain over it, seed by seed with a 95% CI, and each study's
 * conclusion says which cells fall below it.
 */
import { meanInterval, summarize } from "../plot/figures";
import type { SeedResult } from "./claims";

/** The random-init encoder's linear-evaluation accuracy, as evaluation logs it. */
export const RANDOM_INIT_METRIC = "random_init_linear_acc";

/** Metrics that are linear evaluations of h, comparable with the random-init encoder's. */
export const LINEAR_ON_H: readonly string[] = ["linear_acc", "linear_acc_h"];

/** Linear evaluation of z = g(h), logged where runs evaluate both h and g(h) (Figure 8). */
export const LINEAR_ON_GH = "linear_acc_gh";

/**
 * The metric that evaluates h in these runs. Where runs evaluate g(h) too, `linear_acc` is the
 * configured representation g(h)'s and h's is `linear_acc_h`. Evaluation measures the random-init
 * encoder on h only (src/eval/evaluate.ts): a random-init g(h) is not measured, so g(h) is never
 * compared with a random-init baseline.
 */
export function hMetric(runs: readonly SeedResult[]): string {
  return runs.some(
    (r) => Number.isFinite(r.metrics[LINEAR_ON_GH]) || Number.isFinite(r.metrics.linear_acc_h),
  )
    ? "linear_acc_h"
    : "linear_acc";
}

/** Whether `metric` is a linear evaluation of h in these runs (so the random-init encoder's compares). */
export function evaluatesH(runs: readonly SeedResult[], metric: string): boolean {
  return (
    LINEAR_ON_H.includes(metric) && metric === (metric === "linear_acc" ? hMetric(runs) : metric)
  );
}

/** A cell's gain over its random-init encoder: per run, then mean, n and 95% CI of the mean. */
export interface CellGain {
  /** The random-init encoder's mean over the same runs (NaN when none measured it). */
  baseline: number;
  gains: number[];
  mean: number;
  n: number;
  /** Undefined with fewer than 2 runs. */
  ci?: [number, number];
}

/** The gain of `metric` over the random-init encoder, over the runs that measured both. */
export function cellGain(runs: readonly SeedResult[], metric: string): CellGain {
  const both = runs.filter(
    (r) => Number.isFinite(r.metrics[metric]) && Number.isFinite(r.metrics[RANDOM_INIT_METRIC]),
  );
  const random = both.map((r) => r.metrics[RANDOM_INIT_METRIC] as number);
  const gains = both.map((r, i) => (r.metrics[metric] as number) - (random[i] as number));
  const s = summarize(gains);
  const ci = meanInterval(gains);
  return { baseline: summarize(random).mean, gains, mean: s.mean, n: s.n, ...(ci ? { ci } : {}) };
}

/** Each cell's gain (in `labels` order), leaving out the cells with no run that measured it. */
export function cellGains(
  results: readonly SeedResult[],
  labels: readonly string[],
  metric: string,
): { label: string; g: CellGain }[] {
  return labels
    .map((label) => ({
      label,
      g: cellGain(
        results.filter((r) => r.label === label),
        metric,
      ),
    }))
    .filter((x) => x.g.n > 0);
}

/** A gain (a fraction) in signed points, e.g. "+6.2" or "-0.4". */
export const gainPoints = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`;

/**
 * One sentence on the cells (in `labels` order) against their random-init encoder: how many score
 * above and below it on average over their seeds, the range of the gains, and the cells below by
 * name when there are at most eight; undefined when no run measured the baseline.
 */
export function baselineSentence(
  results: readonly SeedResult[],
  labels: readonly string[],
): string | undefined {
  const metric = hMetric(results);
  if (
    !results.some(
      (r) => Number.isFinite(r.metrics[metric]) && Number.isFinite(r.metrics[RANDOM_INIT_METRIC]),
    )
  )
    return undefined;
  const gains = cellGains(results, labels, metric);
  if (gains.length === 0) return undefined;
  const below = gains.filter((x) => x.g.mean < 0);
  const means = gains.map((x) => x.g.mean);
  const lo = gainPoints(Math.min(...means));
  const hi = gainPoints(Math.max(...means));
  const range = lo === hi ? `mean gain ${lo} points` : `mean gains ${lo} to ${hi} points`;
  const head = `Against the random-init encoder of the same budget and seed (${metric}):`;
  const gh = results.some((r) => Number.isFinite(r.metrics[LINEAR_ON_GH]))
    ? ` g(h) (${LINEAR_ON_GH}) is not compared with a baseline: its own random-init baseline (a random head on the random encoder) is not measured in these runs.`
    : "";
  if (below.length === 0)
    return gains.length === 1
      ? `${head} the one cell scores above it (${range}).${gh}`
      : `${head} all ${gains.length} cells score above it (${range}).${gh}`;
  const names = below.length <= 8 ? `: ${below.map((x) => x.label).join(", ")}` : "";
  return `${head} ${gains.length - below.length} of ${gains.length} cells score above it and ${below.length} below it${names}; ${range}.${gh}`;
}
