/**
 * Decoded-split cache: one file per split (`<root>/cache/<name>-<split>.bin`) so that a second load
 * of CIFAR-10 is a single read instead of 60,000 JPEG decodes.
 *
 * Layout (little endian): magic "SIMCLRDS" (8 bytes), u32 version, u32 header-JSON length, the JSON
 * header ({n, height, width, classes, checksum, source}), zero padding to a multiple of 8, then the
 * labels (n x int16), padding to 8, then the pixels (n x height x width x 3 bytes, NHWC RGB). The
 * `checksum` is a digest of the source listing (file names, or sizes of binary files); a cache whose
 * checksum differs from the current source is stale and rebuilt.
 */
import fs from "node:fs";
import path from "node:path";
import type { ImageSplit } from "./types";

/** Magic bytes at the start of every cache file. */
export const CACHE_MAGIC = "SIMCLRDS";
/** Cache layout version; bump when the layout changes. */
export const CACHE_VERSION = 1;

/** Header stored in a cache file. */
export interface CacheHeader {
  n: number;
  height: number;
  width: number;
  classes: string[];
  /** Digest of the source listing the split was decoded from. */
  checksum: string;
  /** Where the split was decoded from. */
  source: string;
  /**
   * Cheap freshness stamp of an image folder (class folder names and modification times), checked
   * before listing 60,000 file names; a mismatch falls back to the listing checksum.
   */
  stamp?: string;
  /** Non-image files skipped when the folder was listed (reported again on a cached load). */
  ignored?: number;
}

const pad8 = (x: number): number => (x + 7) & ~7;

/** Writes a split to `file` atomically (temporary file then rename). */
export function writeSplitCache(file: string, split: ImageSplit, header: Omit<CacheHeader, "n" | "height" | "width">): void {
  const json = Buffer.from(
    JSON.stringify({ ...header, n: split.n, height: split.height, width: split.width }),
    "utf8",
  );
  const labelsAt = pad8(16 + json.length);
  const pixelsAt = pad8(labelsAt + split.n * 2);
  const head = Buffer.alloc(pixelsAt);
  head.write(CACHE_MAGIC, 0, "latin1");
  head.writeUInt32LE(CACHE_VERSION, 8);
  head.writeUInt32LE(json.length, 12);
  json.copy(head, 16);
  Buffer.from(split.labels.buffer, split.labels.byteOffset, split.labels.byteLength).copy(head, labelsAt);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, head);
    let off = 0;
    const px = split.pixels;
    while (off < px.length) off += fs.writeSync(fd, px, off, Math.min(1 << 26, px.length - off));
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Reads only the header of a cache file; null when the file is absent or not a cache of this version. */
export function readCacheHeader(file: string): CacheHeader | null {
  return readHead(file)?.header ?? null;
}

function readHead(file: string): { header: CacheHeader; jsonLength: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const first = Buffer.alloc(16);
    if (fs.readSync(fd, first, 0, 16, 0) < 16) return null;
    if (first.toString("latin1", 0, 8) !== CACHE_MAGIC || first.readUInt32LE(8) !== CACHE_VERSION) return null;
    const len = first.readUInt32LE(12);
    const json = Buffer.alloc(len);
    if (fs.readSync(fd, json, 0, len, 16) < len) return null;
    return { header: JSON.parse(json.toString("utf8")) as CacheHeader, jsonLength: len };
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a whole cache file. Returns null when it is absent, of another version, or stale: its
 * checksum differs from `expected` (or the `expected` predicate rejects its header); throws when it is present but the wrong length (naming
 * the file and the expected length).
 */
export function readSplitCache(
  file: string,
  expected: string | ((header: CacheHeader) => boolean),
): { split: ImageSplit; header: CacheHeader } | null {
  const head = readHead(file);
  if (head === null) return null;
  if (typeof expected === "string" ? head.header.checksum !== expected : !expected(head.header)) return null;
  const header = head.header;
  const labelsAt = pad8(16 + head.jsonLength);
  const pixelsAt = pad8(labelsAt + header.n * 2);
  const expectedSize = pixelsAt + header.n * header.height * header.width * 3;
  const size = fs.statSync(file).size;
  if (size !== expectedSize) {
    throw new Error(`${file}: cache file is ${size} bytes, expected ${expectedSize} for ${header.n} images of ${header.height}x${header.width}x3; delete it to rebuild`);
  }
  const buf = fs.readFileSync(file);
  // A large readFileSync result is its own allocation (byteOffset 0), so the int16 view is aligned;
  // copy the labels in the unlikely case it is not.
  const labels =
    (buf.byteOffset + labelsAt) % 2 === 0
      ? new Int16Array(buf.buffer, buf.byteOffset + labelsAt, header.n)
      : new Int16Array(new Uint8Array(buf.subarray(labelsAt, labelsAt + header.n * 2)).buffer);
  const pixels = new Uint8Array(buf.buffer, buf.byteOffset + pixelsAt, header.n * header.height * header.width * 3);
  return { split: { n: header.n, height: header.height, width: header.width, labels, pixels }, header };
}
