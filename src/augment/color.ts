/**
 * Colour distortion (SimCLR section 3 and appendix A): colour jitter of strength s — brightness,
 * contrast and saturation factors 0.8 s, hue shift 0.2 s — in random order, applied with p = 0.8,
 * followed by random grayscale with p = 0.2. Table 1 varies s; appendix B.9 uses s = 0.5 on CIFAR-10.
 *
 * Formulas follow tf.image and google-research/simclr tf2/data_util.py `color_jitter_rand`, with a
 * clip to [0, 1] after every step:
 * - brightness, impl "simclrv2" (official default): x * f, f ~ U[max(0, 1 - b), 1 + b];
 *   impl "simclrv1": x + d, d ~ U[-b, b] (tf.image.random_brightness);
 * - contrast: (x - mean_c) * f + mean_c, f ~ U[1 - c, 1 + c], mean per channel over the image
 *   (tf.image.adjust_contrast; torchvision uses the grayscale mean instead);
 * - saturation: HSV saturation times f ~ U[1 - s, 1 + s], clipped to [0, 1] (tf.image.adjust_saturation);
 * - hue: HSV hue plus d ~ U[-h, h] turns, wrapped (tf.image.adjust_hue).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";
import { toGrayscale } from "./grayscale";

/** Brightness variant: multiplicative (SimCLR v2 code, default) or additive (SimCLR v1 code). */
export type BrightnessImpl = "simclrv2" | "simclrv1";

/** Options of {@link colorJitter} (and the jitter part of {@link colorDistortion}). */
export interface ColorJitterOptions {
  /** Colour strength s; SimCLR appendix A uses 1.0 on ImageNet, appendix B.9 uses 0.5 on CIFAR-10. */
  strength: number;
  /** Probability of jittering an image; SimCLR appendix A: 0.8. */
  p: number;
  /** Apply brightness, contrast, saturation and hue in a random order per image (appendix A: yes). */
  randomOrder: boolean;
  /** Brightness variant; official tf2 default "simclrv2" (multiplicative). */
  impl: BrightnessImpl;
}

/** Options of {@link colorDistortion}: jitter, then random grayscale. */
export interface ColorDistortionOptions extends ColorJitterOptions {
  /** Probability of dropping colour after the jitter; SimCLR appendix A: 0.2. */
  grayscaleP: number;
}

/** Defaults of {@link ColorJitterOptions}, SimCLR appendix A. */
export const COLOR_JITTER_DEFAULTS: Readonly<ColorJitterOptions> = Object.freeze({
  strength: 1.0,
  p: 0.8,
  randomOrder: true,
  impl: "simclrv2" as BrightnessImpl,
});

/** Defaults of {@link ColorDistortionOptions}, SimCLR appendix A. */
export const COLOR_DISTORTION_DEFAULTS: Readonly<ColorDistortionOptions> = Object.freeze({
  ...COLOR_JITTER_DEFAULTS,
  grayscaleP: 0.2,
});

/**
 * Brightness, then a clip to [0, 1] (the official clip after the step), in place: multiplies by
 * `value` ("simclrv2") or adds `value` ("simclrv1"). One pass: the product is clipped before it is
 * stored, which equals storing then clipping (rounding to float32 keeps order, and 0 and 1 are exact).
 */
