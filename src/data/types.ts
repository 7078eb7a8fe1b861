/**
 * Shared image and data-set types. Images are stored NHWC, RGB, as bytes on disk and in the cache
 * (compact), and handed to augmentation and models as float32 in [0, 1].
 */

/** A batch of images, NHWC float32 in [0, 1], 3 channels (RGB). */
export interface ImageBatch {
  /** Number of images. */
  n: number;
  height: number;
  width: number;
  /** Always 3 (RGB). */
  channels: 3;
  /** Length n * height * width * 3, row-major NHWC. */
  data: Float32Array;
}

/** One split of a labelled image data set, as compact bytes. */
export interface ImageSplit {
  n: number;
  height: number;
  width: number;
  /** Length n * height * width * 3, NHWC, RGB, 0..255. */
  pixels: Uint8Array;
  /** Class index per image, 0..classes-1; -1 for unlabelled images (STL-10 unlabelled split). */
  labels: Int16Array;
}

/** A loaded data set. */
export interface Dataset {
  /** Name it was found by, e.g. "cifar10". */
  name: string;
  classes: string[];
  train: ImageSplit;
  test: ImageSplit;
  /** Unlabelled split where the data set has one (STL-10). */
  unlabeled?: ImageSplit;
  /** Where it came from: an absolute path or URL plus the cache file used. */
  source: string;
  /** Source format: an image folder, or an official binary release. */
  format?: "folder" | "cifar10-binary" | "stl10-binary";
  /** True when the splits were read from the decoded cache. */
  fromCache?: boolean;
  /** Images skipped as unreadable (only with lenient loading). */
  skipped?: number;
  /** Image folders: files skipped because they are not images by extension (README.txt, .DS_Store). */
  ignored?: number;
}
