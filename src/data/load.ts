/**
 * Finding and loading a data set by name ("cifar10", "stl10", or a folder path) through the data
 * root, with the decoded one-file-per-split cache. CIFAR-10 is what SimCLR appendix B.9 trains on.
 *
 * Search order for a name: the explicit `path` option, the `SIMCLR_<NAME>_DIR` variable, then
 * `<data root>/<name>` (an official binary release or an image folder) and, for CIFAR-10,
 * `<data root>/cifar10-jpeg`. A CIFAR-10 or STL-10 found nowhere is downloaded from the official
 * address into `<data root>/<name>` (MD5 checked, then cached), as torchvision's `download=True`
 * does, unless the caller passes `download: false` (the CLI and notebooks do for
 * `SIMCLR_NO_DOWNLOAD=1`). Without network it fails at once with where it looked and how to get it.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Dataset, ImageSplit } from "./types";
import { cacheDir, dataLocations, dataRoot, datasetDirVariable, datasetKey } from "./paths";
import { readSplitCache, writeSplitCache, type CacheHeader } from "./cache";
import { decodeFolder, folderStamp, listImageFolder, type FolderListing } from "./imagefolder";
import {
  CIFAR10_MD5, CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES, CIFAR10_URL, cifar10Classes, findCifar10BinaryDir, parseCifar10Files,
} from "./cifar10";
import { STL10_MD5, STL10_URL, findStl10BinaryDir, parseStl10Files, stl10Classes } from "./stl10";
import { downloadFile, downloadProgress, extractTarGz } from "./download";

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /** Explicit data-set folder: an image folder with train/ and test/, or a binary release folder. */
  path?: string;
  /** Data root; default `SIMCLR_DATA`, else `<project>/data`. */
  dataRoot?: string;
  /** Read and write the decoded cache under `<data root>/cache`. */
  cache: boolean;
  /** Ignore an existing cache and decode again (the cache is rewritten). */
  rebuild: boolean;
  /** Skip unreadable images with a count instead of stopping at the first. */
  lenient: boolean;
  /** Download CIFAR-10 / STL-10 from the official address when not found. */
  download: boolean;
  /** Where to download from instead of the official address (a mirror; tests), with its MD5. */
  archive?: { url: string; md5: string };
  /** Milliseconds to wait for the download server to answer (offline machines fail after this). */
  connectTimeoutMs?: number;
  /** STL-10 unlabelled split: false, true (all 100,000 images, 2.8 GB) or the number of images to read. */
  unlabeled: boolean | number;
  /** Image decode worker threads (image folders); undefined = one per core, at most 4. */
  workers?: number;
  /**
   * Progress of slow stages: ("decode train", done, total), ("download", bytes, total). Default:
   * the download shows a progress bar (notebook or terminal), decoding shows nothing.
   */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** One-line notices (non-image files skipped in an image folder); default: a line on stderr. */
  onNotice?: (message: string) => void;
}

/** Defaults of {@link LoadOptions}. */
export const LOAD_DEFAULTS: Readonly<LoadOptions> = Object.freeze({
  cache: true,
  rebuild: false,
  lenient: false,
  /** as torchvision's download=True: a missing CIFAR-10 / STL-10 is fetched on first use */
  download: true,
  unlabeled: false,
});

type Format = NonNullable<Dataset["format"]>;
/** A data set found on disk: its folder and format. */
export interface Located {
  dir: string;
  format: Format;
}

/** Recognises a data-set folder: binary CIFAR-10, binary STL-10, or an image folder with train/ and test/. */
export function detectFormat(dir: string): Located | null {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  const c = findCifar10BinaryDir(dir);
  if (c) return { dir: c, format: "cifar10-binary" };
  const s = findStl10BinaryDir(dir);
  if (s) return { dir: s, format: "stl10-binary" };
  if (fs.existsSync(path.join(dir, "train")) && fs.statSync(path.join(dir, "train")).isDirectory()) {
    return { dir: path.resolve(dir), format: "folder" };
  }
  return null;
}

