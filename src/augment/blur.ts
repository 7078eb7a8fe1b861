/**
 * Gaussian blur (SimCLR appendix A): p = 0.5, sigma ~ U[0.1, 2.0], kernel size 10% of the image
 * height, separable. As tf2/data_util.py `random_blur`: radius = floor(floor(0.1 H) / 2), kernel
 * 2 radius + 1 taps, normalised to sum 1. Deliberate difference: borders are replicated instead of
 * zero-padded ('SAME' convolution darkens the border); a constant image stays constant.
 * The paper uses blur on ImageNet only (appendix B.9: not on CIFAR-10).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Options of {@link randomBlur}. */
export interface BlurOptions {
  /** Probability of blurring an image; SimCLR appendix A: 0.5. */
  p: number;
  /** Range of sigma in pixels; SimCLR appendix A: [0.1, 2.0]. */
  sigma: [number, number];
  /** Kernel size as a fraction of the image height; SimCLR appendix A: 10%. */
  kernelFraction: number;
}

/** Defaults of {@link BlurOptions}, SimCLR appendix A. */
export const BLUR_DEFAULTS: Readonly<BlurOptions> = Object.freeze({
  p: 0.5,
  sigma: [0.1, 2.0] as [number, number],
  kernelFraction: 0.1,
});

/** Kernel radius for an image height: floor(floor(fraction * height) / 2), as the official code. */
export function blurRadius(height: number, kernelFraction = BLUR_DEFAULTS.kernelFraction): number {
  return Math.floor(Math.floor(height * kernelFraction) / 2);
}

/** Normalised 1-D gaussian taps exp(-x^2 / (2 sigma^2)), x = -radius..radius; sums to 1. */
export function gaussianKernel1d(sigma: number, radius: number): Float32Array {
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Separable blur of one NHWC image with the taps `k` (edge-replicated borders): `src` -> `tmp`
 * (horizontal) -> `out` (vertical). `tmp` holds one image; `out` may alias `src`.
 */
export function blurImage(
  src: Float32Array,
  out: Float32Array,
  offset: number,
  height: number,
  width: number,
  k: Float32Array,
  tmp: Float32Array,
): void {
  const r = (k.length - 1) / 2;
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const base = offset + y * row;
    for (let x = 0; x < width; x++) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let t = -r; t <= r; t++) {
        let xx = x + t;
        if (xx < 0) xx = 0;
        else if (xx >= width) xx = width - 1;
        const w = k[t + r];
        const s = base + xx * 3;
        a0 += w * src[s];
        a1 += w * src[s + 1];
        a2 += w * src[s + 2];
      }
      const d = y * row + x * 3;
      tmp[d] = a0;
      tmp[d + 1] = a1;
      tmp[d + 2] = a2;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let t = -r; t <= r; t++) {
        let yy = y + t;
        if (yy < 0) yy = 0;
        else if (yy >= height) yy = height - 1;
        const w = k[t + r];
        const s = yy * row + x * 3;
        a0 += w * tmp[s];
        a1 += w * tmp[s + 1];
        a2 += w * tmp[s + 2];
      }
      const d = offset + y * row + x * 3;
      out[d] = a0;
      out[d + 1] = a1;
      out[d + 2] = a2;
    }
  }
}

/** The batched blur kernel (in place; uses one image of scratch). */
export function blurKernel(opts?: Partial<BlurOptions>): Kernel {
  const o = withDefaults(BLUR_DEFAULTS, opts);
  return {
    inPlace: true,
    run(src, out, rng) {
      const { n, height: H, width: W } = src;
      const size = H * W * 3;
      if (out !== src.data) out.set(src.data);
      const radius = blurRadius(H, o.kernelFraction);
      const tmp = new Float32Array(size);
      for (let i = 0; i < n; i++) {
        if (!(rng.next() < o.p)) continue;
        const sigma = rng.uniform(o.sigma[0], o.sigma[1]);
        if (radius === 0) continue;
        blurImage(out, out, i * size, H, W, gaussianKernel1d(sigma, radius), tmp);
      }
    },
  };
}

/** Gaussian blur of each image with probability p (new batch). */
export function randomBlur(batch: ImageBatch, rng: Rng, opts?: Partial<BlurOptions>): ImageBatch {
  checkBatch(batch, "randomBlur");
  return applyKernel(blurKernel(opts), batch, rng);
}
