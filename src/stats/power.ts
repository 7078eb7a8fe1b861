/**
 * Power of the one-sided paired t test the findings use (seeds as the unit, df = n - 1), for
 * choosing how many seeds a design gives each claim before it runs. The statistic under an effect
 * delta with per-seed SD sigma is noncentral t with df = n - 1 and noncentrality
 * delta * sqrt(n) / sigma; its tail is integrated here over the chi-square of the SD estimate:
 * P(T > c) = E_V[ Phi(lambda - c * sqrt(V / df)) ], V ~ chi2(df).
 */
import erfc from "@stdlib/math-base-special-erfc";
import gammaln from "@stdlib/math-base-special-gammaln";
import { tQuantile } from "./t-distribution";

/** Standard normal P(Z <= x). */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Simpson's rule over [a, b] with `intervals` (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, intervals: number): number {
  const h = (b - a) / intervals;
  let sum = f(a) + f(b);
  for (let i = 1; i < intervals; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * P(T > c) for T noncentral t with `df` degrees of freedom and noncentrality `lambda`. The
 * chi-square variable is written V = u^2, so the integrand stays finite at 0 for every df.
 */
export function noncentralTUpperTail(c: number, df: number, lambda: number): number {
  if (!(df >= 1) || !Number.isFinite(df))
    throw new Error(`noncentral t: degrees of freedom must be a finite number >= 1, got ${df}`);
  const logNorm = -(df / 2) * Math.LN2 - gammaln(df / 2);
  // density of u = sqrt(V): 2u * f_chi2(u^2) = 2 u^(df-1) e^(-u^2/2) / (2^(df/2) Gamma(df/2))
  // (finite at u = 0 for df >= 1: 0 for df > 1, 2 e^logNorm for df = 1)
  const density = (u: number): number =>
    u <= 0
      ? df === 1
        ? 2 * Math.exp(logNorm)
        : 0
      : 2 * Math.exp(logNorm + (df - 1) * Math.log(u) - (u * u) / 2);
  const upper = Math.sqrt(df + 40 * Math.sqrt(2 * df) + 80);
  const integrand = (u: number): number => density(u) * normalCdf(lambda - c * (u / Math.sqrt(df)));
  return simpson(integrand, 0, upper, 20000);
}

/**
 * Power of a one-sided paired t test at level `alpha` over `n` seeds (df = n - 1), for a true mean
 * difference `effect` whose per-seed differences have SD `sd`.
 */
export function pairedPower(effect: number, sd: number, n: number, alpha: number): number {
  if (!(n >= 2 && Number.isInteger(n)))
    throw new Error(`paired power: n must be an integer >= 2, got ${n}`);
  if (!(sd > 0)) throw new Error(`paired power: sd must be > 0, got ${sd}`);
  const critical = tQuantile(1 - alpha, n - 1);
  return noncentralTUpperTail(critical, n - 1, (effect * Math.sqrt(n)) / sd);
}

/**
 * The smallest true difference a one-sided paired t test over `n` seeds at level `alpha` detects
 * with probability `power` when per-seed differences have SD `sd` (bisection on pairedPower).
 */
export function minimumDetectableEffect(sd: number, n: number, alpha: number, power = 0.8): number {
  let lo = 0;
  let hi = sd;
  while (pairedPower(hi, sd, n, alpha) < power) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (pairedPower(mid, sd, n, alpha) < power) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
