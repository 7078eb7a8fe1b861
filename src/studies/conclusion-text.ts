/**
 * A study's conclusion text: what its findings show, in sentences computed from them (the
 * differences with their 95% CIs and the verdicts), written by the study's own file. This module
 * holds only the type and the phrase helpers every study shares; no study's labels or prose.
 */
import { decidedByReverse, formatDifference, formatP, type Finding } from "../report/finding";
import type { BudgetFacts, Study } from "../sweep/study";

/** Sentences on what a study's findings show at a budget (its notebook prints them first). */
export type StudyConclusion = (findings: readonly Finding[], budget: BudgetFacts) => string;

/** A study that carries its own conclusion text beside its claims and reasons. */
export type ConcludedStudy = Study & { conclusion?: StudyConclusion };

/** The study's conclusion function, where its file gives one. */
export function conclusionOf(study: Study): StudyConclusion | undefined {
  return (study as ConcludedStudy).conclusion;
}

/** The finding whose claim text starts with `start` (claims are matched by their own words). */
export function findingOf(findings: readonly Finding[], start: string): Finding | undefined {
  return findings.find((f) => f.claim.startsWith(start));
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
  return `${formatDifference(f)}, ${f.verdict}${adj}`;
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
    default:
      return "not run yet";
  }
}
