/**
 * The per-cell training budget of the `small` preset's studies. A study has dozens of cells and
 * must finish in about an hour on a 2-core CPU, so each cell pre-trains on a stratified subset for
 * a few epochs; the comparisons are relative (same budget for every cell) and repeated over seeds.
 */

/** Overrides every `small` study cell starts from (on top of the `small` preset). */
export const SMALL_STUDY_BUDGET: Readonly<Record<string, unknown>> = Object.freeze({
  "data.trainLimit": 10000,
  "data.testLimit": 2000,
  "train.epochs": 8,
  "train.knnEveryEpochs": 0,
});
