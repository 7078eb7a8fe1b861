import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExtraAugmentations } from "../../src/augment/compose";
import { galleryFigure, galleryImage, galleryPng } from "../../src/augment/gallery";
import { decodeImage } from "../../src/data/decode";
import { randomBatch } from "./support";

describe("augmentation gallery", () => {
  it("lays out original and two views per image, upscaled by nearest neighbour", () => {
    const batch = randomBatch(5, 4, 4, 1);
    const png = galleryPng(batch, { ops: ["crop", "color"], scale: 3, perRow: 2, gap: 2 });
    const img = decodeImage(png, "gallery.png");
    // 2 groups per row: width = 2 * (3 * 12 + 2 * 2) + 3 * 4 = 92; 3 rows: height = 3 * 12 + 4 * 4 = 52
    assert.equal(img.width, 92);
    assert.equal(img.height, 52);
    // the original tile of image 0 starts at (4, 4); its pixel (1, 2) covers 3x3 output pixels
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++) {
        const o: number = ((4 + 3 + dy) * img.width + 4 + 6 + dx) * 3;
        for (let c = 0; c < 3; c++)
          assert.equal(img.rgb[o + c], Math.round(batch.data[(1 * 4 + 2) * 3 + c] * 255));
      }
    // background between tiles is white
    assert.deepEqual(Array.from(img.rgb.subarray(0, 3)), [255, 255, 255]);
  });

  it("returns a PNG data URL a notebook can show", () => {
    const fig = galleryFigure(randomBatch(2, 4, 4, 2), { ops: ["flip"] });
    assert.match(fig.dataUrl, /^data:image\/png;base64,iVBORw0KGgo/);
    assert.equal(fig.png[1], 0x50);
  });

  it("shows an augmentation of the caller's own (a plugin's, passed as extra) in both views", () => {
    // An inverting kernel: every view pixel is 1 - original, so the view tiles differ from the original's.
    const invert: ExtraAugmentations = {
      has: (name) => name === "invert",
      names: () => ["invert"],
      kernel: () => ({
        inPlace: true,
        run: (src, out) => {
          for (let i = 0; i < out.length; i++) out[i] = 1 - src.data[i];
        },
      }),
    };
    const batch = randomBatch(1, 4, 4, 3);
    assert.throws(() => galleryImage(batch, { ops: ["invert"] }), /unknown augmentation 'invert'/);
    const img = galleryImage(batch, { ops: ["invert"], extra: invert, scale: 1, gap: 1 });
    // tiles of image 0: original at x = 2, view 1 at x = 2 + 4 + 1 = 7; both at y = 2
    const px = (x: number): number => img.rgb[(2 * img.width + x) * 3];
    assert.equal(px(2), Math.round(batch.data[0] * 255));
    assert.equal(px(7), Math.round((1 - batch.data[0]) * 255));
  });
});
