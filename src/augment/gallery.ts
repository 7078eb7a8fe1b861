/**
 * Augmentation gallery: a grid of originals and their two augmented views (SimCLR Figure 4 shows
 * augmentations the same way), as PNG bytes for a file or inline display in a tslab notebook.
 * Images are upscaled with nearest-neighbour so 32x32 pixels stay visible.
 */
import type { ImageBatch } from "../data/types";
import { encodePng } from "../data/decode";
import { createRng } from "../util/random";
import {
  pipeline,
  type AugmentName,
  type ComposeOptions,
  type ExtraAugmentations,
  type StepLike,
} from "./compose";
import { makeTwoViews, symmetric, type TwoViewSpec } from "./views";

/** Options of {@link galleryPng}. */
export interface GalleryOptions {
  /** What each view gets: a list of steps (both views) or a two-view spec (e.g. asymmetric). */
  ops: StepLike[] | TwoViewSpec;
  /** Options per augmentation name (when `ops` is a list). */
  options: ComposeOptions;
  /** Seed of the augmentations. */
  seed: number;
  /** Upscaling factor (nearest neighbour). */
  scale: number;
  /** Original + two views per group; groups per grid row. */
  perRow: number;
  /** Gap between tiles in output pixels, and between groups (twice that). */
  gap: number;
  /** Augmentations that are not built in (plugin parts, resolved by the caller: src/parts). */
  extra?: ExtraAugmentations;
}

/** Defaults of {@link GalleryOptions}. */
export const GALLERY_DEFAULTS: Readonly<GalleryOptions> = Object.freeze({
  ops: ["crop", "flip", "color"] as AugmentName[],
  options: {},
  seed: 0,
  scale: 4,
  perRow: 4,
  gap: 4,
});

/** A rendered RGB image. */
export interface RgbImage {
  width: number;
  height: number;
  /** Packed RGB bytes, row-major. */
  rgb: Uint8Array;
}

function resolve(opts: Partial<GalleryOptions>): GalleryOptions {
  const o = { ...GALLERY_DEFAULTS };
  for (const [k, v] of Object.entries(opts))
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  return o;
}

/**
 * Renders the grid: for each image of `batch`, a group [original | view 1 | view 2], `perRow`
 * groups per row, on a white background.
 */
export function galleryImage(batch: ImageBatch, opts: Partial<GalleryOptions> = {}): RgbImage {
  const o = resolve(opts);
  const spec: TwoViewSpec = Array.isArray(o.ops)
    ? symmetric(pipeline(o.ops, o.options, o.extra))
    : o.ops;
  const [v1, v2] = makeTwoViews(batch, spec, createRng(o.seed), o.extra);
  const tiles = [batch, v1, v2];
  const tw = batch.width * o.scale;
  const th = batch.height * o.scale;
  const groupW = 3 * tw + 2 * o.gap;
  const cols = Math.min(o.perRow, batch.n);
  const rows = Math.ceil(batch.n / cols);
  const width = cols * groupW + (cols + 1) * 2 * o.gap;
  const height = rows * th + (rows + 1) * 2 * o.gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const size = batch.height * batch.width * 3;
  for (let i = 0; i < batch.n; i++) {
    const gx = 2 * o.gap + (i % cols) * (groupW + 2 * o.gap);
    const gy = 2 * o.gap + Math.floor(i / cols) * (th + 2 * o.gap);
    tiles.forEach((t, k) => {
      const x0 = gx + k * (tw + o.gap);
      for (let y = 0; y < th; y++) {
        const sy = Math.floor(y / o.scale);
        for (let x = 0; x < tw; x++) {
          const s = i * size + (sy * batch.width + Math.floor(x / o.scale)) * 3;
          const d = ((gy + y) * width + x0 + x) * 3;
          for (let c = 0; c < 3; c++) {
            const v = t.data[s + c] * 255 + 0.5;
            rgb[d + c] = v <= 0 ? 0 : v >= 255 ? 255 : v;
          }
        }
      }
    });
  }
  return { width, height, rgb };
}

/** The gallery grid as PNG bytes (see {@link galleryImage}). */
export function galleryPng(batch: ImageBatch, opts: Partial<GalleryOptions> = {}): Uint8Array {
  const img = galleryImage(batch, opts);
  return encodePng(img.rgb, img.width, img.height);
}

/** The gallery as a figure a notebook can display: PNG bytes, a data URL and the size. */
export function galleryFigure(
  batch: ImageBatch,
  opts: Partial<GalleryOptions> = {},
): { png: Uint8Array; dataUrl: string; width: number; height: number } {
  const img = galleryImage(batch, opts);
  const png = encodePng(img.rgb, img.width, img.height);
  return {
    png,
    dataUrl: `data:image/png;base64,${Buffer.from(png).toString("base64")}`,
    width: img.width,
    height: img.height,
  };
}