/** The places searched for a data set, in order (for loading and for the "not found" message). */
export function candidateDirs(name: string, opts: Partial<LoadOptions> = {}): string[] {
  const root = dataRoot(opts.dataRoot);
  const out: string[] = [];
  if (opts.path) out.push(path.resolve(opts.path));
  // An explicit data root from the caller wins over the per-data-set environment variable.
  const env = opts.dataRoot === undefined ? dataLocations().datasetDirs[datasetKey(name)] : undefined;
  if (env) out.push(path.resolve(env));
  out.push(path.join(root, name));
  if (name === "cifar10") out.push(path.join(root, "cifar10-jpeg"));
  return out;
}

/**
 * Where a data set is on disk, searching {@link candidateDirs} in order (no download); null when
 * absent. Tests use it to choose between real data and a generated fixture.
 */
export function locateDataset(name: string, opts: Partial<LoadOptions> = {}): Located | null {
  for (const d of candidateDirs(name, opts)) {
    const found = detectFormat(d);
    if (found) return found;
  }
  return null;
}

function howToGet(name: string, root: string): string {
  const variable = datasetDirVariable(name);
  if (name === "cifar10") {
    return `It is downloaded on first use when the network allows (unless SIMCLR_NO_DOWNLOAD=1); or get it with \`simclr data cifar10 --download\` (fetches ${CIFAR10_URL} into ${path.join(root, "cifar10")}), or point ${variable} or --root at an image folder with train/<class>/*.jpg and test/<class>/*.jpg, or set SIMCLR_DATA to a data root holding cifar10/ or cifar10-jpeg/.`;
  }
  if (name === "stl10") {
    return `It is downloaded on first use when the network allows (unless SIMCLR_NO_DOWNLOAD=1); or get it with \`simclr data stl10 --download\` (fetches ${STL10_URL}, 2.5 GB, into ${path.join(root, "stl10")}), or point ${variable} or --root at the extracted stl10_binary folder.`;
  }
  return `Put an image folder with train/<class>/ and test/<class>/ subfolders at ${path.join(root, name)}, or set ${variable}, or pass its path.`;
}

function listingChecksum(files: string[]): string {
  const h = crypto.createHash("sha1");
  for (const f of files) {
    const st = fs.statSync(f);
    h.update(`${path.basename(f)}:${st.size}:${Math.floor(st.mtimeMs)}\n`);
  }
  return h.digest("hex");
}

/**
 * Loads a data set by name or path: "cifar10", "stl10", a name under the data root, or a folder
 * path. Throws an Error saying where it looked and how to get the data when it is not found, and
 * naming the file and what was expected on bad input. Decoded splits are cached under
 * `<data root>/cache/<name>-<split>.bin`.
 */
