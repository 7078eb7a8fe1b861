/**
 * Student's t distribution, from @stdlib (a kept library, not hand-written quantiles): the CDF
 * and quantile every test in src/stats/ reads its p-values and intervals from.
 */
import cdf from "@stdlib/stats-base-dists-t-cdf";
import quantile from "@stdlib/stats-base-dists-t-quantile";

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df))
    throw new Error(`t distribution: degrees of freedom must be a finite number > 0, got ${df}`);
}

/** P(T <= x) for T ~ t(df). */
export function tCdf(x: number, df: number): number {
  checkDf(df);
  return cdf(x, df);
}

/** The x with P(T <= x) = p for T ~ t(df), p in (0, 1). */
export function tQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new Error(`t quantile: p must be in (0, 1), got ${p}`);
  return quantile(p, df);
}

/** P(T >= x) for T ~ t(df), computed as P(T <= -x) so a large x keeps its precision. */
export function tUpperTail(x: number, df: number): number {
  return tCdf(-x, df);
}
