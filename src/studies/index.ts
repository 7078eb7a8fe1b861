/**
 * The paper's studies as sweeps (registered by name in src/sweep/registry.ts on first use):
 * augmentation-grid (Figure 5), color-strength (Table 1), projection-head (Figure 8, Table 3),
 * losses (Table 4, after its search stage losses-search), temperature (Table 5), batch-size (Figure 9, Table B.1).
 */
import type { Study } from "../evidence/study";
import { augmentationGridStudy, colorStrengthStudy } from "./augmentations";
import { batchSizeStudy } from "./batch-size";
import { lossStudy, temperatureStudy } from "./loss-temperature";
import { projectionHeadStudy } from "./projection-head";
import { searchStudyOf } from "../evidence/search";

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
