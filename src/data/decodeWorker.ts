/**
 * Worker-thread body for the image-folder loader: decodes a slice of the file list straight into
 * the shared pixel buffer and reports per-file problems back (see imagefolder.ts).
 */
import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { decodeImage } from "./decode";

/** What the loader hands each decode worker. */
export interface DecodeJob {
  files: string[];
  /** Index of files[0] in the whole listing (row in the shared buffer). */
  start: number;
  height: number;
  width: number;
  /** Shared NHWC uint8 buffer for the whole listing. */
  pixels: SharedArrayBuffer;
}

/** A per-file problem found while decoding. */
export interface DecodeProblem {
  /** Index in the whole listing. */
  index: number;
  message: string;
}

/**
 * Decodes `files` into rows start.. of `out`; returns the problems (not an image, corrupt,
 * truncated, other size) instead of throwing, so the caller decides between strict and lenient.
 */
export function decodeInto(
  files: string[],
  start: number,
  height: number,
  width: number,
  out: Uint8Array,
  onProgress?: (done: number) => void,
): DecodeProblem[] {
  const problems: DecodeProblem[] = [];
  const size = height * width * 3;
  for (let i = 0; i < files.length; i++) {
    try {
      const img = decodeImage(fs.readFileSync(files[i]), files[i]);
      if (img.height !== height || img.width !== width) {
        throw new Error(`${files[i]}: image is ${img.width}x${img.height}, expected ${width}x${height} like the first image of the data set (mixed sizes)`);
      }
      out.set(img.rgb, (start + i) * size);
    } catch (e) {
      problems.push({ index: start + i, message: e instanceof Error ? e.message : String(e) });
    }
    if (onProgress && (i + 1) % 1000 === 0) onProgress(i + 1);
  }
  return problems;
}

if (parentPort && workerData && (workerData as { kind?: string }).kind === "simclr-decode") {
  const job = (workerData as { job: DecodeJob }).job;
  const port = parentPort;
  const problems = decodeInto(job.files, job.start, job.height, job.width, new Uint8Array(job.pixels), (done) =>
    port.postMessage({ type: "progress", done }),
  );
  port.postMessage({ type: "done", problems, count: job.files.length });
}
