/**
 * Additive gaussian noise (one of the transformations of SimCLR Figure 4): x + N(0, std^2) per
 * value, clipped to [0, 1]. The paper does not give its noise level; std = 0.1 of the [0, 1] range
 * is a visible but not destructive default.
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Options of {@link gaussianNoise}. */
export interface NoiseOptions {
  /** Probability of adding noise to an image. */
  p: number;
  /** Standard deviation of the noise, in [0, 1] pixel units. */
  std: number;
}

/** Defaults of {@link NoiseOptions}. */
export const NOISE_DEFAULTS: Readonly<NoiseOptions> = Object.freeze({ p: 1, std: 0.1 });

/** The batched noise kernel (in place). */
export function noiseKernel(opts?: Partial<NoiseOptions>): Kernel {
  const o = withDefaults(NOISE_DEFAULTS, opts);
  return {
    inPlace: true,
    run(src, out, rng) {
      if (out !== src.data) out.set(src.data);
      const size = src.height * src.width * 3;
      for (let i = 0; i < src.n; i++) {
        if (!(rng.next() < o.p)) continue;
        for (let j = i * size, end = j + size; j < end; j++) {
          const v = out[j] + o.std * rng.normal();
          out[j] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
      }
    },
  };
}

/** Adds clipped gaussian noise to each image with probability p (new batch). */
export function gaussianNoise(
  batch: ImageBatch,
  rng: Rng,
  opts?: Partial<NoiseOptions>,
): ImageBatch {
  checkBatch(batch, "gaussianNoise");
  return applyKernel(noiseKernel(opts), batch, rng);
}
