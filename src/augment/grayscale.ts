/**
 * Random grayscale ("color drop"), p = 0.2 (SimCLR appendix A), with the luma weights of
 * tf.image.rgb_to_grayscale (0.2989, 0.5870, 0.1140), replicated to three channels.
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Luma weights (R, G, B) of tf.image.rgb_to_grayscale (ITU-R BT.601). */
export const GRAY_WEIGHTS: readonly [number, number, number] = Object.freeze([
  0.2989, 0.587, 0.114,
]) as readonly [number, number, number];

/** Options of {@link randomGrayscale}. */
export interface GrayscaleOptions {
  /** Probability of dropping colour; SimCLR appendix A: 0.2. */
  p: number;
}

/** Defaults of {@link GrayscaleOptions}. */
export const GRAYSCALE_DEFAULTS: Readonly<GrayscaleOptions> = Object.freeze({ p: 0.2 });

/** Converts `npix` pixels from `offset` to gray in place. */
export function toGrayscale(data: Float32Array, offset: number, npix: number): void {
  const [wr, wg, wb] = GRAY_WEIGHTS;
  const end = offset + npix * 3;
  for (let j = offset; j < end; j += 3) {
    const g = wr * data[j] + wg * data[j + 1] + wb * data[j + 2];
    data[j] = g;
    data[j + 1] = g;
    data[j + 2] = g;
  }
}

/** The batched grayscale kernel (in place). */
export function grayscaleKernel(opts?: Partial<GrayscaleOptions>): Kernel {
  const o = withDefaults(GRAYSCALE_DEFAULTS, opts);
  return {
    inPlace: true,
    run(src, out, rng) {
      const npix = src.height * src.width;
      if (out !== src.data) out.set(src.data);
      for (let i = 0; i < src.n; i++) if (rng.next() < o.p) toGrayscale(out, i * npix * 3, npix);
    },
  };
}

/** Turns each image gray with probability p (new batch). */
export function randomGrayscale(
  batch: ImageBatch,
  rng: Rng,
  opts?: Partial<GrayscaleOptions>,
): ImageBatch {
  checkBatch(batch, "randomGrayscale");
  return applyKernel(grayscaleKernel(opts), batch, rng);
}
