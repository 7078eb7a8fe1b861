/**
 * Does this run agree with the paper? Each study declares the comparisons the paper makes
 * ({claim, metric, better, worse}); here they are decided from per-seed results with Welch's
 * t statistic on the difference of means: "agrees" when better's mean exceeds worse's by at least
 * `minT` standard errors of the difference, "disagrees" when it is lower by as much, otherwise
 * "inconclusive" (the difference is within the seed-to-seed spread). With one seed per side there
 * is no spread, so the sign decides and the verdict says so.
 */
import { summarize, type Summary } from "../plot/figures";
import { selectCells, type Claim, type Study } from "../sweep/study";

/** One per-seed result of a cell. */
export interface SeedResult {
  label: string;
  seed: number;
  metrics: Record<string, number>;
}

/** Options for {@link evaluateClaim}. */
export interface ClaimOptions {
  /** |t| needed for a decisive verdict (2 is roughly a 95% two-sided test for moderate n). */
  minT: number;
}

/** Defaults for {@link ClaimOptions}. */
export const CLAIM_DEFAULTS: Readonly<ClaimOptions> = Object.freeze({ minT: 2 });

/** The verdict on one claim, with the evidence. */
export interface ClaimVerdict {
  claim: string;
  source?: string;
  metric: string;
  verdict: "agrees" | "disagrees" | "inconclusive" | "no data";
  better: Summary & { cells: string[] };
  worse: Summary & { cells: string[] };
  /** better mean - worse mean (sign flipped for lower-is-better metrics). */
  difference: number;
  /** Welch t statistic of the difference (Infinity with no spread). */
  t: number;
  /** One sentence with the numbers. */
  evidence: string;
}

/**
 * t statistic of a difference whose standard error combines independent summaries: the square
 * root of the sum of each part's squared standard error (std²/n; a part with one value adds none).
 * Two parts give Welch's t, one part of paired differences gives the paired t, four cells give
 * the t of an interaction. Infinity (signed) when no part has spread and the difference is not 0.
 */
export function tStatistic(
  difference: number,
  parts: readonly { std: number; n: number }[],
): number {
  const se = Math.sqrt(parts.reduce((a, x) => a + (x.n > 1 ? x.std ** 2 / x.n : 0), 0));
  return se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity;
}

/** Accuracy metrics (fractions in [0, 1]) are shown in percent, others as they are. */
function isAccuracy(metric: string): boolean {
  return /(^|_)acc(uracy)?($|_)/.test(metric);
}

/**
 * A t statistic for evidence text: two decimals, or three where two would round a t below the
 * decision threshold up to it (1.998 is not 2.00: the verdict would read as contradicting the t).
 */
export function formatT(t: number, minT: number = CLAIM_DEFAULTS.minT): string {
  const two = t.toFixed(2);
  return Math.abs(t) < minT && Math.abs(Number(two)) >= minT ? t.toFixed(3) : two;
}

function fmt(s: Summary, metric: string): string {
  if (s.n === 0) return "no runs";
  return isAccuracy(metric)
    ? `${(100 * s.mean).toFixed(1)}% ± ${(100 * s.std).toFixed(1)} (n=${s.n})`
    : `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)} (n=${s.n})`;
}

function fmtDifference(d: number, metric: string): string {
  const sign = d >= 0 ? "+" : "";
  return isAccuracy(metric) ? `${sign}${(100 * d).toFixed(1)} points` : `${sign}${d.toFixed(4)}`;
}

/** Decides one claim from per-seed results. */
export function evaluateClaim(
  study: Study,
  claim: Claim,
  results: SeedResult[],
  options: Partial<ClaimOptions & { preset: string }> = {},
): ClaimVerdict {
  const o: ClaimOptions = { ...CLAIM_DEFAULTS, ...options };
  const side = (sel: Claim["better"]): Summary & { cells: string[] } => {
    const cells = selectCells(study, sel, options.preset).map((c) => c.label ?? "");
    const values = results
      .filter((r) => cells.includes(r.label))
      .map((r) => r.metrics[claim.metric]);
    return { ...summarize(values.filter((v): v is number => typeof v === "number")), cells };
  };
  const better = side(claim.better);
  const worse = side(claim.worse);
  const base = { claim: claim.claim, metric: claim.metric, better, worse };
  const withSource = claim.source !== undefined ? { source: claim.source } : {};
  if (better.n === 0 || worse.n === 0) {
    return {
      ...base,
      ...withSource,
      verdict: "no data",
      difference: NaN,
      t: NaN,
      evidence: `not enough finished runs: better ${fmt(better, claim.metric)}, worse ${fmt(worse, claim.metric)}`,
    };
  }
  const sign = claim.lowerIsBetter ? -1 : 1;
  const difference = sign * (better.mean - worse.mean);
  const t = tStatistic(difference, [better, worse]);
  const noSpread = better.n < 2 || worse.n < 2;
  let verdict: ClaimVerdict["verdict"];
  if (difference === 0) verdict = "inconclusive";
  else if (noSpread) verdict = difference > 0 ? "agrees" : "disagrees";
  else verdict = t >= o.minT ? "agrees" : t <= -o.minT ? "disagrees" : "inconclusive";
  const dir = claim.lowerIsBetter ? "lower" : "higher";
  const evidence =
    `${claim.metric}: better ${fmt(better, claim.metric)} vs worse ${fmt(worse, claim.metric)}; difference ${fmtDifference(difference, claim.metric)} (${dir} is better)` +
    (noSpread
      ? "; one seed on a side, so no spread: the sign decides"
      : `; Welch t = ${formatT(t, o.minT)} (decisive at |t| >= ${o.minT})`);
  return { ...base, ...withSource, verdict, difference, t, evidence };
}

/** Decides every claim a study declares. */
export function evaluateClaims(
  study: Study,
  results: SeedResult[],
  options: Partial<ClaimOptions & { preset: string }> = {},
): ClaimVerdict[] {
  return (study.claims ?? []).map((c) => evaluateClaim(study, c, results, options));
}
