/**
 * The one place that chooses the tensor backend (environment.md, "Backends").
 *
 * Order: native TensorFlow on a CUDA GPU (`@tensorflow/tfjs-node-gpu`, built by
 * `SIMCLR_TF_FLAVOR=gpu npm run setup -- --force`) > native TensorFlow on the CPU
 * (`@tensorflow/tfjs-node`, built by `npm run setup`) > WebAssembly (XNNPACK, with the training
 * kernels of ./wasm-grads) > pure JavaScript `cpu`. Each step down prints one warning line saying
 * why and how to fix it. `SIMCLR_BACKEND` (or `initBackend({ prefer })`) forces one backend; a
 * forced backend that cannot be loaded is an Error, never a silent fallback.
 *
 * Threads: native TensorFlow reads `TF_NUM_INTRAOP_THREADS` / `TF_NUM_INTEROP_THREADS` once, when
 * its library creates the first context, so the entry point (the CLI, the notebooks' toolkit shim,
 * the test harness) sets them, from {@link tensorflowEnvDefaults}, before tfjs-node is loaded (a
 * value the user already exported wins), and hands what it set in with {@link setBackendSettings};
 * this module reads and writes no environment. So is `TF_ENABLE_ONEDNN_OPTS=1`: TensorFlow turns its oneDNN
 * kernels on by itself only on CPUs with VNNI/BF16/AMX, and its Eigen kernels ran a ConvNet step at
 * half the speed on an AVX2 machine (issue 16; environment.md, "Backends"). Wasm in Node.js is
 * single-threaded (tfjs-backend-wasm disables its pthread build under Node), which the returned
 * `threads` reports honestly.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { cpuInfo, oneDnnByDefault, type CpuInfo } from "../track/cpu";
import { availableCores, backendSettings } from "./settings";
import { registerWasmGradients } from "./wasm-grads";

export * from "./settings";

/** A backend the toolkit can train on. */
export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

/** The backend in use; every run logs it (MLflow params `backend`, `backend_version`, ...). */
export interface BackendInfo {
  /** Which backend trains. */
  backend: BackendName;
  /** Library versions, e.g. "tfjs 4.22.0, TensorFlow 2.21.0". */
  version: string;
  /** Worker threads the backend computes with. */
  threads: number;
  /** What computes: CPU model or GPU name. */
  device: string;
  /** Native TensorFlow only: whether its oneDNN kernels are on (TF_ENABLE_ONEDNN_OPTS at load). */
  onednn?: boolean;
  /** Why a better backend was not used (absent when the first choice loaded). */
  fallbackReason?: string;
}

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /** Force this backend (like `SIMCLR_BACKEND`, which it overrides); an Error if it cannot load. */
  prefer?: BackendName;
  /** Threads to compute with; defaults to {@link availableCores}. */
  threads?: number;
  /** Suppress the fallback warning line (the reason stays in `fallbackReason`). */
  quiet?: boolean;
}

/** All backend names, best first. */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze([
  "tensorflow-gpu",
  "tensorflow",
  "wasm",
  "cpu",
]);

/** How to (re)build the native backends; named in warnings and errors. */
const FIX = {
  tensorflow: "run `npm run setup -- --force` (builds tfjs-node against TensorFlow from PyPI)",
  "tensorflow-gpu":
    "run `SIMCLR_TF_FLAVOR=gpu npm run setup -- --force` on a machine with an NVIDIA driver (CUDA 12.5+, cuDNN 9 come from PyPI)",
  wasm: "run `npm install` (the @tensorflow/tfjs-backend-wasm dependency is missing)",
  cpu: "run `npm install`",
} as const;

/** Thrown when a backend cannot be loaded; `message` says why and how to fix it. */
class BackendUnavailable extends Error {}

const load = createRequire(__filename);
let current: BackendInfo | undefined;
/** tfjs-node-gpu loaded but saw no GPU: its `tensorflow` backend still serves as the CPU one. */
let gpuPackageLoaded = false;
const loaded = new Map<BackendName, BackendInfo>();

