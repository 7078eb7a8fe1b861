/**
 * Image file decoding for image-folder data sets: JPEG (jpeg-js) and PNG (pngjs), pure JavaScript,
 * to packed RGB bytes. The format is recognised from the file's leading bytes, not its name, so a
 * non-image file in a class folder is reported as such rather than as a decoder crash.
 */
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";

/** A decoded image: packed RGB, row-major, 0..255. */
export interface DecodedImage {
  width: number;
  height: number;
  /** Length width * height * 3. */
  rgb: Uint8Array;
}

/** Image formats the folder loader reads. */
export type ImageFormat = "jpeg" | "png";

/** File name extensions the folder loader lists as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([".jpg", ".jpeg", ".png"]);

/** Recognises JPEG (FF D8 FF) and PNG (89 50 4E 47 0D 0A 1A 0A) from the leading bytes; null otherwise. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return "png";
  return null;
}

/**
 * Decodes a JPEG or PNG file's bytes to RGB. Throws an Error naming `file` and what was expected
 * when the bytes are not an image or the image is truncated or corrupt. PNG alpha is dropped.
 */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const format = sniffFormat(bytes);
  if (format === null) {
    throw new Error(`${file}: not an image (expected a JPEG or PNG file; leading bytes ${hex(bytes)})`);
  }
  if (format === "jpeg") {
    // A complete JPEG ends with the EOI marker FF D9 (some writers append a few bytes after it);
    // jpeg-js fills a truncated scan with grey instead of failing, so truncation is checked here.
    // In entropy-coded data FF is always followed by 00 or a restart marker, so FF D9 near the end
    // can only be the EOI.
    let eoi = false;
    for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 1024); i--) {
      if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) {
        eoi = true;
        break;
      }
    }
    if (!eoi) {
      throw new Error(`${file}: truncated or corrupt JPEG (expected the end-of-image marker FF D9)`);
    }
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 512 });
    } catch (e) {
      throw new Error(`${file}: corrupt JPEG (${e instanceof Error ? e.message : String(e)})`);
    }
    if (img.data.length !== img.width * img.height * 3 || img.width === 0 || img.height === 0) {
      throw new Error(`${file}: corrupt JPEG (decoded ${img.data.length} bytes, expected ${img.width}x${img.height}x3)`);
    }
    return { width: img.width, height: img.height, rgb: img.data };
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${file}: truncated or corrupt PNG (${e instanceof Error ? e.message : String(e)})`);
  }
  const n = png.width * png.height;
  const rgba = png.data;
  if (rgba.length !== n * 4) {
    throw new Error(`${file}: corrupt PNG (decoded ${rgba.length} bytes, expected ${png.width}x${png.height}x4)`);
  }
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    rgb[i * 3] = rgba[j];
    rgb[i * 3 + 1] = rgba[j + 1];
    rgb[i * 3 + 2] = rgba[j + 2];
  }
  return { width: png.width, height: png.height, rgb };
}

/** Encodes packed RGB bytes as a PNG file (used by the augmentation gallery and tests). */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (rgb.length !== width * height * 3) {
    throw new Error(`encodePng: expected ${width * height * 3} bytes for ${width}x${height} RGB, got ${rgb.length}`);
  }
  const png = new PNG({ width, height });
  const n = width * height;
  for (let i = 0; i < n; i++) {
    png.data[i * 4] = rgb[i * 3];
    png.data[i * 4 + 1] = rgb[i * 3 + 1];
    png.data[i * 4 + 2] = rgb[i * 3 + 2];
    png.data[i * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ") || "(empty file)";
}
