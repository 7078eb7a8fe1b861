/**
 * Cutout (DeVries and Taylor 2017; one of the transformations of SimCLR Figure 4): a square of
 * side `size` x image side, centred at a uniformly random pixel (clipped at the borders), set to
 * `fill`. The paper does not give its cutout parameters; these follow DeVries and Taylor's CIFAR-10
 * setting (16 of 32 pixels, zero fill).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Options of {@link cutout}. */
export interface CutoutOptions {
  /** Probability of cutting out a square. */
  p: number;
  /** Side of the square as a fraction of the image's shorter side (DeVries and Taylor: 0.5 on CIFAR-10). */
  size: number;
  /** Fill value in [0, 1]. */
  fill: number;
}

/** Defaults of {@link CutoutOptions}. */
export const CUTOUT_DEFAULTS: Readonly<CutoutOptions> = Object.freeze({ p: 1, size: 0.5, fill: 0 });

/** The batched cutout kernel (in place). */
export function cutoutKernel(opts?: Partial<CutoutOptions>): Kernel {
  const o = withDefaults(CUTOUT_DEFAULTS, opts);
  return {
    inPlace: true,
    run(src, out, rng) {
      const { n, height: H, width: W } = src;
      if (out !== src.data) out.set(src.data);
      const side = Math.max(1, Math.round(o.size * Math.min(H, W)));
      for (let i = 0; i < n; i++) {
        if (!(rng.next() < o.p)) continue;
        const cy = rng.int(H);
        const cx = rng.int(W);
        const y0 = Math.max(0, cy - Math.floor(side / 2));
        const y1 = Math.min(H, cy - Math.floor(side / 2) + side);
        const x0 = Math.max(0, cx - Math.floor(side / 2));
        const x1 = Math.min(W, cx - Math.floor(side / 2) + side);
        for (let y = y0; y < y1; y++)
          out.fill(o.fill, ((i * H + y) * W + x0) * 3, ((i * H + y) * W + x1) * 3);
      }
    },
  };
}

/** Cuts a square out of each image with probability p (new batch). */
export function cutout(batch: ImageBatch, rng: Rng, opts?: Partial<CutoutOptions>): ImageBatch {
  checkBatch(batch, "cutout");
  return applyKernel(cutoutKernel(opts), batch, rng);
}
