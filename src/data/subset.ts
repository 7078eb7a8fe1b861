/**
 * Stratified subsets and seeded shuffles of a split (verbs that return a new split and never
 * mutate their input). Small-budget studies train on a class-balanced subset.
 */
import type { ImageSplit } from "./types";
import { permutation, type Rng } from "../util/random";

/** Gathers the images at `indices` into a new split (pixels and labels copied). */
export function takeSplit(split: ImageSplit, indices: ArrayLike<number>): ImageSplit {
  const size = split.height * split.width * 3;
  const n = indices.length;
  const pixels = new Uint8Array(n * size);
  const labels = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    if (!(j >= 0 && j < split.n)) throw new RangeError(`index ${j} out of range for a split of ${split.n} images`);
    pixels.set(split.pixels.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = split.labels[j];
  }
  return { n, height: split.height, width: split.width, pixels, labels };
}

/**
 * A stratified subset of `limit` images: each class (label; unlabelled images form one group)
 * keeps its share of the split, rounded by largest remainder, images drawn at random with `rng`.
 * The result keeps the split's original order. `limit >= split.n` returns a copy of the whole split.
 */
export function subset(split: ImageSplit, limit: number, rng: Rng): ImageSplit {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`subset: limit must be a non-negative integer, got ${limit}`);
  if (limit >= split.n) return takeSplit(split, Array.from({ length: split.n }, (_, i) => i));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < split.n; i++) {
    const g = groups.get(split.labels[i]);
    if (g) g.push(i);
    else groups.set(split.labels[i], [i]);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const exact = keys.map((k) => ((groups.get(k) as number[]).length * limit) / split.n);
  const take = exact.map(Math.floor);
  let left = limit - take.reduce((a, b) => a + b, 0);
  const order = keys.map((_, i) => i).sort((a, b) => exact[b] - take[b] - (exact[a] - take[a]) || a - b);
  for (let i = 0; left > 0; i = (i + 1) % order.length, left--) take[order[i]]++;
  const chosen: number[] = [];
  keys.forEach((k, gi) => {
    const members = groups.get(k) as number[];
    const p = permutation(members.length, rng);
    for (let i = 0; i < take[gi]; i++) chosen.push(members[p[i]]);
  });
  chosen.sort((a, b) => a - b);
  return takeSplit(split, chosen);
}

/** A seeded shuffle of the split's images (new split). */
export function shuffleSplit(split: ImageSplit, rng: Rng): ImageSplit {
  return takeSplit(split, permutation(split.n, rng));
}
