/**
 * From stored bytes to model input: gathering images of a split into an ImageBatch (NHWC float32
 * in [0, 1]) and back to bytes for display.
 */
import type { ImageBatch, ImageSplit } from "./types";

const INV255 = new Float32Array(256).map((_, i) => i / 255);

/** Gathers the images at `indices` of a split into a float batch, bytes / 255. */
export function toImageBatch(split: ImageSplit, indices: Int32Array | ArrayLike<number>): ImageBatch {
  const size = split.height * split.width * 3;
  const n = indices.length;
  const data = new Float32Array(n * size);
  const px = split.pixels;
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    if (!(j >= 0 && j < split.n)) throw new RangeError(`toImageBatch: index ${j} out of range for a split of ${split.n} images`);
    const s = j * size;
    const d = i * size;
    for (let k = 0; k < size; k++) data[d + k] = INV255[px[s + k]];
  }
  return { n, height: split.height, width: split.width, channels: 3, data };
}

/** A float batch back to bytes (rounded, clamped to 0..255), NHWC. */
export function batchToBytes(batch: ImageBatch): Uint8Array {
  const out = new Uint8Array(batch.data.length);
  const d = batch.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] * 255 + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return out;
}

/** An empty float batch of the given shape (zeros). */
export function createImageBatch(n: number, height: number, width: number): ImageBatch {
  return { n, height, width, channels: 3, data: new Float32Array(n * height * width * 3) };
}
