/**
 * The result of a t test on one difference (a two-sample Welch test, a paired test, or a contrast
 * of several cells such as an interaction), oriented in the paper's direction: a positive estimate
 * is what the paper claims. Built from an estimate, its standard error and degrees of freedom.
 */
import { tQuantile, tUpperTail } from "./t-distribution";

/** Confidence level of every interval the findings show. */
export const CONFIDENCE = 0.95;

/** A one-difference t test. */
export interface TTest {
  /** Which test: "welch" (independent cells), "paired" (same seeds or runs), "contrast" (4 cells). */
  kind: "welch" | "paired" | "contrast";
  /** The difference, positive in the paper's direction. */
  estimate: number;
  se: number;
  df: number;
  t: number;
  /** One-sided p of H0 "difference <= 0" against the paper's "difference > 0". */
  p: number;
  /** One-sided p of the reverse, H0 "difference >= 0" (small when the data contradict the paper). */
  pReverse: number;
  /** Two-sided {@link CONFIDENCE} interval of the difference. */
  ci: [number, number];
}

/**
 * A t test from an estimate, its standard error and degrees of freedom. A zero standard error
 * (every value equal) gives t = ±Infinity and p 0 or 1 for a non-zero estimate, 0.5 each way for 0.
 */
export function tTest(kind: TTest["kind"], estimate: number, se: number, df: number): TTest {
  if (!(se >= 0) || !Number.isFinite(estimate))
    throw new Error(`t test: need a finite estimate and se >= 0, got ${estimate} and ${se}`);
  if (se === 0) {
    const s = Math.sign(estimate);
    return {
      kind,
      estimate,
      se,
      df,
      t: s === 0 ? 0 : s * Infinity,
      p: s > 0 ? 0 : s < 0 ? 1 : 0.5,
      pReverse: s < 0 ? 0 : s > 0 ? 1 : 0.5,
      ci: [estimate, estimate],
    };
  }
  const t = estimate / se;
  const half = tQuantile(1 - (1 - CONFIDENCE) / 2, df) * se;
  return {
    kind,
    estimate,
    se,
    df,
    t,
    p: tUpperTail(t, df),
    pReverse: tUpperTail(-t, df),
    ci: [estimate - half, estimate + half],
  };
}
