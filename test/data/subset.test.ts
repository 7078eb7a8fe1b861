import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shuffleSplit, subset } from "../../src/data/subset";
import { toImageBatch } from "../../src/data/batch";
import { channelStats } from "../../src/data/stats";
import { createRng } from "../../src/util/random";
import { randomSplit } from "./helpers";

describe("subsets, shuffles, batches and statistics", () => {
  it("keeps each class's share in a stratified subset", () => {
    // classes of 50, 30 and 20 images
    const split = randomSplit(100, 2, 2, 1, 1);
    for (let i = 0; i < 100; i++) split.labels[i] = i < 50 ? 0 : i < 80 ? 1 : 2;
    const s = subset(split, 10, createRng(3));
    const counts = [0, 0, 0];
    for (const l of s.labels) counts[l]++;
    assert.deepEqual(counts, [5, 3, 2]);
    // largest remainders: 7 of (50, 30, 20) -> exact (3.5, 2.1, 1.4) -> (4, 2, 1)
    const t = subset(split, 7, createRng(3));
    const c2 = [0, 0, 0];
    for (const l of t.labels) c2[l]++;
    assert.deepEqual(c2, [4, 2, 1]);
  });

  it("draws subsets reproducibly from the seed and differently across seeds", () => {
    const split = randomSplit(200, 2, 2, 4, 2);
    const a = subset(split, 20, createRng(1));
    const b = subset(split, 20, createRng(1));
    const c = subset(split, 20, createRng(2));
    assert.deepEqual(Array.from(a.pixels), Array.from(b.pixels));
    assert.notDeepEqual(Array.from(a.pixels), Array.from(c.pixels));
  });

  it("shuffles a split as a permutation of its images", () => {
    const split = randomSplit(50, 1, 1, 5, 3);
    const s = shuffleSplit(split, createRng(4));
    const key = (px: Uint8Array, l: Int16Array, i: number): string => `${px[i * 3]},${px[i * 3 + 1]},${px[i * 3 + 2]},${l[i]}`;
    const before = Array.from({ length: 50 }, (_, i) => key(split.pixels, split.labels, i)).sort();
    const after = Array.from({ length: 50 }, (_, i) => key(s.pixels, s.labels, i)).sort();
    assert.deepEqual(after, before);
  });

  it("gathers images into a float batch divided by 255", () => {
    const split = randomSplit(4, 2, 3, 2, 5);
    const b = toImageBatch(split, [2, 0]);
    assert.equal(b.n, 2);
    assert.equal(b.data.length, 2 * 18);
    for (let k = 0; k < 18; k++) {
      assert.equal(b.data[k], Math.fround(split.pixels[2 * 18 + k] / 255));
      assert.equal(b.data[18 + k], Math.fround(split.pixels[k] / 255));
    }
    assert.throws(() => toImageBatch(split, [4]), /index 4 out of range/);
  });

  it("computes channel mean and standard deviation like a direct two-pass loop", () => {
    const split = randomSplit(30, 5, 4, 3, 6);
    const { mean, std } = channelStats(split);
    for (let c = 0; c < 3; c++) {
      const vals: number[] = [];
      for (let i = c; i < split.pixels.length; i += 3) vals.push(split.pixels[i] / 255);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const v = vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length;
      assert.ok(Math.abs(mean[c] - m) < 1e-12);
      assert.ok(Math.abs(std[c] - Math.sqrt(v)) < 1e-12);
    }
  });
});
