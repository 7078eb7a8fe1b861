/**
 * Random horizontal flip, p = 0.5 (SimCLR appendix A: part of "crop", applied after the resized crop,
 * as tf2/data_util.py `preprocess_for_train`).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Options of {@link randomFlip}. */
export interface FlipOptions {
  /** Probability of flipping an image left-right; SimCLR appendix A: 0.5. */
  p: number;
}

/** Defaults of {@link FlipOptions}. */
export const FLIP_DEFAULTS: Readonly<FlipOptions> = Object.freeze({ p: 0.5 });

/** Mirrors one NHWC image left-right from `src` into `out` (must not alias). */
export function flipImage(
  src: Float32Array,
  out: Float32Array,
  offset: number,
  height: number,
  width: number,
): void {
  for (let y = 0; y < height; y++) {
    const row = offset + y * width * 3;
    for (let x = 0; x < width; x++) {
      const s = row + x * 3;
      const d = row + (width - 1 - x) * 3;
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
  }
}

/** The batched flip kernel. */
export function flipKernel(opts?: Partial<FlipOptions>): Kernel {
  const o = withDefaults(FLIP_DEFAULTS, opts);
  return {
    inPlace: false,
    run(src, out, rng) {
      const size = src.height * src.width * 3;
      for (let i = 0; i < src.n; i++) {
        if (rng.next() < o.p) flipImage(src.data, out, i * size, src.height, src.width);
        else out.set(src.data.subarray(i * size, (i + 1) * size), i * size);
      }
    },
  };
}

/** Flips each image left-right with probability p (new batch). */
export function randomFlip(batch: ImageBatch, rng: Rng, opts?: Partial<FlipOptions>): ImageBatch {
  checkBatch(batch, "randomFlip");
  return applyKernel(flipKernel(opts), batch, rng);
}