/** The name of the first NVIDIA GPU `nvidia-smi` sees, or undefined. */
export function visibleGpu(): string | undefined {
  const r = spawnSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
    stdio: "pipe",
    timeout: 10_000,
  });
  const name = String(r.stdout ?? "")
    .trim()
    .split("\n")[0];
  return !r.error && r.status === 0 && name ? name : undefined;
}

function cpuDevice(threads: number): string {
  const model = cpuInfo().model;
  return `${model} (${threads} thread${threads === 1 ? "" : "s"})`;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (
    msg
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? msg
  );
}

/**
 * Whether TensorFlow runs its oneDNN kernels for this TF_ENABLE_ONEDNN_OPTS value, read as
 * TensorFlow reads it (ReadBoolFromEnvVar: "1"/"true" on, "0"/"false" off, case-insensitive;
 * unset or anything else: its own default for the CPU).
 */
export function oneDnnEnabled(value: string | undefined, cpu: CpuInfo = cpuInfo()): boolean {
  const v = value?.trim().toLowerCase();
  if (v === "1" || v === "true") return true;
  if (v === "0" || v === "false") return false;
  return oneDnnByDefault(cpu);
}

/** The addon file of a tfjs-node package, or a BackendUnavailable saying what is missing. */
function nativeAddon(pkg: string, name: BackendName): string {
  let dir: string;
  try {
    dir = path.dirname(load.resolve(`${pkg}/package.json`));
  } catch {
    throw new BackendUnavailable(`${pkg} is not installed; fix: ${FIX[name]}`);
  }
  const addon = path.join(dir, "lib", "napi-v8", "tfjs_binding.node");
  if (!fs.existsSync(addon)) {
    throw new BackendUnavailable(
      `${pkg}'s native addon is not built (${addon}); fix: ${FIX[name]}`,
    );
  }
  return addon;
}

interface NativeModule {
  version: Record<string, string>;
}

/** Loads tfjs-node(-gpu), which registers and selects the `tensorflow` backend. */
async function loadNative(
  name: "tensorflow" | "tensorflow-gpu",
  threads: number,
): Promise<BackendInfo> {
  const gpu = name === "tensorflow-gpu";
  const pkg = gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
  if (!gpu && gpuPackageLoaded) {
    // tfjs-node-gpu already registered the tensorflow backend (running on the CPU): use it.
    await tf.setBackend("tensorflow");
    return {
      backend: name,
      version: `tfjs ${tf.version_core}, tfjs-node-gpu (no GPU seen), TensorFlow ${nativeTensorflowVersion()}`,
      threads: backendSettings().intraOpThreads ?? threads,
      device: cpuDevice(backendSettings().intraOpThreads ?? threads),
      onednn: oneDnnEnabled(backendSettings().oneDnn),
    };
  }
  const other = loaded.get(gpu ? "tensorflow" : "tensorflow-gpu");
  if (other)
    throw new BackendUnavailable(
      `${other.backend} is already loaded in this process; restart to use ${name}`,
    );
  let device = "";
  if (gpu) {
    device = visibleGpu() ?? "";
    if (!device)
      throw new BackendUnavailable(
        "no CUDA GPU is visible (nvidia-smi found none); fix: run on a machine with an NVIDIA GPU and driver",
      );
  }
  nativeAddon(pkg, name);
  // TensorFlow reads TF_* once when it creates its first context: the entry point set them.
  const onednn = oneDnnEnabled(backendSettings().oneDnn);
  let mod: NativeModule;
  try {
    mod = load(pkg) as NativeModule;
  } catch (e) {
    throw new BackendUnavailable(`${pkg} did not load: ${firstLine(e)}; fix: ${FIX[name]}`);
  }
  if (!(await tf.setBackend("tensorflow"))) {
    throw new BackendUnavailable(
      `${pkg} loaded but the tensorflow backend did not initialise; fix: ${FIX[name]}`,
    );
  }
  if (gpu && !(tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice) {
    gpuPackageLoaded = true;
    throw new BackendUnavailable(
      `${pkg} loaded but TensorFlow sees no GPU (driver too old for CUDA 12, or a CUDA/cuDNN library did not load: rerun with TF_CPP_MIN_LOG_LEVEL=0 to see which); fix: ${FIX[name]}`,
    );
  }
  const tfVersion = nativeTensorflowVersion();
  return {
    backend: name,
    version: `tfjs ${tf.version_core}, tfjs-node ${mod.version["tfjs-node"] ?? "?"}, TensorFlow ${tfVersion}`,
    threads: backendSettings().intraOpThreads ?? threads,
    device: gpu ? device : cpuDevice(backendSettings().intraOpThreads ?? threads),
    onednn,
  };
}

/** TensorFlow's own version string from the loaded addon (TF_Version), or "?". */
function nativeTensorflowVersion(): string {
  const backend = tf.findBackend("tensorflow") as unknown as {
    binding?: { TF_Version?: string };
  } | null;
  return backend?.binding?.TF_Version ?? "?";
}

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
  version_wasm: string;
}