export async function loadDataset(name: string, options: Partial<LoadOptions> = {}): Promise<Dataset> {
  const opts: LoadOptions = { ...LOAD_DEFAULTS, ...options };
  const root = dataRoot(opts.dataRoot);
  let key = name;
  const pathLike = name.includes("/") || name.includes(path.sep) || name.startsWith(".");
  if (!opts.path && pathLike && fs.existsSync(name)) {
    opts.path = name;
    key = path.basename(path.resolve(name)).replace(/[^A-Za-z0-9_.-]/g, "_");
  } else if (!opts.path && path.isAbsolute(name)) {
    throw new Error(`${name}: no such folder (expected a data set folder: train/ and test/ subfolders of one folder per class, or the CIFAR-10 / STL-10 binary files)`);
  }
  const places = candidateDirs(key, opts);
  let found: Located | null = null;
  if (opts.path) {
    found = detectFormat(path.resolve(opts.path));
    if (!found) {
      throw new Error(`${path.resolve(opts.path)}: not a data set folder (expected train/ and test/ subfolders of one folder per class, or the CIFAR-10 / STL-10 binary files)`);
    }
  } else {
    found = locateDataset(key, opts);
  }
  let downloadFailure = "";
  if (!found && opts.download && (key === "cifar10" || key === "stl10")) {
    try {
      found = await downloadRelease(key, root, opts);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // A corrupt or unreadable download is its own error; no network is the "not found" below.
      if (!message.startsWith("cannot download ")) throw e;
      downloadFailure = `\nThe download failed: ${message}.`;
    }
  }
  if (!found) {
    throw new Error(`data set '${name}' not found; looked in:\n${places.map((p) => `  ${p}`).join("\n")}${downloadFailure}\n${howToGet(key, root)}`);
  }
  // Folder and binary copies of one data set get separate cache files (their checksums differ).
  const tag = found.format === "folder" ? "-folder" : "";
  const cachePath = (split: string): string => path.join(cacheDir(root), `${key}${tag}-${split}.bin`);
  if (found.format === "folder") return loadFolder(key, found.dir, cachePath, opts);

  if (found.format === "cifar10-binary") {
    const dir = found.dir;
    const classes = cifar10Classes(dir);
    let fromCache = true;
    const load = (split: string, names: readonly string[]): ImageSplit => {
      const files = names.map((f) => path.join(dir, f));
      for (const f of files) if (!fs.existsSync(f)) throw new Error(`${f}: missing CIFAR-10 batch file (expected ${names.join(", ")} in ${dir})`);
      const sum = listingChecksum(files);
      const hit = opts.cache && !opts.rebuild ? readSplitCache(cachePath(split), sum) : null;
      if (hit) return hit.split;
      fromCache = false;
      const s = parseCifar10Files(files);
      if (opts.cache) tryWriteCache(cachePath(split), s, { classes, checksum: sum, source: dir });
      return s;
    };
    const train = load("train", CIFAR10_TRAIN_FILES);
    const test = load("test", CIFAR10_TEST_FILES);
    return {
      name: key, classes, train, test, format: "cifar10-binary", fromCache,
      source: `${dir} (CIFAR-10 binary release; cache ${opts.cache ? cachePath("{train,test}") : "off"})`,
    };
  }

  const dir = found.dir;
  const classes = stl10Classes(dir);
  let fromCache = true;
  const load = (split: string): ImageSplit => {
    const files = [path.join(dir, `${split}_X.bin`), path.join(dir, `${split}_y.bin`)];
    for (const f of files) if (!fs.existsSync(f)) throw new Error(`${f}: missing STL-10 file`);
    const sum = listingChecksum(files);
    const hit = opts.cache && !opts.rebuild ? readSplitCache(cachePath(split), sum) : null;
    if (hit) return hit.split;
    fromCache = false;
    const s = parseStl10Files(files[0], files[1]);
    if (opts.cache) tryWriteCache(cachePath(split), s, { classes, checksum: sum, source: dir });
    return s;
  };
  const train = load("train");
  const test = load("test");
  let unlabeled: ImageSplit | undefined;
  if (opts.unlabeled !== false) {
    const limit = opts.unlabeled === true ? Infinity : opts.unlabeled;
    unlabeled = parseStl10Files(path.join(dir, "unlabeled_X.bin"), null, limit);
  }
  return {
    name: key, classes, train, test, unlabeled, format: "stl10-binary", fromCache,
    source: `${dir} (STL-10 binary release; cache ${opts.cache ? cachePath("{train,test}") : "off"})`,
  };
}

/** Says how many non-image files an image folder had (torchvision's ImageFolder skips them silently). */
function noticeIgnored(dir: string, count: number, examples: string[], opts: LoadOptions): void {
  if (count === 0) return;
  const names = [...new Set(examples.map((f) => path.basename(f)))].slice(0, 3).join(", ");
  const message = `${dir}: skipped ${count} file${count === 1 ? "" : "s"} that ${count === 1 ? "is" : "are"} not JPEG/PNG images by extension${names ? ` (${names}${count > 3 ? ", ..." : ""})` : ""}`;
  if (opts.onNotice) opts.onNotice(message);
  else process.stderr.write(`simclr: ${message}\n`);
}

