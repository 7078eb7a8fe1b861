/**
 * A study's findings and conclusion for a notebook, by the study's registered name or the study
 * itself: the name is looked up in the studies registry here, above the evidence layer
 * (src/evidence/conclusions.ts computes them from the study).
 */
import { decideStudyFindings, studyConclusionText, type Finding } from "../evidence/conclusions";
import type { SeedResult, Study } from "../evidence/study";
import { getStudy } from "../sweep/registry";

const resolve = (study: string | Study): Study =>
  typeof study === "string" ? getStudy(study) : study;

/**
 * Every finding of a study's sweep (raw p kept, so a table can decide them again in its larger
 * family), decided over the study's own claims.
 */
export function studyFindings(
  study: string | Study,
  results: readonly SeedResult[],
  preset?: string,
): Finding[] {
  return decideStudyFindings(resolve(study), results, preset);
}

/**
 * A study's conclusion as printed by its notebook: the study's own conclusion text, the count of
 * findings that agree, then every finding with its test.
 */
export function studyConclusion(
  study: string | Study,
  results: readonly SeedResult[],
  preset?: string,
): string {
  return studyConclusionText(resolve(study), results, preset);
}