async function loadWasm(threads: number): Promise<BackendInfo> {
  let mod: WasmModule;
  try {
    mod = load("@tensorflow/tfjs-backend-wasm") as WasmModule;
  } catch (e) {
    throw new BackendUnavailable(
      `@tensorflow/tfjs-backend-wasm did not load: ${firstLine(e)}; fix: ${FIX.wasm}`,
    );
  }
  if (!loaded.has("wasm")) mod.setThreadsCount(threads); // only before the module initialises
  registerWasmGradients();
  let ok = false;
  try {
    ok = await tf.setBackend("wasm");
  } catch (e) {
    throw new BackendUnavailable(
      `the wasm backend did not initialise: ${firstLine(e)}; fix: ${FIX.wasm}`,
    );
  }
  if (!ok) throw new BackendUnavailable(`the wasm backend did not initialise; fix: ${FIX.wasm}`);
  const n = mod.getThreadsCount();
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  return {
    backend: "wasm",
    version: `tfjs ${tf.version_core}, tfjs-backend-wasm ${mod.version_wasm}${simd ? " (SIMD)" : ""}`,
    threads: n,
    device: cpuDevice(n),
  };
}

async function loadCpu(): Promise<BackendInfo> {
  // tfjs-backend-cpu prints a banner recommending tfjs-node ("Hi, looks like you are running
  // TensorFlow.js in Node.js") at its first tensor write unless PROD/IS_TEST; the choice is
  // reported by initBackend's own warning instead. That first write happens here, under PROD.
  const prod = tf.env().getBool("PROD");
  tf.env().set("PROD", true);
  const ok = await tf.setBackend("cpu");
  if (ok) tf.scalar(0).dispose();
  tf.env().set("PROD", prod);
  if (!ok) throw new BackendUnavailable(`the cpu backend did not initialise; fix: ${FIX.cpu}`);
  return {
    backend: "cpu",
    version: `tfjs ${tf.version_core} (pure JavaScript)`,
    threads: 1,
    device: cpuDevice(1),
  };
}

/** Loads (once) and activates one backend; throws BackendUnavailable naming why and the fix. */
async function activate(name: BackendName, threads: number): Promise<BackendInfo> {
  const seen = loaded.get(name);
  if (seen) {
    await tf.setBackend(name === "tensorflow-gpu" ? "tensorflow" : name);
    return seen;
  }
  const info =
    name === "tensorflow" || name === "tensorflow-gpu"
      ? await loadNative(name, threads)
      : name === "wasm"
        ? await loadWasm(threads)
        : await loadCpu();
  loaded.set(name, info);
  return info;
}

function parseBackendName(value: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(
    `${source}=${JSON.stringify(value)} is not a backend; expected one of: ${BACKEND_NAMES.join(", ")}`,
  );
}

