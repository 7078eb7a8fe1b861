/** Small on-disk data sets in the official formats, generated for the data tests. */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import * as jpeg from "jpeg-js";
import { encodePng } from "../../src/data/decode";
import type { ImageSplit } from "../../src/data/types";
import { createRng } from "../../src/util/random";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir as supportTempDir } from "../support/tmp";

const made: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempDirs} (or at exit, test/support/tmp). */
export function tempDir(prefix = "simclr-data-"): string {
  const d = supportTempDir(prefix.replace(/^simclr-/, "").replace(/-$/, ""));
  made.push(d);
  return d;
}

/** Removes the folders made by {@link tempDir} (call from an `after` hook). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A random split of n images (labels cycle through `classes`). */
export function randomSplit(n: number, height: number, width: number, classes: number, seed = 1): ImageSplit {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * height * width * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = new Int16Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % classes;
  return { n, height, width, pixels, labels };
}

/** A smooth RGB image (compresses well as JPEG): gradients plus a per-image offset. */
export function smoothImage(height: number, width: number, k: number): Uint8Array {
  const rgb = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      rgb[o] = (x * 8 + k * 20) % 256;
      rgb[o + 1] = (y * 8 + k * 40) % 256;
      rgb[o + 2] = (128 + k * 10) % 256;
    }
  }
  return rgb;
}

/** JPEG bytes of an RGB image (quality 95). */
export function jpegBytes(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = rgb[i * 3];
    rgba[i * 4 + 1] = rgb[i * 3 + 1];
    rgba[i * 4 + 2] = rgb[i * 3 + 2];
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, 95).data);
}

/**
 * Writes an image folder `<dir>/<split>/<class>/<i>.{jpg,png}` with `perClass` images per class
 * per split (alternating PNG and JPEG, content repeating every 8 images), `side` x `side`.
 */
export function writeImageFolder(dir: string, classes: string[], perClass: number, side = 8): void {
  // jpeg-js's encoder is slow to set up (~40 ms a call): encode at most 8 distinct images per class
  const pool = new Map<string, Uint8Array>();
  for (const split of ["train", "test"]) {
    classes.forEach((c, ci) => {
      const d = path.join(dir, split, c);
      fs.mkdirSync(d, { recursive: true });
      for (let i = 0; i < perClass; i++) {
        const key = `${ci}:${i % 8}`;
        let bytes = pool.get(key);
        if (!bytes) {
          const rgb = smoothImage(side, side, ci * 7 + (i % 8));
          bytes = i % 2 === 0 ? encodePng(rgb, side, side) : jpegBytes(rgb, side, side);
          pool.set(key, bytes);
        }
        fs.writeFileSync(path.join(d, i % 2 === 0 ? `${i}.png` : `${i}.jpg`), bytes);
      }
    });
  }
}

/** Runs `fn` with SIMCLR_CIFAR10_DIR unset (CI sets it), restoring it afterwards. */
export async function withoutCifarVariable<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.SIMCLR_CIFAR10_DIR;
  delete process.env.SIMCLR_CIFAR10_DIR;
  configureFromEnv(process.env);
  try {
    return await fn();
  } finally {
    if (saved !== undefined) process.env.SIMCLR_CIFAR10_DIR = saved;
    configureFromEnv(process.env);
  }
}

/**
 * A gzip-compressed ustar archive of `entries` (folders first, then files), the format of the
 * official CIFAR-10 / STL-10 releases, written without the tar tool.
 */
export function tarGz(entries: { name: string; data?: Uint8Array }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const size = e.data?.length ?? 0;
    h.write(e.name, 0, 100, "utf8");
    h.write(e.data ? "0000644\0" : "0000755\0", 100, "latin1");
    h.write("0000000\0", 108, "latin1");
    h.write("0000000\0", 116, "latin1");
    h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
    h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, "0")}\0`, 136, "latin1");
    h.write(e.data ? "0" : "5", 156, "latin1");
    h.write("ustar\0" + "00", 257, "latin1");
    h.fill(32, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    blocks.push(h);
    if (e.data) {
      blocks.push(Buffer.from(e.data));
      blocks.push(Buffer.alloc((512 - (size % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}
