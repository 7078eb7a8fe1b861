/**
 * CIFAR-10 binary release (`cifar-10-binary.tar.gz`, Krizhevsky 2009): five training batches
 * `data_batch_{1..5}.bin` and `test_batch.bin`, each a sequence of 3073-byte records (one label byte,
 * then 1024 red, 1024 green, 1024 blue bytes of a 32x32 image in row-major order), and
 * `batches.meta.txt` with the class names. SimCLR appendix B.9 trains on it.
 */
import fs from "node:fs";
import path from "node:path";
import type { ImageSplit } from "./types";

/** Official download address of the binary release. */
export const CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/** MD5 of the official archive, as published on the CIFAR page. */
export const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
/** Folder inside the archive. */
export const CIFAR10_ARCHIVE_DIR = "cifar-10-batches-bin";
/** Training batch files, in order. */
export const CIFAR10_TRAIN_FILES: readonly string[] = Object.freeze([1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`));
/** Test batch file. */
export const CIFAR10_TEST_FILES: readonly string[] = Object.freeze(["test_batch.bin"]);
/** Class names in label order (also in batches.meta.txt). */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]);

const SIDE = 32;
const RECORD = 1 + 3 * SIDE * SIDE;

/** The folder holding the .bin files under `dir` (the folder itself or its cifar-10-batches-bin/), or null. */
export function findCifar10BinaryDir(dir: string): string | null {
  for (const d of [dir, path.join(dir, CIFAR10_ARCHIVE_DIR)]) {
    if (fs.existsSync(path.join(d, CIFAR10_TEST_FILES[0])) && fs.existsSync(path.join(d, CIFAR10_TRAIN_FILES[0]))) return d;
  }
  return null;
}

/** Class names from batches.meta.txt when present, else the standard list. */
export function cifar10Classes(binDir: string): string[] {
  const meta = path.join(binDir, "batches.meta.txt");
  if (fs.existsSync(meta)) {
    const names = fs.readFileSync(meta, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === 10) return names;
  }
  return [...CIFAR10_CLASSES];
}

/**
 * Parses CIFAR-10 binary batch files into one NHWC split. Throws naming the file when a file is
 * missing, its length is not a whole number of 3073-byte records, or a label is out of range.
 */
export function parseCifar10Files(files: string[]): ImageSplit {
  const buffers = files.map((f) => {
    if (!fs.existsSync(f)) throw new Error(`${f}: missing CIFAR-10 batch file`);
    const b = fs.readFileSync(f);
    if (b.length === 0 || b.length % RECORD !== 0) {
      throw new Error(`${f}: ${b.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records (expected 30730000 bytes for a batch of 10000 images)`);
    }
    return { f, b };
  });
  const n = buffers.reduce((s, x) => s + x.b.length / RECORD, 0);
  const plane = SIDE * SIDE;
  const pixels = new Uint8Array(n * plane * 3);
  const labels = new Int16Array(n);
  let i = 0;
  for (const { f, b } of buffers) {
    for (let r = 0; r < b.length; r += RECORD, i++) {
      const label = b[r];
      if (label > 9) throw new Error(`${f}: record ${r / RECORD} has label ${label}, expected 0..9`);
      labels[i] = label;
      const o = i * plane * 3;
      for (let p = 0; p < plane; p++) {
        pixels[o + p * 3] = b[r + 1 + p];
        pixels[o + p * 3 + 1] = b[r + 1 + plane + p];
        pixels[o + p * 3 + 2] = b[r + 1 + 2 * plane + p];
      }
    }
  }
  return { n, height: SIDE, width: SIDE, pixels, labels };
}

/** Encodes a split in the CIFAR-10 binary record format (for tests and exports). */
export function encodeCifar10Records(split: ImageSplit): Uint8Array {
  const plane = split.height * split.width;
  const out = new Uint8Array(split.n * (1 + 3 * plane));
  for (let i = 0; i < split.n; i++) {
    const r = i * (1 + 3 * plane);
    out[r] = split.labels[i];
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[r + 1 + c * plane + p] = split.pixels[(i * plane + p) * 3 + c];
    }
  }
  return out;
}
