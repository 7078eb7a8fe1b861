/**
 * The paper's studies as sweeps (registered by name in src/sweep/registry.ts on first use):
 * augmentation-grid (Figure 5), color-strength (Table 1), projection-head (Figure 8, Table 3),
 * losses (Table 4, after its search stage losses-search), temperature (Table 5), batch-size (Figure 9, Table B.1).
 * The budget ladders (issue 24) of the studies that declare them are studies of their own,
 * {@link ladderStudies}, kept out of `studies` so that list (and its config-hash snapshot,
 * test/studies/resolved-configs.test.ts) holds the studies the reproduction runs.
 */
import type { Study } from "../evidence/study";
import { augmentationGridStudy, colorStrengthStudy } from "./augmentations";
import { batchSizeStudy } from "./batch-size";
import { lossStudy, temperatureStudy } from "./loss-temperature";
import { projectionHeadStudy } from "./projection-head";
import { searchStudyOf } from "../evidence/search";
import { ladderStudyOf } from "../evidence/ladder";

/** Every built-in study, in the notebooks' order. */
export const studies: Study[] = [
  augmentationGridStudy,
  colorStrengthStudy,
  projectionHeadStudy,
  // Table 4's per-loss search stage, a study of its own (its runs, archive lines and budget row).
  searchStudyOf(lossStudy),
  lossStudy,
  temperatureStudy,
  batchSizeStudy,
];

/**
 * The budget ladder of every built-in study that declares one, run by name like any study:
 * "projection-head-ladder" (Figure 8's non-linear against linear head) and "batch-size-ladder"
 * (Figure 9's batch sizes), each at 1, 3 and 10 times the study budget.
 */
export const ladderStudies: Study[] = studies.filter((s) => s.ladders?.length).map(ladderStudyOf);
