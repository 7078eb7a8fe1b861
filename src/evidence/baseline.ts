/**
 * Each cell against the random-init encoder of its own budget and seed: the same encoder with its
 * initial weights, evaluated on the same subsets with the same probe (eval.randomInit, logged as
 * random_init_linear_acc). A cell below it has trained too briefly to show the paper's effect
 * (issue 12), so tables show each cell's gain over it, seed by seed with a 95% CI, and each study's
 * conclusion says which cells fall below it.
 */
import { meanInterval, summarize } from "../plot/figures";
import type { SeedResult } from "./claims";
import { hMetric, LINEAR_ON_GH, RANDOM_INIT_METRIC } from "../plot/metrics";

// Which metrics evaluate h and the random-init metric have one home (src/plot/metrics.ts, below
// the figures that draw the baseline); the evidence re-exports them for its readers.
export {
  evaluatesH,
  hMetric,
  LINEAR_ON_GH,
  LINEAR_ON_H,
  RANDOM_INIT_METRIC,
} from "../plot/metrics";

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