export function adjustBrightness(
  data: Float32Array,
  offset: number,
  npix: number,
  value: number,
  impl: BrightnessImpl = "simclrv2",
): void {
  const end = offset + npix * 3;
  const mul = impl === "simclrv2" ? value : 1;
  const add = impl === "simclrv2" ? 0 : value;
  for (let j = offset; j < end; j++) {
    const v = data[j] * mul + add;
    data[j] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/**
 * Contrast: (x - mean) * factor + mean per channel, means over the image, then a clip to [0, 1]
 * (the official clip after the step), in place: a pass for the means, a pass for the pixels.
 */
export function adjustContrast(
  data: Float32Array,
  offset: number,
  npix: number,
  factor: number,
): void {
  const end = offset + npix * 3;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  for (let j = offset; j < end; j += 3) {
    m0 += data[j];
    m1 += data[j + 1];
    m2 += data[j + 2];
  }
  const a0 = (m0 / npix) * (1 - factor);
  const a1 = (m1 / npix) * (1 - factor);
  const a2 = (m2 / npix) * (1 - factor);
  for (let j = offset; j < end; j += 3) {
    const r = data[j] * factor + a0;
    const g = data[j + 1] * factor + a1;
    const b = data[j + 2] * factor + a2;
    data[j] = r < 0 ? 0 : r > 1 ? 1 : r;
    data[j + 1] = g < 0 ? 0 : g > 1 ? 1 : g;
    data[j + 2] = b < 0 ? 0 : b > 1 ? 1 : b;
  }
}

/**
 * Saturation: HSV saturation times `factor`, clipped to [0, 1], hue and value kept, in place.
 * Equivalent to the HSV round trip without it: each channel is v - (v - c) * min(factor, v / (v - min)).
 */
export function adjustSaturation(
  data: Float32Array,
  offset: number,
  npix: number,
  factor: number,
): void {
  const end = offset + npix * 3;
  const f = factor < 0 ? 0 : factor;
  for (let j = offset; j < end; j += 3) {
    const r = data[j];
    const g = data[j + 1];
    const b = data[j + 2];
    // branch-free (Math.max/min): a gray pixel (d = 0) keeps its values since mx - r = 0
    const mx = Math.max(r, g, b);
    const d = mx - Math.min(r, g, b);
    const k = Math.min(f, mx / Math.max(d, 1e-30));
    data[j] = mx - (mx - r) * k;
    data[j + 1] = mx - (mx - g) * k;
    data[j + 2] = mx - (mx - b) * k;
  }
}

/** Hue: rotates HSV hue by `delta` turns (wrapping), saturation and value kept, in place. */
export function adjustHue(data: Float32Array, offset: number, npix: number, delta: number): void {
  const end = offset + npix * 3;
  // hue in sixths of a turn, shifted into [0, 6)
  const shift6 = (delta - Math.floor(delta)) * 6;
  for (let j = offset; j < end; j += 3) {
    const r = data[j];
    const g = data[j + 1];
    const b = data[j + 2];
    const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
    const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
    const d = mx - mn;
    if (d <= 0) continue; // gray: hue undefined, unchanged
    let h6: number;
    if (mx === r) h6 = (g - b) / d;
    else if (mx === g) h6 = (b - r) / d + 2;
    else h6 = (r - g) / d + 4;
    h6 += shift6;
    if (h6 < 0) h6 += 6;
    if (h6 >= 6) h6 -= 6;
    if (h6 >= 6) h6 = 0;
    // HSV -> RGB with v = mx, v * s = d: each channel is mx - d * clamp(|h6 - k| - 1, 0, 1) style
    const sector = h6 | 0;
    const f = h6 - sector;
    const rise = mn + d * f; // t
    const fall = mx - d * f; // q
    switch (sector) {
      case 0:
        data[j] = mx;
        data[j + 1] = rise;
        data[j + 2] = mn;
        break;
      case 1:
        data[j] = fall;
        data[j + 1] = mx;
        data[j + 2] = mn;
        break;
      case 2:
        data[j] = mn;
        data[j + 1] = mx;
        data[j + 2] = rise;
        break;
      case 3:
        data[j] = mn;
        data[j + 1] = fall;
        data[j + 2] = mx;
        break;
      case 4:
        data[j] = rise;
        data[j + 1] = mn;
        data[j + 2] = mx;
        break;
      default:
        data[j] = mx;
        data[j + 1] = mn;
        data[j + 2] = fall;
        break;
    }
  }
}

/** Jitters one image in place with fresh random factors (the per-image body of the jitter). */
function jitterImage(
  data: Float32Array,
  offset: number,
  npix: number,
  o: ColorJitterOptions,
  rng: Rng,
  order: Int32Array,
): void {
  const b = 0.8 * o.strength;
  const c = 0.8 * o.strength;
  const s = 0.8 * o.strength;
  const h = 0.2 * o.strength;
  order[0] = 0;
  order[1] = 1;
  order[2] = 2;
  order[3] = 3;
  if (o.randomOrder) {
    for (let k = 3; k > 0; k--) {
      const m = rng.int(k + 1);
      const t = order[k];
      order[k] = order[m];
      order[m] = t;
    }
  }
  for (let k = 0; k < 4; k++) {
    switch (order[k]) {
      case 0:
        if (b === 0) continue;
        if (o.impl === "simclrv2")
          adjustBrightness(data, offset, npix, rng.uniform(Math.max(1 - b, 0), 1 + b), "simclrv2");
        else adjustBrightness(data, offset, npix, rng.uniform(-b, b), "simclrv1");
        break;
      case 1:
        if (c === 0) continue;
        adjustContrast(data, offset, npix, rng.uniform(1 - c, 1 + c));
        break;
      case 2:
        if (s === 0) continue;
        adjustSaturation(data, offset, npix, rng.uniform(1 - s, 1 + s));
        break;
      default:
        if (h === 0) continue;
        adjustHue(data, offset, npix, rng.uniform(-h, h));
        break;
    }
    // saturation and hue keep values in [0, 1] (they keep each pixel's min and max in range);
    // brightness and contrast clip as they store, as the official clip after every step.
  }
}

/** The batched colour-jitter kernel (in place). */
export function colorJitterKernel(opts?: Partial<ColorJitterOptions>): Kernel {
  return colorDistortionKernel({ ...withDefaults(COLOR_JITTER_DEFAULTS, opts), grayscaleP: 0 });
}

/** The batched colour-distortion kernel: jitter with p, then grayscale with grayscaleP (in place). */
export function colorDistortionKernel(opts?: Partial<ColorDistortionOptions>): Kernel {
  const o = withDefaults(COLOR_DISTORTION_DEFAULTS, opts);
  return {
    inPlace: true,
    run(src, out, rng) {
      if (out !== src.data) out.set(src.data);
      const npix = src.height * src.width;
      const order = new Int32Array(4);
      for (let i = 0; i < src.n; i++) {
        const off = i * npix * 3;
        if (rng.next() < o.p) jitterImage(out, off, npix, o, rng, order);
        if (o.grayscaleP > 0 && rng.next() < o.grayscaleP) toGrayscale(out, off, npix);
      }
    },
  };
}

/** Colour jitter of each image with probability p (new batch). */
export function colorJitter(
  batch: ImageBatch,
  rng: Rng,
  opts?: Partial<ColorJitterOptions>,
): ImageBatch {
  checkBatch(batch, "colorJitter");
  return applyKernel(colorJitterKernel(opts), batch, rng);
}

/** SimCLR colour distortion: jitter (p = 0.8) then grayscale (p = 0.2) (new batch). */
export function colorDistortion(
  batch: ImageBatch,
  rng: Rng,
  opts?: Partial<ColorDistortionOptions>,
): ImageBatch {
  checkBatch(batch, "colorDistortion");
  return applyKernel(colorDistortionKernel(opts), batch, rng);
}
