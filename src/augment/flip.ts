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

/** Mirrors one NHWC image left-right in place (swapping pixels within each row). */
function flipImageInPlace(data: Float32Array, offset: number, height: number, width: number): void {
  for (let y = 0; y < height; y++) {
    const row = offset + y * width * 3;
    for (let a = row, b = row + (width - 1) * 3; a < b; a += 3, b -= 3) {
      const r = data[a];
      const g = data[a + 1];
      const bl = data[a + 2];
      data[a] = data[b];
      data[a + 1] = data[b + 1];
      data[a + 2] = data[b + 2];
      data[b] = r;
      data[b + 1] = g;
      data[b + 2] = bl;
    }
  }
}

/** The batched flip kernel (in place). */
export function flipKernel(opts?: Partial<FlipOptions>): Kernel {
  const o = withDefaults(FLIP_DEFAULTS, opts);
  return {
    inPlace: true,
    run(src, out, rng) {
      const size = src.height * src.width * 3;
      if (out !== src.data) out.set(src.data);
      for (let i = 0; i < src.n; i++) {
        if (rng.next() < o.p) flipImageInPlace(out, i * size, src.height, src.width);
      }
    },
  };
}

/** Flips each image left-right with probability p (new batch). */
export function randomFlip(batch: ImageBatch, rng: Rng, opts?: Partial<FlipOptions>): ImageBatch {
  checkBatch(batch, "randomFlip");
  return applyKernel(flipKernel(opts), batch, rng);
}
