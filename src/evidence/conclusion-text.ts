/**
 * A study's conclusion text: what its findings show, in sentences computed from them (the
 * differences with their 95% CIs and the verdicts), written by the study's own file (its
 * `conclusion`, src/evidence/study.ts). This module holds only the phrase helpers every study
 * shares; no study's labels or prose.
 */
import {
  decidedByReverse,
  formatDifference,
  formatP,
  WHOLLY_AGAINST,
  whollyAgainst,
  type Finding,
} from "./finding";
import type { Study, StudyConclusion } from "./study";

/** The study's conclusion function, where its file gives one. */
export function conclusionOf(study: Study): StudyConclusion | undefined {
  return study.conclusion;
}

/** The finding of the claim with this id (a declared claim's or a findings builder's). */
export function findingOf(findings: readonly Finding[], id: string): Finding | undefined {
  return findings.find((f) => f.id === id);
}

/** Whether a finding agrees with the paper. */
export const agrees = (f: Finding | undefined): boolean => f?.verdict === "agrees";

/**
 * A finding in a few words: "+5.7 points [4.1, 7.3], agrees (Holm p = 0.004)"; "too few seeds" or
 * "not run" where it has no test.
 */
export function phrase(f: Finding | undefined): string {
  if (!f || f.verdict === "no data") return "not run";
  if (!f.test) return f.verdict;
  const reverse = decidedByReverse(f);
  const pAdj = reverse ? f.pReverseAdjusted : f.pAdjusted;
  const adj = pAdj !== undefined ? ` (${reverse ? "reverse " : ""}Holm p = ${formatP(pAdj)})` : "";
  const against = whollyAgainst(f) ? `; ${WHOLLY_AGAINST}` : "";
  return `${formatDifference(f)}, ${f.verdict}${adj}${against}`;
}

/**
 * "resolved in the paper's favour" / "contradicted" / "not resolved at this budget" for a finding:
 * the words a conclusion uses for its verdict.
 */
export function outcome(f: Finding | undefined): string {
  switch (f?.verdict) {
    case "agrees":
      return "as the paper reports";
    case "disagrees":
      return "contradicted at this budget";
    case "inconclusive":
      return "not resolved at this budget";
    case "too few seeds":
      return "not tested (a side has fewer than 2 seeds)";
    case "descriptive":
      return "shown as a description only (no valid test)";
    default:
      return "not run yet";
  }
}
