/**
 * Image-folder data sets: `<dir>/<split>/<class>/<image>` with one subfolder per class, JPEG or PNG
 * (e.g. a CIFAR-10 copy exported as JPEG). Like torchvision's ImageFolder, files are taken as
 * images by their extension; others (README.txt, .DS_Store, Thumbs.db) are skipped and counted.
 * Decoding runs on worker threads; every image must have the size of the first one.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ImageSplit } from "./types";
import { IMAGE_EXTENSIONS, decodeImage } from "./decode";
import { decodeInto, type DecodeJob, type DecodeProblem } from "./decodeWorker";
import { startTsWorker } from "./worker";

/** The files of one split folder, by class. */
export interface FolderListing {
  /** The split folder, absolute. */
  dir: string;
  /** Class names = subfolder names, sorted. */
  classes: string[];
  /** Absolute file paths, class by class, each class's files sorted by name. */
  files: string[];
  /** Class index per file. */
  labels: Int16Array;
  /** Digest of the listing (class and file names): the cache key. */
  checksum: string;
  /** Files in class folders that are not images by their extension (or hidden), skipped. */
  ignored: string[];
}

/**
 * Image extensions this loader cannot decode (torchvision's ImageFolder lists them as images): a
 * class folder holding one is an error that says to convert it, never a silent skip.
 */
export const UNSUPPORTED_IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  ".bmp", ".gif", ".pgm", ".ppm", ".tif", ".tiff", ".webp",
]);

/** "image" (listed and decoded), "unsupported" (an image format not read here) or "other" (skipped). */
function classifyFile(name: string): "image" | "unsupported" | "other" {
  if (name.startsWith(".")) return "other"; // .DS_Store, macOS "._x.jpg" resource forks
  const ext = path.extname(name).toLowerCase();
  if (IMAGE_EXTENSIONS.includes(ext)) return "image";
  if (UNSUPPORTED_IMAGE_EXTENSIONS.includes(ext)) return "unsupported";
  return "other";
}

