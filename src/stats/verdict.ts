/**
 * The verdict rule of every findings table. Each tested claim brings two one-sided hypotheses:
 * H+ "the difference is <= 0" (rejecting it: the claim "agrees") and H- "the difference is >= 0"
 * (rejecting it: "disagrees"), with their one-sided p-values. All 2m of them, both directions of
 * every claim of the table, form ONE Holm-Bonferroni family at {@link ALPHA}. A wrong decisive
 * verdict is exactly the rejection of a true one of these hypotheses ("agrees" when the difference
 * is <= 0 rejects a true H+, "disagrees" when it is >= 0 a true H-), and Holm controls the chance
 * of rejecting any true hypothesis of its family at alpha whatever the dependence between the
 * p-values (it needs only that each is valid). So the chance of any wrong decisive verdict in a
 * table is at most 0.05, where adjusting each direction on its own (as before) allowed up to 0.10.
 * Chosen over two-sided p-values with the direction read from the sign because that route's
 * control of directional errors is proven only under independence or special dependence, while
 * Holm over the 2m one-sided p-values needs nothing but valid p-values; it costs little, because a
 * claim's two p-values sum to 1 and the larger never reaches the family's first steps. At most one
 * direction of a claim can be rejected. Anything else is "inconclusive". A claim with a side of
 * fewer than 2 seeds has no variance estimate and reads "too few seeds", one with no runs
 * "no data", one that is shown only as a description ("descriptive", e.g. means over a fixed grid
 * of cells, which are no sample): none of them takes part in the adjustment.
 */
import { holmAdjust } from "./holm";

/** Significance level of each claim's one-sided test (family-wise, after Holm). */
export const ALPHA = 0.05;

/** A finding's verdict. */
export type Verdict =
  "agrees" | "disagrees" | "inconclusive" | "too few seeds" | "descriptive" | "no data";

/** Every verdict, in the order tables and figures list them. */
export const VERDICTS: readonly Verdict[] = Object.freeze([
  "agrees",
  "disagrees",
  "inconclusive",
  "too few seeds",
  "descriptive",
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
  /** Holm-adjusted one-sided p in the paper's direction (Holm over both directions of all claims). */
  pAdjusted: number;
  /** Holm-adjusted one-sided p of the reverse direction, in the same family. */
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
  const m = claims.length;
  // one family: the paper's direction of every claim, then the reverse of every claim
  const both = holmAdjust([
    ...claims.map((c) => (c.pReverse === undefined ? NaN : (c.p ?? NaN))),
    ...claims.map((c) => (c.p === undefined ? NaN : (c.pReverse ?? NaN))),
  ]);
  return claims.map((c, i) => {
    const pAdjusted = both[i] as number;
    const pReverseAdjusted = both[m + i] as number;
    if (c.p === undefined || !Number.isFinite(pAdjusted)) return undefined;
    const verdict =
      pAdjusted <= alpha ? "agrees" : pReverseAdjusted <= alpha ? "disagrees" : "inconclusive";
    return { verdict, pAdjusted, pReverseAdjusted };
  });
}

/**
 * The family rule in words, for tables and digests: "Holm-Bonferroni over both directions of the
 * 12 tested claims (24 one-sided tests)".
 */
export function familyRule(tested: number): string {
  return `Holm-Bonferroni over both directions of the ${tested} tested claims (${2 * tested} one-sided tests, so the chance of any wrong decisive verdict is at most ${ALPHA})`;
}
