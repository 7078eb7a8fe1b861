import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomResizedCrop, resizeBoxBilinear, sampleCropBox } from "../../src/augment/crop";
import { randomFlip } from "../../src/augment/flip";
import { createRng } from "../../src/util/random";
import { maxDiff, randomBatch } from "./support";

describe("random resized crop", () => {
  it("draws areas uniform in [0.08, 1] and log-aspect uniform in [log 3/4, log 4/3]", () => {
    const rng = createRng(11);
    const H = 400;
    const W = 400;
    const N = 20000;
    const areas: number[] = [];
    const logAspects: number[] = [];
    for (let i = 0; i < N; i++) {
      const b = sampleCropBox(H, W, rng);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= W && b.y + b.height <= H);
      areas.push((b.width * b.height) / (H * W));
      logAspects.push(Math.log(b.width / b.height));
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const lo = 0.08;
    const L = Math.log(4 / 3);
    // Area is drawn uniform in [0.08, 1], but a box fits only when area <= min(r, 1/r), so draws
    // above 3/4 are redrawn with probability 1 - (-log a / log(4/3)): the accepted areas have
    // density proportional to accept(a). Expected CDF by numerical integration of that law.
    const accept = (a: number): number => (a <= 0.75 ? 1 : -Math.log(a) / L);
    const grid = 20000;
    const cdfAt = (t: number): number => {
      let below = 0;
      let all = 0;
      for (let i = 0; i < grid; i++) {
        const a = lo + ((1 - lo) * (i + 0.5)) / grid;
        all += accept(a);
        if (a < t) below += accept(a);
      }
      return below / all;
    };
    assert.ok(Math.abs(mean(areas) - 0.4778) < 0.01, `mean area ${mean(areas)}, expected 0.4778`);
    assert.ok(Math.min(...areas) > lo - 0.01 && Math.max(...areas) <= 1);
    for (const t of [0.2, 0.35, 0.5, 0.65, 0.8, 0.9]) {
      const frac = areas.filter((a) => a < t).length / N;
      assert.ok(
        Math.abs(frac - cdfAt(t)) < 0.015,
        `P(area < ${t}) = ${frac}, expected ${cdfAt(t).toFixed(4)}`,
      );
    }
    const la = Math.log(3 / 4);
    const hi = Math.log(4 / 3);
    assert.ok(Math.abs(mean(logAspects)) < 0.01, `mean log aspect ${mean(logAspects)}`);
    assert.ok(Math.min(...logAspects) > la - 0.02 && Math.max(...logAspects) < hi + 0.02);
    // below area 3/4 nothing is redrawn: log aspect is uniform there
    const small = logAspects.filter((_, i) => areas[i] < 0.7);
    for (const q of [0.25, 0.5, 0.75]) {
      const frac = small.filter((x) => x < la + q * (hi - la)).length / small.length;
      assert.ok(
        Math.abs(frac - q) < 0.02,
        `P(log aspect < ${q} of the range | area < 0.7) = ${frac}`,
      );
    }
  });

  it("reproduces the official TF sampler's law with sampler 'tf'", () => {
    const rng = createRng(12);
    const S = 400;
    const N = 20000;
    let areaSum = 0;
    let aspectSum = 0;
    for (let i = 0; i < N; i++) {
      const b = sampleCropBox(S, S, rng, { sampler: "tf" });
      const a = (b.width * b.height) / (S * S);
      assert.ok(a >= 0.1 - 1e-12, `area ${a} below min_object_covered`);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= S && b.y + b.height <= S);
      // TF draws offsets in [0, side - size): a smaller box never touches the right/bottom edge
      if (b.width < S) assert.ok(b.x + b.width < S);
      if (b.height < S) assert.ok(b.y + b.height < S);
      areaSum += a;
      aspectSum += b.width / b.height;
    }
    // aspect uniform in [3/4, 4/3]: mean 1.0417 (log-uniform would give 1.0138)
    assert.ok(Math.abs(aspectSum / N - (3 / 4 + 4 / 3) / 2) < 0.01, `mean aspect ${aspectSum / N}`);
    // height uniform between sqrt(0.08 / r) and min(1, 1 / r) (sides as fractions), areas
    // below 0.1 rejected: expected mean area by numerical integration of that law
    let num = 0;
    let den = 0;
    for (let i = 0; i < 300; i++) {
      const r = 0.75 + ((4 / 3 - 0.75) * (i + 0.5)) / 300;
      const lo = Math.sqrt(0.08 / r);
      const hi = Math.min(1, 1 / r);
      for (let j = 0; j < 300; j++) {
        const h = lo + ((hi - lo) * (j + 0.5)) / 300;
        const a = h * h * r;
        if (a >= 0.1) {
          num += a;
          den++;
        }
      }
    }
    assert.ok(
      Math.abs(areaSum / N - num / den) < 0.01,
      `mean area ${areaSum / N}, expected ${num / den}`,
    );
  });

  it("falls back to the centre crop (the whole square image) when no draw fits", () => {
    const b = sampleCropBox(32, 32, createRng(1), { scale: [2, 3] });
    assert.deepEqual(b, { y: 0, x: 0, height: 32, width: 32 });
    const wide = sampleCropBox(10, 40, createRng(1), { scale: [2, 3] });
    assert.deepEqual(wide, { y: 0, x: 13, height: 10, width: 13 });
  });

  it("resizes the whole-image box to an exact copy and interpolates bilinearly with half-pixel centres", () => {
    const batch = randomBatch(1, 5, 7, 2);
    const out = new Float32Array(batch.data.length);
    const scratch = { xi0: new Int32Array(7), xi1: new Int32Array(7), xw: new Float32Array(7) };
    resizeBoxBilinear(batch.data, 0, 7, { y: 0, x: 0, height: 5, width: 7 }, out, 0, 5, 7, scratch);
    assert.ok(maxDiff(out, batch.data) < 1e-7);
    // a 1x2 box [a, b] upscaled to 1x4: sample points -0.25, 0.25, 0.75, 1.25 -> clamp -> a, .75a+.25b, .25a+.75b, b
    const src = Float32Array.from([0, 0, 0, 1, 1, 1]);
    const dst = new Float32Array(12);
    const s4 = { xi0: new Int32Array(4), xi1: new Int32Array(4), xw: new Float32Array(4) };
    resizeBoxBilinear(src, 0, 2, { y: 0, x: 0, height: 1, width: 2 }, dst, 0, 1, 4, s4);
    assert.ok(maxDiff(dst, [0, 0, 0, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 1, 1, 1]) < 1e-7);
  });

  it("keeps the batch shape and the value range", () => {
    const batch = randomBatch(8, 32, 32, 3);
    const out = randomResizedCrop(batch, createRng(3));
    assert.equal(out.data.length, batch.data.length);
    for (const v of out.data) assert.ok(v >= 0 && v <= 1);
  });
});

describe("random flip", () => {
  it("mirrors rows exactly, flips about half of the images, and twice is the identity", () => {
    const batch = randomBatch(1, 3, 4, 4);
    const f = randomFlip(batch, createRng(1), { p: 1 });
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++)
        for (let c = 0; c < 3; c++) {
          assert.equal(f.data[(y * 4 + x) * 3 + c], batch.data[(y * 4 + 3 - x) * 3 + c]);
        }
    assert.deepEqual(
      Array.from(randomFlip(f, createRng(2), { p: 1 }).data),
      Array.from(batch.data),
    );
    const many = randomBatch(2000, 1, 2, 5);
    const out = randomFlip(many, createRng(6));
    let flipped = 0;
    for (let i = 0; i < 2000; i++) if (out.data[i * 6] !== many.data[i * 6]) flipped++;
    assert.ok(Math.abs(flipped / 2000 - 0.5) < 0.04, `flipped ${flipped / 2000}`);
  });
});
