import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeImage, encodePng, sniffFormat } from "../../src/data/decode";
import { jpegBytes, smoothImage } from "./helpers";

describe("image decoding", () => {
  it("decodes a PNG back to exactly the pixels it was encoded from", () => {
    const rgb = smoothImage(5, 7, 3);
    const img = decodeImage(encodePng(rgb, 7, 5), "x.png");
    assert.equal(img.width, 7);
    assert.equal(img.height, 5);
    assert.deepEqual(Array.from(img.rgb), Array.from(rgb));
  });

  it("decodes a JPEG to within JPEG's loss of the original pixels", () => {
    const rgb = smoothImage(16, 16, 1);
    const img = decodeImage(jpegBytes(rgb, 16, 16), "x.jpg");
    assert.equal(img.width, 16);
    let err = 0;
    for (let i = 0; i < rgb.length; i++) err += Math.abs(img.rgb[i] - rgb[i]);
    assert.ok(err / rgb.length < 6, `mean abs error ${err / rgb.length}`);
  });

  it("recognises formats from leading bytes, not names", () => {
    assert.equal(sniffFormat(encodePng(smoothImage(2, 2, 0), 2, 2)), "png");
    assert.equal(sniffFormat(jpegBytes(smoothImage(8, 8, 0), 8, 8)), "jpeg");
    assert.equal(sniffFormat(new TextEncoder().encode("hello")), null);
  });

  it("reports a non-image file with its name and what was expected", () => {
    assert.throws(() => decodeImage(new TextEncoder().encode("not an image"), "cls/readme.txt"), /cls\/readme\.txt: not an image \(expected a JPEG or PNG/);
  });

  it("reports a truncated JPEG with its name", () => {
    const bytes = jpegBytes(smoothImage(16, 16, 2), 16, 16);
    assert.throws(() => decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2)), "a/b.jpg"), /a\/b\.jpg: truncated or corrupt JPEG/);
  });

  it("accepts bytes appended after a JPEG's end-of-image marker", () => {
    const bytes = jpegBytes(smoothImage(16, 16, 4), 16, 16);
    const padded = new Uint8Array(bytes.length + 40);
    padded.set(bytes);
    padded.fill(0x41, bytes.length);
    assert.equal(decodeImage(padded, "x.jpg").width, 16);
  });

  it("reports a truncated PNG with its name", () => {
    const bytes = encodePng(smoothImage(16, 16, 2), 16, 16);
    assert.throws(() => decodeImage(bytes.subarray(0, bytes.length - 20), "a/c.png"), /a\/c\.png: truncated or corrupt PNG/);
  });

  it("reports a JPEG whose scan data is corrupt", () => {
    const bytes = new Uint8Array(jpegBytes(smoothImage(16, 16, 2), 16, 16));
    // overwrite the frame header region with garbage but keep SOI and EOI markers
    for (let i = 20; i < bytes.length - 2; i++) bytes[i] = 0xff;
    assert.throws(() => decodeImage(bytes, "bad.jpg"), /bad\.jpg: .*JPEG/);
  });
});
