/**
 * Fetching an official data-set archive, as torchvision's `download=True` does: HTTP download with
 * a short connect timeout (offline machines fail at once), a progress bar (in the notebook inside a
 * tslab kernel, else on stderr) and an MD5 check, then extraction of a .tar.gz with a small
 * streaming tar reader (regular files and folders of ustar/GNU archives; no links).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { notebookDisplay } from "../train/progress";

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Expected MD5 (hex) of the whole file; a mismatch deletes the file and throws. */
  md5?: string;
  /** Called with (bytes so far, total or NaN). Default: {@link downloadProgress}. */
  onProgress?: (done: number, total: number) => void;
  /** Milliseconds to wait for the server's response headers before giving up. */
  connectTimeoutMs: number;
  /** Milliseconds without a byte of the body before giving up (a stalled transfer). */
  stallTimeoutMs: number;
}

/** Defaults of {@link DownloadOptions}. */
export const DOWNLOAD_DEFAULTS: Readonly<Pick<DownloadOptions, "connectTimeoutMs" | "stallTimeoutMs">> = Object.freeze({
  /** short, so that a machine without network reports the missing data at once */
  connectTimeoutMs: 10_000,
  stallTimeoutMs: 60_000,
});

function barText(label: string, done: number, total: number): string {
  const mb = (x: number): string => (x / 1048576).toFixed(1);
  if (!(Number.isFinite(total) && total > 0)) return `${label} ${mb(done)} MB`;
  const frac = Math.min(1, done / total);
  const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
  return `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(done)}/${mb(total)} MB`;
}

/**
 * The default download progress: one notebook output rewritten in place inside a tslab kernel, a
 * bar redrawn in place on a terminal, else a line on stderr every 10%.
 */
export function downloadProgress(label: string): (done: number, total: number) => void {
  const nb = notebookDisplay();
  if (!nb && process.stderr.isTTY === true) return progressBar(label);
  let last = 0;
  let tenth = -1;
  return (done, total) => {
    const now = Date.now();
    if (nb) {
      if (now - last < 250 && done < total) return;
      last = now;
      nb.text(barText(label, done, total));
      return;
    }
    const t = Number.isFinite(total) && total > 0 ? Math.floor((10 * done) / total) : Math.floor(done / 104857600);
    if (t === tenth) return;
    tenth = t;
    process.stderr.write(`${barText(label, done, total)}\n`);
  };
}

/** A text progress bar on stderr, redrawn in place. */
export function progressBar(label: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 200 && done < total) return;
    last = now;
    process.stderr.write(`\r${barText(label, done, total)}`);
    if (done >= total) process.stderr.write("\n");
  };
}

/** MD5 of a file, hex. */
export async function md5File(file: string): Promise<string> {
  const hash = crypto.createHash("md5");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Downloads `url` to `dest` (through a temporary file of this process, renamed when complete and
 * verified), checking the MD5 when given. Throws with the URL and the cause (no answer within the
 * connect timeout, HTTP status, stalled transfer), or the file, expected and actual digest on a
 * mismatch; no partial file is left behind.
 */
export async function downloadFile(url: string, dest: string, options: Partial<DownloadOptions> = {}): Promise<void> {
  const opts = { ...DOWNLOAD_DEFAULTS, ...options };
  const onProgress = opts.onProgress ?? downloadProgress(`downloading ${path.basename(dest)}`);
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(new Error(`no answer within ${opts.connectTimeoutMs / 1000} s`)), opts.connectTimeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal: abort.signal });
  } catch (e) {
    clearTimeout(timer);
    throw new Error(`cannot download ${url}: ${reason(e, abort.signal)}`);
  }
  clearTimeout(timer);
  if (!res.ok || !res.body) throw new Error(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get("content-length") ?? NaN);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.part`;
  const out = fs.openSync(tmp, "w");
  const hash = crypto.createHash("md5");
  let done = 0;
  const stall = (): void => abort.abort(new Error(`transfer stalled for ${opts.stallTimeoutMs / 1000} s`));
  try {
    const reader = res.body.getReader();
    for (;;) {
      timer = setTimeout(stall, opts.stallTimeoutMs);
      const { done: end, value } = await reader.read();
      clearTimeout(timer);
      if (end) break;
      hash.update(value);
      fs.writeSync(out, value);
      done += value.length;
      onProgress(done, total);
    }
  } catch (e) {
    clearTimeout(timer);
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw new Error(`cannot download ${url}: ${reason(e, abort.signal)} after ${done} bytes`);
  }
  fs.closeSync(out);
  onProgress(done, done);
  const digest = hash.digest("hex");
  if (opts.md5 && digest !== opts.md5) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`${dest}: checksum mismatch, MD5 ${digest}, expected ${opts.md5} (download from ${url} again)`);
  }
  fs.renameSync(tmp, dest);
}

function reason(e: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  const err = e instanceof Error ? e : new Error(String(e));
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${err.message} (${cause.code})` : cause?.message ? `${err.message} (${cause.message})` : err.message;
}

