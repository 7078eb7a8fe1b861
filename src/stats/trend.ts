/**
 * The trend of an effect against its training budget (issue 24; the paper's Figure 9 plots
 * accuracy against epochs): for a claim's paired differences at several budgets (a budget ladder,
 * src/evidence/ladder.ts), the mean difference per budget with its 95% t interval over seeds, and
 * the slope of the difference against log10(budget). The seed is the unit: each seed's
 * least-squares slope over the budgets it has every rung of, then a t interval over those slopes
 * (df = seeds - 1), since one seed's rungs share its initialisation and data order and are not
 * independent points of one regression.
 */
import { tQuantile, tUpperTail } from "./t-distribution";
import { CONFIDENCE } from "./t-test";

/** One budget's paired differences, by seed, oriented so that positive is the paper's side. */
export interface RungDifferences {
  /** The budget (any unit proportional to training compute, e.g. epochs or image-epochs). */
  budget: number;
  differences: ReadonlyMap<number, number>;
}

/** A mean over seeds with its two-sided {@link CONFIDENCE} t interval (none with one seed). */
export interface SeedMean {
  n: number;
  mean: number;
  ci?: [number, number];
}

/** The effect at one budget. */
export interface RungEffect extends SeedMean {
  budget: number;
}

/** Where the slope points, relative to the paper's direction (positive differences). */
export type TrendDirection = "toward" | "away" | "flat";

/** The slope over seeds, with its one-sided t tests (n >= 2) in both directions. */
export interface SlopeEstimate extends SeedMean {
  seeds: number[];
  /** P(a mean slope this large | true slope <= 0): the test "it grows toward the paper". */
  p?: number;
  /** P(a mean slope this small | true slope >= 0): the reverse direction. */
  pReverse?: number;
}

/** An effect's trend over its budgets. */
export interface BudgetTrend {
  rungs: RungEffect[];
  /** Change of the difference per tenfold budget, over the seeds with every rung (n >= 1). */
  slope?: SlopeEstimate;
  /** The sign of the mean slope (toward: growing toward the paper's side). */
  points?: TrendDirection;
  /**
   * Whether the direction is decided: on its own, its 95% interval excludes 0 (false with one
   * seed); in a family of ladders, by Holm over both directions of every slope
   * (src/evidence/ladder-trend.ts `decideTrends`).
   */
  decided: boolean;
}

/** Mean of finite values with its standard error and the two-sided t interval at n - 1 df. */
export function seedMean(values: readonly number[]): SeedMean & { se?: number } {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (!n) return { n: 0, mean: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean };
  const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) / Math.sqrt(n);
  const half = tQuantile(1 - (1 - CONFIDENCE) / 2, n - 1) * se;
  return { n, mean, se, ci: [mean - half, mean + half] };
}

/** One-sided t tests of a mean against 0 in both directions (df = n - 1); {} without a spread. */
function oneSidedPs(m: SeedMean & { se?: number }): { p?: number; pReverse?: number } {
  if (m.n < 2 || m.se === undefined) return {};
  if (!(m.se > 0))
    return m.mean > 0
      ? { p: 0, pReverse: 1 }
      : m.mean < 0
        ? { p: 1, pReverse: 0 }
        : { p: 1, pReverse: 1 };
  const t = m.mean / m.se;
  return { p: tUpperTail(t, m.n - 1), pReverse: tUpperTail(-t, m.n - 1) };
}

/** The least-squares slope of y against x (at least 2 distinct x). */
export function leastSquaresSlope(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2)
    throw new Error(`a slope needs at least 2 (x, y) points, got ${x.length} x and ${y.length} y`);
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * ((y[i] as number) - my);
    sxx += (xi - mx) ** 2;
  });
  if (!(sxx > 0)) throw new Error("a slope needs at least 2 distinct x values");
  return sxy / sxx;
}

/**
 * The trend of paired differences over budgets: each rung's mean and interval over its seeds,
 * and the slope against log10(budget) computed per seed over the seeds that have every rung.
 * Budgets must be positive and distinct; throws naming the budget otherwise.
 */
export function budgetTrend(rungs: readonly RungDifferences[]): BudgetTrend {
  const budgets = rungs.map((r) => r.budget);
  for (const b of budgets)
    if (!(b > 0) || budgets.indexOf(b) !== budgets.lastIndexOf(b))
      throw new Error(`budget trend: budgets must be positive and distinct, got ${budgets}`);
  const effects = rungs.map((r) => ({
    budget: r.budget,
    ...seedMean([...r.differences.values()]),
  }));
  const complete = [...(rungs[0]?.differences.keys() ?? [])]
    .filter((s) => rungs.every((r) => Number.isFinite(r.differences.get(s))))
    .sort((a, b) => a - b);
  if (rungs.length < 2 || !complete.length) return { rungs: effects, decided: false };
  const x = budgets.map(Math.log10);
  const slopes = complete.map((s) =>
    leastSquaresSlope(
      x,
      rungs.map((r) => r.differences.get(s) as number),
    ),
  );
  const m = seedMean(slopes);
  const slope: SlopeEstimate = { ...m, seeds: complete, ...oneSidedPs(m) };
  const points: TrendDirection = slope.mean > 0 ? "toward" : slope.mean < 0 ? "away" : "flat";
  const decided = slope.ci !== undefined && (slope.ci[0] > 0 || slope.ci[1] < 0);
  return { rungs: effects, slope, points, decided };
}
