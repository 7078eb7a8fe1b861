/** Small batches for the augmentation tests. */
import type { ImageBatch } from "../../src/data/types";
import { createRng } from "../../src/util/random";

/** A batch of `n` random images in [0, 1]. */
export function randomBatch(n: number, height: number, width: number, seed = 1): ImageBatch {
  const rng = createRng(seed);
  const data = new Float32Array(n * height * width * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  return { n, height, width, channels: 3, data };
}

/** A batch of one image filled with one RGB colour. */
export function solidBatch(
  height: number,
  width: number,
  rgb: [number, number, number],
  n = 1,
): ImageBatch {
  const data = new Float32Array(n * height * width * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = rgb[0];
    data[i + 1] = rgb[1];
    data[i + 2] = rgb[2];
  }
  return { n, height, width, channels: 3, data };
}

/** Max absolute difference of two arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Independent slow RGB -> HSV (hue in turns), after Python's colorsys. */
export function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const v = maxc;
  if (minc === maxc) return [0, 0, v];
  const s = (maxc - minc) / maxc;
  const rc = (maxc - r) / (maxc - minc);
  const gc = (maxc - g) / (maxc - minc);
  const bc = (maxc - b) / (maxc - minc);
  let h: number;
  if (r === maxc) h = bc - gc;
  else if (g === maxc) h = 2 + rc - bc;
  else h = 4 + gc - rc;
  h = (h / 6) % 1;
  if (h < 0) h += 1;
  return [h, s, v];
}

/** Independent slow HSV -> RGB, after Python's colorsys. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  if (s === 0) return [v, v, v];
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  switch (((i % 6) + 6) % 6) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}