/** The image-folder branch of {@link loadDataset}: listing, decoding and the split caches. */
async function loadFolder(key: string, dir: string, cachePath: (split: string) => string, opts: LoadOptions): Promise<Dataset> {
  const dirs = { train: path.join(dir, "train"), test: path.join(dir, "test") };
  const stamps = { train: folderStamp(dirs.train), test: folderStamp(dirs.test) };
  const source = `${dir} (image folder; cache ${opts.cache ? cachePath("{train,test}") : "off"})`;
  // Fast path: class folders unchanged since the cache was written (no 60,000-name listing).
  if (opts.cache && !opts.rebuild && stamps.train && stamps.test) {
    const tr = readSplitCache(cachePath("train"), (h) => h.stamp === stamps.train);
    const te = tr && readSplitCache(cachePath("test"), (h) => h.stamp === stamps.test && h.classes.join("\n") === tr.header.classes.join("\n"));
    if (tr && te) {
      const ignored = (tr.header.ignored ?? 0) + (te.header.ignored ?? 0);
      noticeIgnored(dir, ignored, [], opts);
      return { name: key, classes: tr.header.classes, train: tr.split, test: te.split, format: "folder", fromCache: true, skipped: 0, ignored, source };
    }
  }
  const trainList = listImageFolder(dirs.train);
  const testList = listImageFolder(dirs.test, trainList.classes);
  const ignored = [...trainList.ignored, ...testList.ignored];
  noticeIgnored(dir, ignored.length, ignored, opts);
  let skipped = 0;
  let fromCache = true;
  const load = async (split: "train" | "test", list: FolderListing): Promise<ImageSplit> => {
    const file = cachePath(split);
    const header = { classes: list.classes, checksum: list.checksum, source: list.dir, stamp: stamps[split] ?? undefined, ignored: list.ignored.length };
    const hit = opts.cache && !opts.rebuild ? readSplitCache(file, list.checksum) : null;
    if (hit) {
      // same files, folders touched: refresh the stamp so the next load takes the fast path
      if (hit.header.stamp !== stamps[split]) tryWriteCache(file, hit.split, header);
      return hit.split;
    }
    fromCache = false;
    const progress = (d: number, t: number): void => opts.onProgress?.(`decode ${split}`, d, t);
    const r = await decodeFolder(list, { lenient: opts.lenient, workers: opts.workers, onProgress: progress });
    skipped += r.skipped.length;
    if (opts.cache && r.skipped.length === 0) tryWriteCache(file, r.split, header);
    return r.split;
  };
  const train = await load("train", trainList);
  const test = await load("test", testList);
  if (test.height !== train.height || test.width !== train.width) {
    throw new Error(`${testList.dir}: images are ${test.width}x${test.height}, expected ${train.width}x${train.height} like the training split`);
  }
  return { name: key, classes: trainList.classes, train, test, format: "folder", fromCache, skipped, ignored: ignored.length, source };
}

function tryWriteCache(file: string, split: ImageSplit, header: Omit<CacheHeader, "n" | "height" | "width">): void {
  try {
    writeSplitCache(file, split, header);
  } catch (e) {
    process.stderr.write(`simclr: could not write the data cache ${file} (${e instanceof Error ? e.message : String(e)}); continuing without it\n`);
  }
}

/**
 * Downloads and extracts an official release into `<root>/<name>`. The archive is extracted into a
 * folder of this process first and moved into place whole, so two processes downloading at once
 * (cells of a parallel sweep) never read a half-extracted copy.
 */
async function downloadRelease(name: "cifar10" | "stl10", root: string, opts: LoadOptions): Promise<Located> {
  const official = name === "cifar10" ? { url: CIFAR10_URL, md5: CIFAR10_MD5 } : { url: STL10_URL, md5: STL10_MD5 };
  const { url, md5 } = opts.archive ?? official;
  const dir = path.join(root, name);
  const archive = path.join(dir, path.basename(new URL(url).pathname) || `${name}.tar.gz`);
  const onProgress = opts.onProgress ? (d: number, t: number) => opts.onProgress?.("download", d, t) : downloadProgress(`downloading ${name} from ${url}`);
  await downloadFile(url, archive, { md5, onProgress, ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}) });
  const staging = path.join(dir, `.extract-${process.pid}`);
  try {
    await extractTarGz(archive, staging);
    for (const entry of fs.readdirSync(staging)) {
      const target = path.join(dir, entry);
      if (!fs.existsSync(target)) fs.renameSync(path.join(staging, entry), target);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(archive, { force: true });
  }
  const found = detectFormat(dir);
  if (!found) throw new Error(`${archive}: extracted into ${dir} but the expected ${name} files are not there`);
  return found;
}
