/**
 * STL-10 binary release (`stl10_binary.tar.gz`, Coates et al. 2011): 96x96 images in
 * `{train,test,unlabeled}_X.bin`, each image 3 x 96 x 96 bytes stored channel by channel and,
 * within a channel, column-major (MATLAB order); labels 1..10 in `{train,test}_y.bin`; class names
 * in `class_names.txt`. SimCLR appendix B.9 also reports STL-10 results.
 */
import fs from "node:fs";
import path from "node:path";
import type { ImageSplit } from "./types";

/** Official download address of the binary release. */
export const STL10_URL = "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz";
/** MD5 of the official archive (as in torchvision's STL10 data set). */
export const STL10_MD5 = "91f7769df0f17e558f3565bffb0c7dfb";
/** Folder inside the archive. */
export const STL10_ARCHIVE_DIR = "stl10_binary";
/** Class names in label order. */
export const STL10_CLASSES: readonly string[] = Object.freeze([
  "airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck",
]);
const SIDE = 96;

/** The folder holding the .bin files under `dir` (itself or its stl10_binary/), or null. */
export function findStl10BinaryDir(dir: string): string | null {
  for (const d of [dir, path.join(dir, STL10_ARCHIVE_DIR)]) {
    if (fs.existsSync(path.join(d, "train_X.bin")) && fs.existsSync(path.join(d, "test_X.bin"))) return d;
  }
  return null;
}

/** Class names from class_names.txt when present, else the standard list. */
export function stl10Classes(binDir: string): string[] {
  const f = path.join(binDir, "class_names.txt");
  if (fs.existsSync(f)) {
    const names = fs.readFileSync(f, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === 10) return names;
  }
  return [...STL10_CLASSES];
}

/**
 * Parses an STL-10 image file (and its label file, or none for the unlabelled split) into an NHWC
 * split. `limit` reads only the first images (the unlabelled split is 100,000 images, 2.8 GB).
 * Throws naming the file when a length is not a whole number of images or labels disagree.
 */
export function parseStl10Files(xFile: string, yFile: string | null, limit = Infinity): ImageSplit {
  const size = 3 * SIDE * SIDE;
  if (!fs.existsSync(xFile)) throw new Error(`${xFile}: missing STL-10 image file`);
  const bytes = fs.statSync(xFile).size;
  if (bytes === 0 || bytes % size !== 0) {
    throw new Error(`${xFile}: ${bytes} bytes is not a whole number of ${size}-byte STL-10 images (3x96x96)`);
  }
  const n = Math.min(bytes / size, limit);
  const raw = Buffer.alloc(n * size);
  const fd = fs.openSync(xFile, "r");
  try {
    let off = 0;
    while (off < raw.length) {
      const got = fs.readSync(fd, raw, off, Math.min(1 << 26, raw.length - off), off);
      if (got <= 0) break;
      off += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  let labels = new Int16Array(n).fill(-1);
  if (yFile !== null) {
    if (!fs.existsSync(yFile)) throw new Error(`${yFile}: missing STL-10 label file`);
    const y = fs.readFileSync(yFile);
    if (y.length !== bytes / size) {
      throw new Error(`${yFile}: ${y.length} labels, expected ${bytes / size} (one byte per image of ${path.basename(xFile)})`);
    }
    labels = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      if (y[i] < 1 || y[i] > 10) throw new Error(`${yFile}: label ${y[i]} at index ${i}, expected 1..10`);
      labels[i] = y[i] - 1;
    }
  }
  const pixels = new Uint8Array(n * size);
  const plane = SIDE * SIDE;
  for (let i = 0; i < n; i++) {
    const src = i * size;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < SIDE; x++) {
        for (let yy = 0; yy < SIDE; yy++) {
          // column-major within a channel: index x * 96 + y
          pixels[src + (yy * SIDE + x) * 3 + c] = raw[src + c * plane + x * SIDE + yy];
        }
      }
    }
  }
  return { n, height: SIDE, width: SIDE, pixels, labels };
}

/** Encodes an NHWC split (96x96) in STL-10's image layout (for tests). */
export function encodeStl10Images(split: ImageSplit): Uint8Array {
  const plane = split.height * split.width;
  const out = new Uint8Array(split.n * 3 * plane);
  for (let i = 0; i < split.n; i++) {
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < split.width; x++) {
        for (let y = 0; y < split.height; y++) {
          out[i * 3 * plane + c * plane + x * split.height + y] = split.pixels[(i * plane + y * split.width + x) * 3 + c];
        }
      }
    }
  }
  return out;
}
