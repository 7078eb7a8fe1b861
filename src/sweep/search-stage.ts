/**
 * Running a study that declares a search stage (src/evidence/search.ts; Table 4's per-loss
 * tuning): the search as a sweep of its own (its own experiment and seeds), then the comparison
 * planned at the choice computed from the search's runs, refused while any of them has not ended.
 * `runStudy` and `simclr sweep` both run studies through here; `runSweep` itself refuses a study
 * with a search stage, so a comparison is never planned without its choice.
 */
import { applyChoices, chooseSettings, searchStudyOf, type SearchChoice } from "../evidence/search";
import type { Study } from "../evidence/study";
import { runSweep, type SweepOptions, type SweepResult } from "./sweep";

/** A sweep's result, with its search stage's own sweep and choices where the study has one. */
export interface SearchedSweepResult extends SweepResult {
  search?: SweepResult & { choices: SearchChoice[] };
}

/**
 * Runs a study as a sweep; one with a search stage runs the search first, then the comparison at
 * each cell's chosen value. The comparison's explicit seed count (`seeds`) applies to it only:
 * the search runs its declared seeds, and seeds shared with the comparison are an error.
 */
export async function sweepWithSearch(
  study: Study,
  options: Partial<SweepOptions> & { preset: string },
): Promise<SearchedSweepResult> {
  if (!study.search) return runSweep(study, options);
  const searchStudy = searchStudyOf(study);
  const { seeds, ...common } = options;
  const searched = await runSweep(searchStudy, { ...common, experiment: searchStudy.name });
  const choices = chooseSettings(study, options.preset, searched.cells, seeds);
  const result = await runSweep(applyChoices(study, options.preset, choices), options);
  return { ...result, search: { ...searched, choices } };
}