/** Verifies a file's MD5; throws naming the file, the expected and the actual digest. */
export async function verifyMd5(file: string, expected: string): Promise<void> {
  const got = await md5File(file);
  if (got !== expected) throw new Error(`${file}: checksum mismatch, MD5 ${got}, expected ${expected}`);
}

/**
 * Extracts a gzip-compressed tar archive into `destDir`, streaming (archives larger than memory
 * work). Entries whose path would leave `destDir` are rejected. Returns the extracted file paths.
 */
export async function extractTarGz(archive: string, destDir: string): Promise<string[]> {
  const root = path.resolve(destDir);
  fs.mkdirSync(root, { recursive: true });
  const written: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let fd: number | null = null;
  let remaining = 0; // bytes of the current entry's data still to come
  let skip = 0; // padding bytes after it
  let longName: string | null = null;
  let collectingLongName: Buffer[] | null = null;
  let ended = false;

  const octal = (b: Buffer): number => {
    const s = b.toString("latin1").replace(/\0.*$/, "").trim();
    return s ? parseInt(s, 8) : 0;
  };
  const handle = (chunk: Buffer): void => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (ended) return;
      if (remaining > 0) {
        const take = Math.min(remaining, pending.length - off);
        if (take === 0) break;
        const part = pending.subarray(off, off + take);
        if (fd !== null) fs.writeSync(fd, part);
        if (collectingLongName) collectingLongName.push(Buffer.from(part));
        remaining -= take;
        off += take;
        if (remaining === 0) {
          if (fd !== null) fs.closeSync(fd);
          fd = null;
          if (collectingLongName) {
            longName = Buffer.concat(collectingLongName).toString("utf8").replace(/\0.*$/s, "");
            collectingLongName = null;
          }
        }
        continue;
      }
      if (skip > 0) {
        const take = Math.min(skip, pending.length - off);
        if (take === 0) break;
        skip -= take;
        off += take;
        continue;
      }
      if (pending.length - off < 512) break;
      const h = pending.subarray(off, off + 512);
      off += 512;
      if (h.every((b) => b === 0)) {
        ended = true;
        return;
      }
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
      if (sum !== octal(h.subarray(148, 156))) throw new Error(`${archive}: corrupt tar header (checksum mismatch) after ${written.length} files`);
      const size = octal(h.subarray(124, 136));
      const type = String.fromCharCode(h[156] || 48);
      const prefix = h.subarray(345, 500).toString("utf8").replace(/\0.*$/s, "");
      let name = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
      if (prefix) name = `${prefix}/${name}`;
      if (longName !== null) {
        name = longName;
        longName = null;
      }
      remaining = size;
      skip = (512 - (size % 512)) % 512;
      if (type === "L") {
        collectingLongName = [];
        continue;
      }
      const target = path.resolve(root, name);
      if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`${archive}: entry '${name}' would be written outside ${root}`);
      if (type === "5") {
        fs.mkdirSync(target, { recursive: true });
      } else if (type === "0" || type === "7") {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fd = fs.openSync(target, "w");
        written.push(target);
        if (size === 0) {
          fs.closeSync(fd);
          fd = null;
        }
      }
      // other types (links, pax headers "x"/"g") are skipped: their data is consumed unwritten
    }
    pending = pending.subarray(off);
  };

  await new Promise<void>((resolve, reject) => {
    const input = fs.createReadStream(archive);
    const gunzip = zlib.createGunzip();
    input.on("error", reject);
    gunzip.on("error", (e) => reject(new Error(`${archive}: not a valid .tar.gz (${e.message})`)));
    gunzip.on("data", (c: Buffer) => {
      try {
        handle(c);
      } catch (e) {
        input.destroy();
        gunzip.destroy();
        reject(e);
      }
    });
    gunzip.on("end", () => resolve());
    input.pipe(gunzip);
  });
  if (fd !== null) fs.closeSync(fd);
  if (remaining > 0) throw new Error(`${archive}: truncated archive (an entry is missing ${remaining} bytes)`);
  return written;
}
