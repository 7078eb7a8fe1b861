/**
 * The verdict rule of every findings table: each claim is tested one-sided in the paper's
 * direction at {@link ALPHA}, with Holm-Bonferroni across all the claims of the table. A claim
 * "agrees" when its Holm-adjusted p is at most alpha. It "disagrees" when the reverse one-sided
 * test (the data favour the opposite of the paper) passes the same rule, Holm-adjusted over the
 * claims' reverse p-values; at most one of the two can hold for a claim. Anything else is
 * "inconclusive". A claim with a side of fewer than 2 seeds has no variance estimate and reads
 * "too few seeds", one with no runs "no data": neither takes part in the adjustment.
 */
import { holmAdjust } from "./holm";

/** Significance level of each claim's one-sided test (family-wise, after Holm). */
export const ALPHA = 0.05;

/** A finding's verdict. */
export type Verdict = "agrees" | "disagrees" | "inconclusive" | "too few seeds" | "no data";

/** Every verdict, in the order tables and figures list them. */
export const VERDICTS: readonly Verdict[] = Object.freeze([
  "agrees",
  "disagrees",
  "inconclusive",
  "too few seeds",
  "no data",
]);

/** A claim's raw one-sided p-values (absent for a claim that was not tested). */
export interface RawP {
  p?: number;
  pReverse?: number;
}

/** The decision on one claim of a family. */
export interface Decision {
  verdict: "agrees" | "disagrees" | "inconclusive";
  /** Holm-adjusted one-sided p in the paper's direction. */
  pAdjusted: number;
  /** Holm-adjusted one-sided p of the reverse direction. */
  pReverseAdjusted: number;
}

/**
 * Decides a family of claims (every claim of one findings table) with the rule above; undefined
 * for claims without a test (they keep their "too few seeds" / "no data" verdict).
 */
export function decideFamily(
  claims: readonly RawP[],
  alpha: number = ALPHA,
): (Decision | undefined)[] {
  const adj = holmAdjust(claims.map((c) => c.p ?? NaN));
  const rev = holmAdjust(claims.map((c) => c.pReverse ?? NaN));
  return claims.map((c, i) => {
    const pAdjusted = adj[i] as number;
    const pReverseAdjusted = rev[i] as number;
    if (c.p === undefined || !Number.isFinite(pAdjusted)) return undefined;
    const verdict =
      pAdjusted <= alpha ? "agrees" : pReverseAdjusted <= alpha ? "disagrees" : "inconclusive";
    return { verdict, pAdjusted, pReverseAdjusted };
  });
}
