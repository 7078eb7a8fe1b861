/**
 * When two cells of a study may be compared seed by seed (a paired t over seeds). The run seed
 * fixes every random stream through deriveSeed (src/config/seeds.ts): the encoder's
 * initialisation is createEncoder(config.encoder, deriveSeed(seed, encoder)), the training subset
 * comes from deriveSeed(seed, subset) and config.data, and each epoch's shuffle and batch seeds
 * from deriveSeed(seed, augment, epoch), config.data and train.batchSize, never from the
 * augmentations, loss or head. So two cells whose overrides agree on the encoder, the data and
 * the batch size start from the same weights and see the same images in the same order for one
 * seed: the seed is a shared block, the paired test removes the seed-to-seed variation they share
 * and its pairs are still independent across seeds. Cells that differ in any of those (batch 128
 * against 512 cuts one image order into different batches; two encoders start from different
 * weights) share little through the seed, so they are compared as independent samples with
 * Welch's test, which does not spend degrees of freedom on a pairing that buys nothing.
 * test/evidence/pairing.test.ts checks this against the trainer's own functions.
 */
import { cellFields, selectCells, type CellSelector } from "../grid/study-grid";
import type { Study } from "./study";

/** Config fields (dotted prefixes) that, with the seed, fix the initialisation and data order. */
export const SHARED_RANDOMNESS_FIELDS: readonly string[] = Object.freeze([
  "encoder",
  "data",
  "train.batchSize",
]);

const fixesRandomness = (key: string): boolean =>
  SHARED_RANDOMNESS_FIELDS.some((f) => key === f || key.startsWith(`${f}.`));

/**
 * Whether the two selectors pick one cell each and those cells share their initialisation and
 * data order for every seed (so results with equal seeds may be paired).
 */
export function pairable(study: Study, a: CellSelector, b: CellSelector, preset?: string): boolean {
  const [ca, cb] = [selectCells(study, a, preset), selectCells(study, b, preset)];
  if (ca.length !== 1 || cb.length !== 1) return false;
  const [oa, ob] = [cellFields(ca[0].overrides), cellFields(cb[0].overrides)];
  const keys = new Set([...Object.keys(oa), ...Object.keys(ob)].filter(fixesRandomness));
  return [...keys].every((k) => JSON.stringify(oa[k]) === JSON.stringify(ob[k]));
}
