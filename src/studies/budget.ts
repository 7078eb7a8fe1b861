/**
 * Per-cell training budgets of the studies. A study has dozens of cells and must finish in about
 * an hour on a 2-core CPU at `small`, and in well under a minute per notebook at `tiny` (CI), so each
 * cell pre-trains on a stratified subset for a few epochs; the comparisons are relative (the same
 * budget for every cell) and repeated over seeds. The random-init baseline is left out of study
 * cells (it does not depend on the studied choice; the quickstart reports it).
 */

/** Overrides every `small` study cell starts from (on top of the `small` preset). */
export const SMALL_STUDY_BUDGET: Readonly<Record<string, unknown>> = Object.freeze({
  // ~60k views per cell: about 2 minutes of training at ~500 views/s (the ConvNet on 2 idle cores)
  // plus ~30 s of evaluation, so a 7-cell study with 3 seeds takes about an hour.
  "data.trainLimit": 5000,
  "data.testLimit": 2000,
  "train.epochs": 6,
  "train.knnEveryEpochs": 0,
  "eval.randomInit": false,
});

/** Overrides every `tiny` study cell starts from: plumbing only, seconds per cell. */
export const TINY_STUDY_BUDGET: Readonly<Record<string, unknown>> = Object.freeze({
  "train.epochs": 2,
  "eval.randomInit": false,
});

/** The per-preset overrides of a study, with `small` extended by `small`-specific fields. */
export function studyBudgets(
  small: Record<string, unknown> = {},
): Record<string, Record<string, unknown>> {
  return { tiny: { ...TINY_STUDY_BUDGET }, small: { ...SMALL_STUDY_BUDGET, ...small } };
}