/** Options of {@link decodeFolder}. */
export interface FolderDecodeOptions {
  /** Skip unreadable images (corrupt, truncated, not an image, other size) and count them instead of stopping. */
  lenient: boolean;
  /** Decode worker threads; 0 decodes on the calling thread. */
  workers: number;
  /** Called now and then with (images decoded, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of {@link FolderDecodeOptions}. */
export const FOLDER_DECODE_DEFAULTS: Readonly<FolderDecodeOptions> = Object.freeze({
  lenient: false,
  /** one worker per core, at most 4 */
  workers: Math.max(1, Math.min(4, os.cpus().length)),
});

/** A decoded folder split plus the files that were skipped (lenient mode only). */
export interface FolderDecodeResult {
  split: ImageSplit;
  skipped: { file: string; reason: string }[];
}

/**
 * A cheap freshness stamp of a split folder: the class folder names and the modification times of
 * the split folder and each class folder (which change when files are added, removed or renamed).
 * Null when the folder is missing.
 */
export function folderStamp(dir: string): string | null {
  try {
    const abs = path.resolve(dir);
    const hash = crypto.createHash("sha1");
    hash.update(`${fs.statSync(abs).mtimeMs}\n`);
    const classes = fs
      .readdirSync(abs, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
    for (const c of classes) hash.update(`${c}:${fs.statSync(path.join(abs, c)).mtimeMs}\n`);
    return hash.digest("hex");
  } catch {
    return null;
  }
}

/**
 * Lists a split folder. Throws (naming the folder or file) when it is missing, has no class
 * subfolders, has a class folder without images, or holds an image format other than JPEG/PNG.
 * Files that are not images by their extension, and hidden files, are skipped and returned in
 * `ignored`; every listed image is checked when decoded.
 */
export function listImageFolder(dir: string, expectedClasses?: string[]): FolderListing {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new Error(`${abs}: split folder not found (expected one subfolder per class holding JPEG or PNG images)`);
  }
  const entries = fs.readdirSync(abs, { withFileTypes: true }).filter((e) => !e.name.startsWith("."));
  const classes = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (classes.length === 0) {
    throw new Error(`${abs}: no class subfolders (expected one subfolder per class holding JPEG or PNG images)`);
  }
  if (expectedClasses && expectedClasses.join("\n") !== classes.join("\n")) {
    throw new Error(`${abs}: class folders [${classes.join(", ")}] differ from the training split's [${expectedClasses.join(", ")}]`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  const ignored = entries.filter((e) => !e.isDirectory()).map((e) => path.join(abs, e.name));
  const hash = crypto.createHash("sha1");
  classes.forEach((c, k) => {
    const names: string[] = [];
    for (const e of fs.readdirSync(path.join(abs, c), { withFileTypes: true })) {
      if (e.isDirectory()) continue;
      const kind = classifyFile(e.name);
      if (kind === "unsupported") {
        throw new Error(`${path.join(abs, c, e.name)}: ${path.extname(e.name).toLowerCase()} images are not read (expected JPEG or PNG; convert the folder, e.g. with ImageMagick's mogrify -format png)`);
      }
      if (kind === "image") names.push(e.name);
      else ignored.push(path.join(abs, c, e.name));
    }
    names.sort();
    if (names.length === 0) {
      throw new Error(`${path.join(abs, c)}: empty class folder (expected at least one JPEG or PNG image: .jpg, .jpeg or .png)`);
    }
    hash.update(`${c}\n${names.join("\n")}\n\n`);
    const prefix = path.join(abs, c) + path.sep;
    for (const f of names) {
      files.push(prefix + f);
      labels.push(k);
    }
  });
  return { dir: abs, classes, files, labels: Int16Array.from(labels), checksum: hash.digest("hex"), ignored };
}

/**
 * Decodes every image of a listing into one NHWC uint8 split. Strict by default: the first bad file
 * stops loading with an Error naming it and what was expected; with `lenient`, bad files are skipped
 * and returned in `skipped`.
 */
export async function decodeFolder(listing: FolderListing, opts: Partial<FolderDecodeOptions> = {}): Promise<FolderDecodeResult> {
  const o: FolderDecodeOptions = {
    lenient: opts.lenient ?? FOLDER_DECODE_DEFAULTS.lenient,
    workers: opts.workers ?? FOLDER_DECODE_DEFAULTS.workers,
    onProgress: opts.onProgress,
  };
  const total = listing.files.length;
  // The first readable image fixes the size.
  let height = 0;
  let width = 0;
  const early: DecodeProblem[] = [];
  for (let i = 0; i < total && height === 0; i++) {
    try {
      const img = decodeImage(fs.readFileSync(listing.files[i]), listing.files[i]);
      height = img.height;
      width = img.width;
    } catch (e) {
      if (!o.lenient) throw e;
      early.push({ index: i, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (height === 0) throw new Error(`${listing.dir}: no readable image among ${total} files`);
  const size = height * width * 3;
  const shared = new SharedArrayBuffer(total * size);
  const out = new Uint8Array(shared);
  let problems: DecodeProblem[];
  const workers = total < 2000 ? 0 : o.workers;
  if (workers === 0) {
    problems = decodeInto(listing.files, 0, height, width, out, (d) => o.onProgress?.(d, total));
  } else {
    problems = await decodeWithWorkers(listing.files, height, width, shared, workers, (d) => o.onProgress?.(d, total));
  }
  problems = [...early.filter((p) => !problems.some((q) => q.index === p.index)), ...problems].sort((a, b) => a.index - b.index);
  if (problems.length > 0 && !o.lenient) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more bad files; pass lenient: true / --lenient to skip them)` : " (pass lenient: true / --lenient to skip bad files)";
    throw new Error(problems[0].message + more);
  }
  o.onProgress?.(total, total);
  const bad = new Set(problems.map((p) => p.index));
  const n = total - bad.size;
  const pixels = new Uint8Array(n * size);
  const labels = new Int16Array(n);
  if (bad.size === 0) {
    pixels.set(out);
    labels.set(listing.labels);
  } else {
    let j = 0;
    for (let i = 0; i < total; i++) {
      if (bad.has(i)) continue;
      pixels.set(out.subarray(i * size, (i + 1) * size), j * size);
      labels[j++] = listing.labels[i];
    }
  }
  return {
    split: { n, height, width, pixels, labels },
    skipped: problems.map((p) => ({ file: listing.files[p.index], reason: p.message })),
  };
}

async function decodeWithWorkers(
  files: string[],
  height: number,
  width: number,
  pixels: SharedArrayBuffer,
  workers: number,
  onProgress: (done: number) => void,
): Promise<DecodeProblem[]> {
  const chunk = Math.ceil(files.length / workers);
  const progress = new Array<number>(workers).fill(0);
  const modulePath = path.join(__dirname, "decodeWorker.ts");
  const runs = Array.from({ length: workers }, (_, w) => {
    const job: DecodeJob = { files: files.slice(w * chunk, (w + 1) * chunk), start: w * chunk, height, width, pixels };
    return new Promise<DecodeProblem[]>((resolve, reject) => {
      const worker = startTsWorker(modulePath, { kind: "simclr-decode", job });
      worker.on("message", (m: { type: string; done?: number; problems?: DecodeProblem[] }) => {
        if (m.type === "progress") {
          progress[w] = m.done ?? 0;
          onProgress(progress.reduce((a, b) => a + b, 0));
        } else if (m.type === "done") {
          resolve(m.problems ?? []);
          void worker.terminate();
        }
      });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (code !== 0) reject(new Error(`image decode worker exited with code ${code}`));
      });
    });
  });
  return (await Promise.all(runs)).flat();
}
