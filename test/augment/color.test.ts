import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  colorDistortion,
  colorJitter,
} from "../../src/augment/color";
import { GRAY_WEIGHTS, randomGrayscale, toGrayscale } from "../../src/augment/grayscale";
import { createRng } from "../../src/util/random";
import { hsvToRgb, maxDiff, randomBatch, rgbToHsv, solidBatch } from "./support";

const px = (rgb: number[]): Float32Array => Float32Array.from(rgb);

describe("colour distortion", () => {
  it("rotates pure red by a third of a turn to green, two thirds to blue, a sixth to yellow", () => {
    const cases: [number, number[]][] = [
      [1 / 3, [0, 1, 0]],
      [2 / 3, [0, 0, 1]],
      [-1 / 3, [0, 0, 1]],
      [1 / 6, [1, 1, 0]],
      [1, [1, 0, 0]],
    ];
    for (const [delta, want] of cases) {
      const d = px([1, 0, 0]);
      adjustHue(d, 0, 1, delta);
      assert.ok(maxDiff(d, want) < 1e-6, `delta ${delta}: got ${Array.from(d)}`);
    }
    const g = px([0, 1, 0]);
    adjustHue(g, 0, 1, 1 / 3);
    assert.ok(maxDiff(g, [0, 0, 1]) < 1e-6);
  });

  it("matches an HSV round trip (colorsys) for hue and saturation on random pixels", () => {
    const rng = createRng(7);
    for (let k = 0; k < 2000; k++) {
      const rgb = [rng.next(), rng.next(), rng.next()];
      const delta = rng.uniform(-0.5, 0.5);
      const f = rng.uniform(0, 3);
      const [h, s, v] = rgbToHsv(rgb[0], rgb[1], rgb[2]);
      const hh = (((h + delta) % 1) + 1) % 1;
      const wantHue = hsvToRgb(hh, s, v);
      const wantSat = hsvToRgb(h, Math.min(1, s * f), v);
      const a = px(rgb);
      adjustHue(a, 0, 1, delta);
      const b = px(rgb);
      adjustSaturation(b, 0, 1, f);
      assert.ok(maxDiff(a, wantHue) < 1e-5, `hue ${rgb} ${delta}: ${Array.from(a)} vs ${wantHue}`);
      assert.ok(maxDiff(b, wantSat) < 1e-5, `sat ${rgb} ${f}: ${Array.from(b)} vs ${wantSat}`);
    }
  });

  it("turns gray with tf.image.rgb_to_grayscale's weights 0.2989, 0.587, 0.114", () => {
    assert.deepEqual(Array.from(GRAY_WEIGHTS), [0.2989, 0.587, 0.114]);
    const d = px([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.25, 1]);
    toGrayscale(d, 0, 4);
    const want = [0.2989, 0.587, 0.114, 0.2989 * 0.5 + 0.587 * 0.25 + 0.114];
    for (let i = 0; i < 4; i++)
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(d[i * 3 + c] - want[i]) < 1e-6);
    const all = randomGrayscale(randomBatch(3, 2, 2), createRng(1), { p: 1 });
    for (let i = 0; i < all.data.length; i += 3)
      assert.ok(all.data[i] === all.data[i + 1] && all.data[i] === all.data[i + 2]);
  });

  it("applies brightness multiplicatively (simclrv2) or additively (simclrv1), clipped to [0, 1]", () => {
    const a = px([0.2, 0.4, 0.5, 0.8]);
    adjustBrightness(a, 0, 1, 1.5, "simclrv2");
    assert.ok(maxDiff(a, [0.3, 0.6, 0.75, 0.8]) < 1e-6, "only the first pixel changes");
    const c = px([0.2, 0.7, 0.9]);
    adjustBrightness(c, 0, 1, 1.5, "simclrv2");
    assert.ok(maxDiff(c, [0.3, 1, 1]) < 1e-6);
    const b = px([0.2, 0.4, 0.5]);
    adjustBrightness(b, 0, 1, 0.1, "simclrv1");
    assert.ok(maxDiff(b, [0.3, 0.5, 0.6]) < 1e-6);
    const n = px([0.05, 0.4, 0.5]);
    adjustBrightness(n, 0, 1, -0.1, "simclrv1");
    assert.ok(maxDiff(n, [0, 0.3, 0.4]) < 1e-6);
  });

  it("scales contrast about each channel's image mean, clipped to [0, 1]", () => {
    // two pixels: channel means (0.3, 0.5, 0.5); unclipped (0.1, 0.5, -0.5), (0.5, 0.5, 1.5)
    const d = px([0.2, 0.5, 0.0, 0.4, 0.5, 1.0]);
    adjustContrast(d, 0, 2, 2);
    assert.ok(maxDiff(d, [0.1, 0.5, 0, 0.5, 0.5, 1]) < 1e-6);
  });

  it("runs the tested colour functions: the jitter equals them applied in order, bit for bit", () => {
    // With randomOrder off the jitter draws, per image: p, then brightness, contrast, saturation
    // and hue factors in that order. Replaying those draws through the exported functions must
    // give the pipeline's exact floats, so the pipeline cannot run a different copy of them.
    const batch = randomBatch(6, 5, 4, 11);
    for (const impl of ["simclrv2", "simclrv1"] as const) {
      const got = colorJitter(batch, createRng(7), {
        strength: 1.2,
        p: 1,
        randomOrder: false,
        impl,
      });
      const want = Float32Array.from(batch.data);
      const rng = createRng(7);
      const [b, cs, h] = [0.8 * 1.2, 0.8 * 1.2, 0.2 * 1.2];
      const npix = batch.height * batch.width;
      for (let i = 0; i < batch.n; i++) {
        const off = i * npix * 3;
        rng.next();
        const bv =
          impl === "simclrv2" ? rng.uniform(Math.max(1 - b, 0), 1 + b) : rng.uniform(-b, b);
        adjustBrightness(want, off, npix, bv, impl);
        adjustContrast(want, off, npix, rng.uniform(1 - cs, 1 + cs));
        adjustSaturation(want, off, npix, rng.uniform(1 - cs, 1 + cs));
        adjustHue(want, off, npix, rng.uniform(-h, h));
      }
      assert.deepEqual(Array.from(got.data), Array.from(want), impl);
    }
  });

  it("leaves images unchanged at strength 0 and keeps every output in [0, 1]", () => {
    const batch = randomBatch(16, 6, 6, 3);
    const same = colorJitter(batch, createRng(1), { strength: 0, p: 1 });
    assert.deepEqual(Array.from(same.data), Array.from(batch.data));
    for (const impl of ["simclrv1", "simclrv2"] as const) {
      const out = colorDistortion(batch, createRng(2), { strength: 1.5, p: 1, impl });
      for (const v of out.data) assert.ok(v >= 0 && v <= 1, `value ${v}`);
      assert.ok(maxDiff(out.data, batch.data) > 0.05);
    }
  });

  it("jitters about 80% and grays about 20% of images", () => {
    const batch = solidBatch(1, 1, [0.6, 0.3, 0.2], 4000);
    const out = colorDistortion(batch, createRng(5), { strength: 1 });
    let changed = 0;
    let gray = 0;
    for (let i = 0; i < 4000; i++) {
      const [r, g, b] = [out.data[i * 3], out.data[i * 3 + 1], out.data[i * 3 + 2]];
      if (r === g && g === b) gray++;
      if (maxDiff([r, g, b], [0.6, 0.3, 0.2]) > 1e-6) changed++;
    }
    // P(changed) = 1 - 0.2 * 0.8 = 0.84 (unchanged: no jitter and no gray); P(gray) = 0.2
    assert.ok(Math.abs(changed / 4000 - 0.84) < 0.025, `changed ${changed / 4000}`);
    assert.ok(Math.abs(gray / 4000 - 0.2) < 0.025, `gray ${gray / 4000}`);
  });
});