/**
 * Chooses, loads and activates the tensor backend, and returns what it chose.
 *
 * Idempotent: later calls return the same info without reloading, unless `prefer` names a
 * different backend, which is then activated (all of them can live in one process except the two
 * native ones together). Throws when a forced backend (`prefer` or `SIMCLR_BACKEND`) cannot load.
 */
export async function initBackend(opts: Partial<BackendOptions> = {}): Promise<BackendInfo> {
  const env = backendSettings().prefer;
  const forced = opts.prefer ?? (env ? parseBackendName(env, "SIMCLR_BACKEND") : undefined);
  if (opts.prefer) parseBackendName(opts.prefer, "initBackend({ prefer })");
  if (current && (!forced || forced === current.backend)) {
    await tf.setBackend(current.backend === "tensorflow-gpu" ? "tensorflow" : current.backend);
    return current;
  }
  const threads = Math.max(1, Math.floor(opts.threads ?? availableCores()));
  if (forced) {
    try {
      current = await activate(forced, threads);
    } catch (e) {
      const how = opts.prefer ? `initBackend({ prefer: "${forced}" })` : `SIMCLR_BACKEND=${forced}`;
      throw new Error(`${how} cannot be honoured: ${e instanceof Error ? e.message : String(e)}`);
    }
    return current;
  }
  const reasons: string[] = [];
  const gpuInstalled = (() => {
    try {
      load.resolve("@tensorflow/tfjs-node-gpu/package.json");
      return true;
    } catch {
      return false;
    }
  })();
  const candidates: BackendName[] = gpuInstalled ? [...BACKEND_NAMES] : BACKEND_NAMES.slice(1);
  for (const name of candidates) {
    try {
      const info = await activate(name, threads);
      // A visible GPU without the GPU build is worth one line too.
      if (name === "tensorflow" && !gpuInstalled && visibleGpu()) {
        reasons.push(
          `a CUDA GPU is visible but the GPU build is not set up; fix: ${FIX["tensorflow-gpu"]}`,
        );
      }
      current = reasons.length ? { ...info, fallbackReason: reasons.join("; ") } : info;
      if (reasons.length && !opts.quiet) {
        console.warn(`[simclr] warning: using the ${name} backend: ${reasons.join("; ")}`);
      }
      return current;
    } catch (e) {
      if (!(e instanceof BackendUnavailable)) throw e;
      if (name === "tensorflow-gpu" && !visibleGpu()) continue; // GPU package on a CPU machine: normal
      reasons.push(e.message);
    }
  }
  throw new Error(`no tensor backend could be loaded: ${reasons.join("; ")}`);
}

/** The backend chosen by {@link initBackend}, or undefined before it ran. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/**
 * Lists the backends that load in this process, activating each in turn (for benchmarks and tests),
 * then re-activates the one {@link initBackend} chose. Returns what loaded and why the others did not.
 */
export async function availableBackends(
  opts: Partial<Pick<BackendOptions, "threads">> = {},
): Promise<{ available: BackendInfo[]; unavailable: { backend: BackendName; reason: string }[] }> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableCores()));
  const available: BackendInfo[] = [];
  const unavailable: { backend: BackendName; reason: string }[] = [];
  const before = tf.getBackend();
  for (const name of BACKEND_NAMES) {
    try {
      available.push(await activate(name, threads));
    } catch (e) {
      unavailable.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  if (current)
    await tf.setBackend(current.backend === "tensorflow-gpu" ? "tensorflow" : current.backend);
  else if (before) await tf.setBackend(before);
  return { available, unavailable };
}

/**
 * Activates an already-available backend by name (after {@link availableBackends} or
 * {@link initBackend}); throws naming why when it cannot load. Does not change what
 * {@link backendInfo} reports as the run's chosen backend.
 */
export async function useBackend(
  name: BackendName,
  opts: Partial<Pick<BackendOptions, "threads">> = {},
): Promise<BackendInfo> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableCores()));
  return activate(name, threads);
}
