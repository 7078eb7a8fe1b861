/**
 * Sobel filtering (one of the transformations of SimCLR Figure 4 and Table 3's "orig vs Sobel"
 * task): per channel, the gradient magnitude sqrt(gx^2 + gy^2) of the 3x3 Sobel operator with
 * replicated borders, divided by 4 (the response to a unit step edge) and clipped to [0, 1].
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Options of {@link sobel}. */
export interface SobelOptions {
  /** Probability of filtering an image. */
  p: number;
}

/** Defaults of {@link SobelOptions}. */
export const SOBEL_DEFAULTS: Readonly<SobelOptions> = Object.freeze({ p: 1 });

/** Sobel magnitude of one NHWC image from `src` into `out` (must not alias). */
function sobelImage(
  src: Float32Array,
  out: Float32Array,
  offset: number,
  height: number,
  width: number,
): void {
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const ym = offset + (y > 0 ? y - 1 : 0) * row;
    const y0 = offset + y * row;
    const yp = offset + (y < height - 1 ? y + 1 : y) * row;
    for (let x = 0; x < width; x++) {
      const xm = (x > 0 ? x - 1 : 0) * 3;
      const x0 = x * 3;
      const xp = (x < width - 1 ? x + 1 : x) * 3;
      for (let c = 0; c < 3; c++) {
        const gx =
          src[ym + xp + c] +
          2 * src[y0 + xp + c] +
          src[yp + xp + c] -
          src[ym + xm + c] -
          2 * src[y0 + xm + c] -
          src[yp + xm + c];
        const gy =
          src[yp + xm + c] +
          2 * src[yp + x0 + c] +
          src[yp + xp + c] -
          src[ym + xm + c] -
          2 * src[ym + x0 + c] -
          src[ym + xp + c];
        const m = Math.sqrt(gx * gx + gy * gy) / 4;
        out[y0 + x0 + c] = m > 1 ? 1 : m;
      }
    }
  }
}

/** The batched Sobel kernel. */
export function sobelKernel(opts?: Partial<SobelOptions>): Kernel {
  const o = withDefaults(SOBEL_DEFAULTS, opts);
  return {
    inPlace: false,
    run(src, out, rng) {
      const size = src.height * src.width * 3;
      for (let i = 0; i < src.n; i++) {
        if (rng.next() < o.p) sobelImage(src.data, out, i * size, src.height, src.width);
        else out.set(src.data.subarray(i * size, (i + 1) * size), i * size);
      }
    },
  };
}

/** Sobel edge magnitude of each image with probability p (new batch). */
export function sobel(batch: ImageBatch, rng: Rng, opts?: Partial<SobelOptions>): ImageBatch {
  checkBatch(batch, "sobel");
  return applyKernel(sobelKernel(opts), batch, rng);
}
