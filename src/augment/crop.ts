/**
 * Random resized crop (SimCLR appendix A, "random crop and resize"): a crop of random area, uniform
 * in [0.08, 1] of the image, and random aspect ratio in [3/4, 4/3] (log-uniform, as torchvision's
 * RandomResizedCrop; the official TF code draws it uniformly), resized back to the input size with
 * bilinear interpolation.
 *
 * A drawn box that does not fit in the image is redrawn (as torchvision and TF do), so accepted
 * areas above 3/4 are under-represented (mean area 0.478 rather than 0.54 for square images).
 *
 * Official semantics (google-research/simclr tf2/data_util.py `crop_and_resize`, through
 * tf.image.sample_distorted_bounding_box): aspect uniform (not log-uniform), height uniform, up to
 * 100 attempts, then the whole image; the crop must cover 10% of the image (min_object_covered),
 * which raises the smallest area from 0.08 to 0.1. That sampler is kept as `sampler: "tf"`.
 * torchvision's fallback is a centre crop clamped to the ratio range, which for square images is
 * also the whole image; the default sampler uses that centre crop. Deliberate difference in both:
 * bilinear instead of bicubic resizing (bicubic overshoots and needs a clip).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Options of {@link randomResizedCrop}. */
export interface CropOptions {
  /** Range of the crop's area as a fraction of the image; SimCLR appendix A: [0.08, 1]. */
  scale: [number, number];
  /** Range of the crop's aspect ratio (width / height); SimCLR appendix A: [3/4, 4/3]. */
  ratio: [number, number];
  /** Draws before falling back to a centre crop; official tf2/data_util.py uses 100 (torchvision 10). */
  maxAttempts: number;
  /** Probability of cropping an image at all; SimCLR always crops (1). */
  p: number;
  /**
   * Box sampler. "paper": area uniform in `scale`, log-uniform aspect, centre-crop fallback
   * (appendix A as torchvision implements it). "tf": the official code's
   * tf.image.sample_distorted_bounding_box (aspect uniform, height uniform between the heights of
   * the smallest and largest allowed area, crop covering at least `minCovered` of the image, whole
   * image after `maxAttempts` failures).
   */
  sampler: "paper" | "tf";
  /** "tf" sampler: smallest fraction of the image the crop must cover; official min_object_covered 0.1. */
  minCovered: number;
}

/** Defaults of {@link CropOptions}, SimCLR appendix A. */
export const CROP_DEFAULTS: Readonly<CropOptions> = Object.freeze({
  scale: [0.08, 1] as [number, number],
  ratio: [3 / 4, 4 / 3] as [number, number],
  maxAttempts: 100,
  p: 1,
  sampler: "paper" as CropOptions["sampler"],
  minCovered: 0.1,
});

/** A crop box in pixels. */
export interface CropBox {
  y: number;
  x: number;
  height: number;
  width: number;
}

/**
 * Draws one crop box for an image of `height` x `width`: area fraction uniform in `scale`, aspect
 * ratio log-uniform in `ratio`, position uniform; centre-crop fallback after `maxAttempts` draws.
 */
