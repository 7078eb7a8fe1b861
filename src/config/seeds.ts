/**
 * Derived seeds: every random stream of a run (initialisation, the epoch's shuffle, the step's
 * augmentations) is a pure function of the run seed and a position, so a resumed run draws exactly
 * what an uninterrupted one would without storing generator state.
 */
import { createRng } from "../util/random";

/** Purposes of derived streams (distinct constants keep them independent). */
export const SEED_STREAMS = Object.freeze({
  encoder: 1,
  head: 2,
  classifier: 3,
  shuffle: 4,
  augment: 5,
  subset: 6,
  eval: 7,
  probe: 8,
});

/** A 32-bit seed derived from the run seed, a stream and an index. */
export function deriveSeed(seed: number, stream: number, index = 0): number {
  const r = createRng(
    (seed ^ Math.imul(stream + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0,
  );
  return r.seed();
}
