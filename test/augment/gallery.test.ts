import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { galleryFigure, galleryPng } from "../../src/augment/gallery";
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
});
