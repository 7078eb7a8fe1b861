/**
 * The augmentation gallery in a notebook (SimCLR Figure 4 style: originals and two views each),
 * displayed inline through tslab, with the loaded plugins' augmentations available by name: the
 * gallery itself (src/augment/gallery.ts) is a leaf and knows only the built-ins.
 */
import { galleryPng, type GalleryOptions } from "../augment/gallery";
import type { ImageBatch } from "../data/types";
import { pluginAugmentations } from "../parts/resolve";

/** Displays the gallery inline in a tslab notebook (tslab is loaded only here). */
export function showGallery(batch: ImageBatch, opts: Partial<GalleryOptions> = {}): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tslab = require("tslab") as typeof import("tslab");
  tslab.display.png(galleryPng(batch, { extra: pluginAugmentations(), ...opts }));
}