export function sampleCropBox(
  height: number,
  width: number,
  rng: Rng,
  opts?: Partial<CropOptions>,
): CropBox {
  const o = withDefaults(CROP_DEFAULTS, opts);
  if (o.sampler === "tf") return sampleCropBoxTf(height, width, rng, o);
  const area = height * width;
  const logLo = Math.log(o.ratio[0]);
  const logHi = Math.log(o.ratio[1]);
  for (let a = 0; a < o.maxAttempts; a++) {
    const target = area * rng.uniform(o.scale[0], o.scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { y: rng.int(height - h + 1), x: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < o.ratio[0]) h = Math.round(w / o.ratio[0]);
  else if (inRatio > o.ratio[1]) w = Math.round(h * o.ratio[1]);
  return { y: Math.floor((height - h) / 2), x: Math.floor((width - w) / 2), height: h, width: w };
}

/** lrintf in the default rounding mode: to nearest, ties to even (Math.round sends ties up). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The official sampler (tf.image.sample_distorted_bounding_box with the whole image as the only
 * box): aspect uniform in `ratio`; height uniform over the integers between the heights giving the
 * smallest and the largest allowed area; width = round(aspect x height); one-pixel corrections
 * for rounding; the box must cover `minCovered` of the image; offsets uniform in
 * [0, side - size) (TF never places a smaller box flush with the bottom or right edge).
 */
function sampleCropBoxTf(H: number, W: number, rng: Rng, o: CropOptions): CropBox {
  const minArea = o.scale[0] * W * H;
  const maxArea = o.scale[1] * W * H;
  for (let a = 0; a < o.maxAttempts; a++) {
    const aspect = rng.uniform(o.ratio[0], o.ratio[1]);
    let h = roundHalfEven(Math.sqrt(minArea / aspect));
    let maxH = roundHalfEven(Math.sqrt(maxArea / aspect));
    if (roundHalfEven(maxH * aspect) > W) {
      maxH = Math.floor((W + 0.5 - 1e-7) / aspect);
      if (roundHalfEven(maxH * aspect) > W) maxH -= 1;
    }
    if (maxH > H) maxH = H;
    if (h >= maxH) h = maxH;
    if (h < maxH) h += rng.int(maxH - h + 1);
    let w = roundHalfEven(h * aspect);
    let area = w * h;
    if (area < minArea) {
      h += 1;
      w = roundHalfEven(h * aspect);
      area = w * h;
    }
    if (area > maxArea) {
      h -= 1;
      w = roundHalfEven(h * aspect);
      area = w * h;
    }
    if (area < minArea || area > maxArea || w > W || h > H || w <= 0 || h <= 0) continue;
    const y = h < H ? rng.int(H - h) : 0;
    const x = w < W ? rng.int(W - w) : 0;
    if (area < 1 || area / (W * H) < o.minCovered) continue;
    return { y, x, height: h, width: w };
  }
  return { y: 0, x: 0, height: H, width: W };
}

/**
 * Bilinear resize of a box of one image into an output image (NHWC, 3 channels), half-pixel
 * centres (as tf.image.resize without antialiasing), sampling clamped to the box.
 * `xi0`, `xi1`, `xw` are scratch arrays of length outW.
 */
export function resizeBoxBilinear(
  src: Float32Array,
  srcOffset: number,
  srcWidth: number,
  box: CropBox,
  out: Float32Array,
  outOffset: number,
  outH: number,
  outW: number,
  scratch: { xi0: Int32Array; xi1: Int32Array; xw: Float32Array },
): void {
  const { xi0, xi1, xw } = scratch;
  const sx = box.width / outW;
  const sy = box.height / outH;
  const xMax = box.width - 1;
  const yMax = box.height - 1;
  for (let ox = 0; ox < outW; ox++) {
    let fx = (ox + 0.5) * sx - 0.5;
    if (fx < 0) fx = 0;
    if (fx > xMax) fx = xMax;
    const x0 = Math.floor(fx);
    xi0[ox] = (box.x + x0) * 3;
    xi1[ox] = (box.x + Math.min(x0 + 1, xMax)) * 3;
    xw[ox] = fx - x0;
  }
  const rowStride = srcWidth * 3;
  let o = outOffset;
  for (let oy = 0; oy < outH; oy++) {
    let fy = (oy + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    if (fy > yMax) fy = yMax;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const r0 = srcOffset + (box.y + y0) * rowStride;
    const r1 = srcOffset + (box.y + Math.min(y0 + 1, yMax)) * rowStride;
    for (let ox = 0; ox < outW; ox++) {
      const a = xi0[ox];
      const b = xi1[ox];
      const wx = xw[ox];
      const p00 = src[r0 + a],
        p01 = src[r0 + b],
        p10 = src[r1 + a],
        p11 = src[r1 + b];
      const q00 = src[r0 + a + 1],
        q01 = src[r0 + b + 1],
        q10 = src[r1 + a + 1],
        q11 = src[r1 + b + 1];
      const s00 = src[r0 + a + 2],
        s01 = src[r0 + b + 2],
        s10 = src[r1 + a + 2],
        s11 = src[r1 + b + 2];
      let top = p00 + (p01 - p00) * wx;
      out[o] = top + (p10 + (p11 - p10) * wx - top) * wy;
      top = q00 + (q01 - q00) * wx;
      out[o + 1] = top + (q10 + (q11 - q10) * wx - top) * wy;
      top = s00 + (s01 - s00) * wx;
      out[o + 2] = top + (s10 + (s11 - s10) * wx - top) * wy;
      o += 3;
    }
  }
}

/** The batched crop kernel (see {@link randomResizedCrop}). */
export function cropKernel(opts?: Partial<CropOptions>): Kernel {
  const o = withDefaults(CROP_DEFAULTS, opts);
  return {
    inPlace: false,
    run(src, out, rng) {
      const { n, height: H, width: W } = src;
      const size = H * W * 3;
      const scratch = { xi0: new Int32Array(W), xi1: new Int32Array(W), xw: new Float32Array(W) };
      for (let i = 0; i < n; i++) {
        if (o.p < 1 && !(rng.next() < o.p)) {
          out.set(src.data.subarray(i * size, (i + 1) * size), i * size);
          continue;
        }
        const box = sampleCropBox(H, W, rng, o);
        resizeBoxBilinear(src.data, i * size, W, box, out, i * size, H, W, scratch);
      }
    },
  };
}

/** Random resized crop of every image of a batch, resized back to the batch's size (new batch). */
export function randomResizedCrop(
  batch: ImageBatch,
  rng: Rng,
  opts?: Partial<CropOptions>,
): ImageBatch {
  checkBatch(batch, "randomResizedCrop");
  return applyKernel(cropKernel(opts), batch, rng);
}
