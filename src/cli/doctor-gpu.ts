/**
 * The GPU part of `simclr doctor`: the NVIDIA driver and the CUDA version it supports
 * (nvidia-smi), and the CUDA/cuDNN libraries TensorFlow 2.21's GPU build loads against what the
 * dynamic loader would find (names and versions).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** The NVIDIA driver as nvidia-smi reports it; undefined when there is none. */
export interface DriverInfo {
  gpus: string[];
  driver: string;
  /** Highest CUDA version the driver supports, e.g. "12.4". */
  cuda: string;
}

/** Reads the driver from `nvidia-smi` (undefined: no nvidia-smi, or it sees no GPU). */
export function nvidiaDriver(): DriverInfo | undefined {
  const q = spawnSync("nvidia-smi", ["--query-gpu=name,driver_version", "--format=csv,noheader"], {
    stdio: "pipe",
    timeout: 10_000,
  });
  if (q.error || q.status !== 0) return undefined;
  const rows = String(q.stdout)
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split(",").map((x) => x.trim()));
  if (rows.length === 0) return undefined;
  const head = spawnSync("nvidia-smi", [], { stdio: "pipe", timeout: 10_000 });
  const cuda = /CUDA Version:\s*([\d.]+)/.exec(String(head.stdout ?? ""))?.[1] ?? "?";
  return { gpus: rows.map((r) => r[0]), driver: rows[0][1] ?? "?", cuda };
}

/**
 * Libraries TensorFlow 2.21's GPU build opens (its `and-cuda` wheels: CUDA 12, cuDNN 9), by soname,
 * with the wheel that provides each.
 */
export const CUDA_LIBRARIES: readonly { soname: string; what: string }[] = Object.freeze([
  { soname: "libcuda.so.1", what: "the NVIDIA driver" },
  { soname: "libcudart.so.12", what: "CUDA 12 runtime (nvidia-cuda-runtime-cu12)" },
  { soname: "libcublas.so.12", what: "cuBLAS (nvidia-cublas-cu12)" },
  { soname: "libcublasLt.so.12", what: "cuBLASLt (nvidia-cublas-cu12)" },
  { soname: "libcufft.so.11", what: "cuFFT (nvidia-cufft-cu12)" },
  { soname: "libcusolver.so.11", what: "cuSOLVER (nvidia-cusolver-cu12)" },
  { soname: "libcusparse.so.12", what: "cuSPARSE (nvidia-cusparse-cu12)" },
  { soname: "libnvJitLink.so.12", what: "nvJitLink (nvidia-nvjitlink-cu12)" },
  { soname: "libcudnn.so.9", what: "cuDNN 9 (nvidia-cudnn-cu12)" },
]);

/** One library: where the loader would find it and its full version (from the file name). */
export interface LibraryFound {
  soname: string;
  what: string;
  /** Absolute path, or undefined when not found. */
  file?: string;
  /** e.g. "12.5.82" from libcudart.so.12.5.82; the soname's own number when that is all. */
  version?: string;
}

/** The loader's default folders: ldconfig's cache plus the usual CUDA places. */
export function systemLibraryDirs(ldLibraryPath: string | undefined): string[] {
  const dirs = (ldLibraryPath ?? "").split(":").filter((d) => d !== "");
  const cache = spawnSync("ldconfig", ["-p"], { stdio: "pipe", timeout: 10_000 });
  for (const m of String(cache.stdout ?? "").matchAll(/=>\s*(\S+)/g)) dirs.push(path.dirname(m[1]));
  dirs.push("/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib");
  return [...new Set(dirs)];
}

/** Looks for each of `libraries` in `dirs` (first hit wins, as the loader's search order). */
export function findLibraries(dirs: readonly string[], libraries = CUDA_LIBRARIES): LibraryFound[] {
  return libraries.map(({ soname, what }) => {
    for (const d of dirs) {
      const file = path.join(d, soname);
      if (!fs.existsSync(file)) continue;
      const real = fs.realpathSync(file);
      const full = path.basename(real).split(".so.")[1];
      return { soname, what, file, version: full ?? soname.split(".so.")[1] };
    }
    return { soname, what };
  });
}
