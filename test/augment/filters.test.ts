import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blurImage, blurRadius, gaussianKernel1d, randomBlur } from "../../src/augment/blur";
import { cutout } from "../../src/augment/cutout";
import { gaussianNoise } from "../../src/augment/noise";
import { randomRotate, rotateImage } from "../../src/augment/rotate";
import { sobel } from "../../src/augment/sobel";
import { createRng } from "../../src/util/random";
import type { ImageBatch } from "../../src/data/types";
import { maxDiff, randomBatch, solidBatch } from "./support";

describe("gaussian blur", () => {
  it("uses a normalised symmetric kernel of 10% of the height (official radius rule)", () => {
    assert.equal(blurRadius(32), 1); // floor(3.2) = 3 taps
    assert.equal(blurRadius(96), 4); // floor(9.6) = 9 taps
    assert.equal(blurRadius(224), 11); // floor(22.4) = 22 -> 23 taps
    for (const sigma of [0.1, 0.5, 1, 2]) {
      const k = gaussianKernel1d(sigma, 4);
      assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-6);
      for (let i = 0; i < 4; i++) assert.equal(k[i], k[8 - i]);
      assert.ok(
        Math.abs(k[5] / k[4] - Math.exp(-1 / (2 * sigma * sigma))) <
          1e-4 * Math.max(1, k[5] / k[4]),
      );
    }
  });

  it("leaves a constant image unchanged, borders included", () => {
    const batch = solidBatch(96, 96, [0.3, 0.6, 0.9], 4);
    const out = randomBlur(batch, createRng(1), { p: 1 });
    assert.ok(maxDiff(out.data, batch.data) < 1e-6);
  });

  it("spreads an impulse into the outer product of the 1-D kernel", () => {
    const S = 9;
    const img = new Float32Array(S * S * 3);
    img[(4 * S + 4) * 3] = 1;
    const k = gaussianKernel1d(1.3, 2);
    const out = new Float32Array(img.length);
    blurImage(img, out, 0, S, S, k, new Float32Array(img.length));
    for (let y = 2; y <= 6; y++)
      for (let x = 2; x <= 6; x++) {
        assert.ok(Math.abs(out[(y * S + x) * 3] - k[y - 2] * k[x - 2]) < 1e-7);
      }
    assert.equal(out[(4 * S + 4) * 3 + 1], 0);
  });

  it("blurs about half of the images", () => {
    const batch = randomBatch(1000, 20, 20, 2); // radius 1
    const out = randomBlur(batch, createRng(2));
    let changed = 0;
    for (let i = 0; i < 1000; i++)
      if (
        maxDiff(
          out.data.subarray(i * 1200, (i + 1) * 1200),
          batch.data.subarray(i * 1200, (i + 1) * 1200),
        ) > 0
      )
        changed++;
    assert.ok(Math.abs(changed / 1000 - 0.5) < 0.05, `blurred ${changed / 1000}`);
  });
});

describe("rotation", () => {
  it("rotates a 2x2 image counter-clockwise exactly and four quarter turns give the identity", () => {
    // pixel values a b / c d (channel 0); 90 degrees counter-clockwise gives b d / a c
    const img = Float32Array.from([1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0]);
    const out = new Float32Array(12);
    rotateImage(img, out, 0, 2, 90);
    assert.deepEqual([out[0], out[3], out[6], out[9]], [2, 4, 1, 3]);
    rotateImage(img, out, 0, 2, 180);
    assert.deepEqual([out[0], out[3], out[6], out[9]], [4, 3, 2, 1]);
    rotateImage(img, out, 0, 2, 270);
    assert.deepEqual([out[0], out[3], out[6], out[9]], [3, 1, 4, 2]);
    let b: ImageBatch = randomBatch(3, 5, 5, 3);
    const orig = Float32Array.from(b.data);
    for (let k = 0; k < 4; k++) b = randomRotate(b, createRng(k), { angles: [90] });
    assert.deepEqual(Array.from(b.data), Array.from(orig));
  });

  it("refuses quarter turns of non-square images", () => {
    assert.throws(
      () => randomRotate(randomBatch(1, 4, 6), createRng(1)),
      /quarter turns need square images, got 6x4/,
    );
    const r = randomRotate(randomBatch(1, 4, 6), createRng(1), { angles: [180] });
    assert.equal(r.data.length, 72);
  });
});

describe("Sobel filter", () => {
  it("responds 1 on both sides of a unit step edge and 0 elsewhere", () => {
    const H = 6;
    const W = 8;
    const data = new Float32Array(H * W * 3);
    for (let y = 0; y < H; y++)
      for (let x = 4; x < W; x++) for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = 1;
    const out = sobel({ n: 1, height: H, width: W, channels: 3, data }, createRng(1));
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const want = x === 3 || x === 4 ? 1 : 0;
        for (let c = 0; c < 3; c++)
          assert.ok(Math.abs(out.data[(y * W + x) * 3 + c] - want) < 1e-6, `(${y},${x})`);
      }
    const flat = sobel(solidBatch(5, 5, [0.4, 0.4, 0.4]), createRng(1));
    assert.ok(maxDiff(flat.data, new Float32Array(75)) < 1e-6);
  });
});

describe("cutout and gaussian noise", () => {
  it("fills one square of half the side, clipped at the borders", () => {
    const batch = solidBatch(32, 32, [1, 1, 1], 200);
    const out = cutout(batch, createRng(4));
    let sawFull = false;
    for (let i = 0; i < 200; i++) {
      let zeros = 0;
      for (let j = i * 3072; j < (i + 1) * 3072; j += 3) if (out.data[j] === 0) zeros++;
      assert.ok(zeros > 0 && zeros <= 256, `image ${i}: ${zeros} pixels cut`);
      if (zeros === 256) sawFull = true;
    }
    assert.ok(sawFull);
  });

  it("adds noise of the requested standard deviation and clips to [0, 1]", () => {
    const batch = solidBatch(32, 32, [0.5, 0.5, 0.5], 20);
    const out = gaussianNoise(batch, createRng(5), { std: 0.05 });
    let s = 0;
    let q = 0;
    for (const v of out.data) {
      s += v - 0.5;
      q += (v - 0.5) ** 2;
    }
    const n = out.data.length;
    assert.ok(Math.abs(s / n) < 0.002);
    assert.ok(Math.abs(Math.sqrt(q / n) - 0.05) < 0.002);
    const loud = gaussianNoise(batch, createRng(6), { std: 2 });
    for (const v of loud.data) assert.ok(v >= 0 && v <= 1);
  });
});
