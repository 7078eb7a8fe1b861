/**
 * `simclr doctor [--json] [--cuda-lib-dir DIR] [--no-bench]`: what this machine has for the
 * workbench and what is wrong, each problem with its fix: the CPU (model, ISA), oneDNN and
 * threads; the TensorFlow build in use; for a GPU, the NVIDIA driver and its CUDA version, the
 * CUDA/cuDNN libraries TensorFlow's GPU build needs against what the loader finds, and what
 * TensorFlow sees; a ~1 s matrix-product rate; the MLflow server; the data sets found.
 * Exit 0 when nothing is wrong, 1 when a check failed.
 */
import fs from "node:fs";
import path from "node:path";
import type { Command } from "./main";
import { UsageError, parseCommandLine } from "./usage";
import { CUDA_LIBRARIES, findLibraries, nvidiaDriver, systemLibraryDirs } from "./doctor-gpu";
import { cpuInfo } from "../track/cpu";
import { locateDataset } from "../data/load";
import { dataRoot } from "../data/paths";
import { shownPath } from "../util/shown-path";

/** How a check came out: `fail` is a problem (exit 1), `warn` something to look at. */
export type CheckStatus = "ok" | "info" | "warn" | "fail";

/** One line of the report (and one element of `--json`'s `checks`). */
export interface Check {
  area: "cpu" | "tensorflow" | "gpu" | "cuda" | "speed" | "mlflow" | "data";
  status: CheckStatus;
  summary: string;
  /** The command or step that fixes it (problems only). */
  fix?: string;
  /** Structured detail for `--json` (libraries, rates, versions). */
  detail?: Record<string, unknown>;
}

const ROOT = path.resolve(__dirname, "..", "..");
const GPU_SETUP = "SIMCLR_TF_FLAVOR=gpu npm run setup -- --force";
const GPU_NEEDS =
  "an NVIDIA driver for CUDA 12.5 or newer (550+); the CUDA 12 and cuDNN 9 libraries come from PyPI";

const USAGE = `usage: simclr doctor [--json] [--cuda-lib-dir DIR] [--no-bench]
  --json              the same report as JSON: {checks: [{area, status, summary, fix?, detail?}]}
  --cuda-lib-dir DIR  look for the CUDA/cuDNN libraries only in DIR (default: the TensorFlow GPU
                      build's own folder, LD_LIBRARY_PATH, the loader's cache)
  --no-bench          skip the ~1 s matrix-product rate (and loading TensorFlow)`;

export const command: Command = {
  summary: "what this machine has (CPU, TensorFlow, GPU/CUDA, MLflow, data) and how to fix it",
  async run(argv: string[]): Promise<number> {
    const { values } = parseCommandLine({
      args: argv,
      options: {
        json: { type: "boolean", default: false },
        "cuda-lib-dir": { type: "string" },
        "no-bench": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const libDir = values["cuda-lib-dir"];
    if (libDir !== undefined && !fs.statSync(libDir, { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`--cuda-lib-dir: '${libDir}' is not a folder`);
    const checks = await diagnose({
      env: process.env,
      ...(libDir !== undefined ? { cudaLibDirs: [path.resolve(libDir)] } : {}),
      bench: !values["no-bench"],
    });
    if (values.json) console.log(JSON.stringify({ checks }, null, 2));
    else for (const c of checks) console.log(formatCheck(c));
    return checks.some((c) => c.status === "fail") ? 1 : 0;
  },
};

/** One report line: `ok    cpu         summary` and, for problems, `      fix: ...`. */
export function formatCheck(c: Check): string {
  const head = `${c.status.padEnd(5)} ${c.area.padEnd(10)} ${c.summary}`;
  return c.fix ? `${head}\n${" ".repeat(17)}fix: ${c.fix}` : head;
}

/** What {@link diagnose} looks at; the CLI passes the environment in. */
export interface DoctorInputs {
  env: NodeJS.ProcessEnv;
  /** Search only these folders for CUDA libraries (tests: an empty folder). */
  cudaLibDirs?: string[];
  /** Measure the matrix-product rate (loads TensorFlow). */
  bench: boolean;
}

/** Runs every check, in report order. */
export async function diagnose(o: DoctorInputs): Promise<Check[]> {
  const flavor = tensorflowFlavor();
  const checks: Check[] = [cpuCheck(o.env), flavorCheck(flavor)];
  checks.push(...gpuChecks(flavor, o));
  if (o.bench) checks.push(...(await backendChecks(flavor)));
  checks.push(await mlflowCheck(o.env));
  checks.push(...dataChecks(o.env));
  return checks;
}

function cpuCheck(env: NodeJS.ProcessEnv): Check {
  const cpu = cpuInfo();
  const onednn = env.TF_ENABLE_ONEDNN_OPTS ?? "1 (the workbench's default)";
  const threads = env.TF_NUM_INTRAOP_THREADS ?? "all available cores";
  const isa = cpu.isa.length ? cpu.isa.join(", ") : "no AVX2";
  return {
    area: "cpu",
    status: cpu.isa.includes("AVX2") ? "ok" : "warn",
    summary: `${cpu.model} (${isa}); oneDNN TF_ENABLE_ONEDNN_OPTS=${onednn}; threads: ${threads}`,
    ...(cpu.isa.includes("AVX2")
      ? {}
      : { fix: "TensorFlow's wheels need AVX; without AVX2 expect the wasm backend (slower)" }),
    detail: { model: cpu.model, id: cpu.id, isa: cpu.isa, onednn, threads },
  };
}

/** The installed tfjs-node flavour and the TensorFlow folder it links to. */
interface Flavor {
  name: "cpu" | "gpu" | "none";
  pkg?: string;
  /** e.g. <project>/.simclr/tensorflow/2.21.0-gpu/lib */
  libDir?: string;
  version?: string;
}

function tensorflowFlavor(): Flavor {
  for (const [name, pkg] of [
    ["gpu", "@tensorflow/tfjs-node-gpu"],
    ["cpu", "@tensorflow/tfjs-node"],
  ] as const) {
    const deps = path.join(ROOT, "node_modules", pkg, "deps", "lib");
    if (!fs.existsSync(path.join(deps, "libtensorflow_cc.so.2"))) continue;
    const libDir = fs.realpathSync(deps);
    const version = /(\d+\.\d+\.\d+)-(cpu|gpu)/.exec(libDir)?.[1];
    return { name, pkg, libDir, ...(version ? { version } : {}) };
  }
  return { name: "none" };
}

function flavorCheck(f: Flavor): Check {
  if (f.name === "none")
    return {
      area: "tensorflow",
      status: "fail",
      summary:
        "no native TensorFlow build: training falls back to WebAssembly (several times slower)",
      fix: "npm run setup -- --force",
    };
  return {
    area: "tensorflow",
    status: "ok",
    summary: `${f.pkg} against TensorFlow ${f.version ?? "?"} (${f.name.toUpperCase()} build)`,
    detail: { flavor: f.name, package: f.pkg, version: f.version, libDir: f.libDir },
  };
}

function gpuChecks(flavor: Flavor, o: DoctorInputs): Check[] {
  const driver = nvidiaDriver();
  const out: Check[] = [];
  if (!driver) {
    out.push({
      area: "gpu",
      status: "info",
      summary: `no NVIDIA GPU (nvidia-smi finds none); training runs on the CPU. With a GPU: ${GPU_NEEDS}, then ${GPU_SETUP}`,
    });
  } else {
    const major = Number(driver.cuda.split(".")[0]);
    out.push({
      area: "gpu",
      status: major === 12 ? "ok" : "fail",
      summary: `${driver.gpus.join(", ")}; driver ${driver.driver} supports CUDA ${driver.cuda}`,
      ...(major === 12
        ? {}
        : {
            fix: `TensorFlow ${flavor.version ?? "2.21"} is built for CUDA 12: install a driver that supports CUDA 12.5+ (a CUDA ${driver.cuda} driver ${major > 12 ? "runs CUDA 12 only through its compatibility libraries" : "is too old"})`,
          }),
      detail: { ...driver },
    });
    if (flavor.name !== "gpu")
      out.push({
        area: "tensorflow",
        status: "warn",
        summary: "a GPU is present but the CPU build of TensorFlow is installed",
        fix: GPU_SETUP,
      });
  }
  if (flavor.name === "gpu" || o.cudaLibDirs) out.push(cudaLibraryCheck(flavor, o));
  return out;
}

function cudaLibraryCheck(flavor: Flavor, o: DoctorInputs): Check {
  const dirs = o.cudaLibDirs ?? [
    ...(flavor.libDir ? [flavor.libDir] : []),
    ...systemLibraryDirs(o.env.LD_LIBRARY_PATH),
  ];
  const found = findLibraries(dirs);
  const missing = found.filter((l) => !l.file);
  const wrong = found.filter((l) => l.file && !sameMajor(l));
  const list = found
    .map((l) => `${l.soname} ${l.file ? (l.version ?? "") : "MISSING"}`.trim())
    .join(", ");
  const bad = [...missing, ...wrong];
  return {
    area: "cuda",
    status: bad.length ? "fail" : "ok",
    summary: `CUDA 12 / cuDNN 9 libraries TensorFlow's GPU build needs, searched in ${dirs.length === 1 ? shownPath(dirs[0]) : `${dirs.length} folders`}: ${list}`,
    ...(bad.length
      ? {
          fix: `${bad.map((l) => `${l.soname} (${l.what})`).join(", ")} ${missing.length ? "not found" : "of another version"}: ${missing.some((l) => l.soname === "libcuda.so.1") ? "install the NVIDIA driver; " : ""}${GPU_SETUP} installs the CUDA 12 and cuDNN 9 wheels into ${path.join(".simclr", "tensorflow")}`,
        }
      : {}),
    detail: { searched: dirs, libraries: found, needs: CUDA_LIBRARIES },
  };
}

/** The found file's major version matches its soname's (libcudnn.so.9 -> 9.x). */
function sameMajor(l: { soname: string; version?: string }): boolean {
  const want = l.soname.split(".so.")[1];
  return !l.version || l.version.split(".")[0] === want;
}

async function backendChecks(flavor: Flavor): Promise<Check[]> {
  // Loaded here only: the other checks need no TensorFlow. require, not import(): bin/simclr.cjs
  // registers only tsx's CommonJS hook.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { initBackend } = require("../backend") as typeof import("../backend");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bf16Unavailable } = require("../backend/bf16") as typeof import("../backend/bf16");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  const info = await initBackend({ quiet: true });
  const out: Check[] = [];
  const fellBack = info.fallbackReason !== undefined;
  out.push({
    area: "tensorflow",
    status: fellBack ? "warn" : "ok",
    summary: `in use: ${info.backend} on ${info.device} (${info.version}${info.onednn === undefined ? "" : `, oneDNN ${info.onednn ? "on" : "off"}`})`,
    ...(fellBack ? { fix: info.fallbackReason } : {}),
    detail: { ...info },
  });
  if (flavor.name === "gpu" && info.backend !== "tensorflow-gpu") out[0].status = "fail"; // the GPU build loaded but TensorFlow sees no GPU
  const noBf16 = bf16Unavailable(cpuInfo(), info);
  out.push({
    area: "tensorflow",
    status: "info",
    summary: noBf16
      ? `precision: fp32 only; bf16 unavailable (${noBf16})`
      : "precision: fp32 (the default) and bf16 (`--train.precision bf16`: bfloat16 convolutions on this CPU's AVX512-BF16/AMX)",
    detail: {
      precisions: noBf16 ? ["fp32"] : ["fp32", "bf16"],
      ...(noBf16 ? { bf16: noBf16 } : {}),
    },
  });
  const rate = matmulRate(tf, 1);
  out.push({
    area: "speed",
    status: "info",
    summary: `matrix product 512x512 float32 on ${info.device}: ${rate.toFixed(1)} GFLOP/s (${info.backend}, ~1 s)`,
    detail: { backend: info.backend, device: info.device, gflops: rate },
  });
  return out;
}

/** GFLOP/s of repeated 512x512 float32 matMuls for about `seconds`. */
function matmulRate(tf: typeof import("@tensorflow/tfjs"), seconds: number): number {
  const n = 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dispose(); // warm-up: kernels, threads
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const c = tf.matMul(a, b);
    c.dataSync(); // wait for the device
    c.dispose();
    runs++;
  }
  const s = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (2 * n ** 3 * runs) / s / 1e9;
}

/** The project's local MLflow server record (`npm start` writes it). */
const SERVER_RECORD = path.join(ROOT, ".simclr", "mlflow", "server.json");

/**
 * The MLflow check: MLFLOW_TRACKING_URI, else the project's recorded local server, must answer.
 * A record whose process has exited (the server was killed, or the machine restarted) is no
 * failure: like no record, nothing is running, and runs are journaled and sent later. Nor is one
 * whose pid now belongs to another program (pids are reused after an exit): a live recorded
 * server that does not answer is only a failure when that pid still runs MLflow.
 */
export async function mlflowCheck(
  env: NodeJS.ProcessEnv,
  recordFile: string = SERVER_RECORD,
): Promise<Check> {
  const set = env.MLFLOW_TRACKING_URI?.trim();
  const rec = set ? undefined : recordedMlflow(recordFile);
  const uri = set || rec?.url;
  const notRunning = (why: string): Check => ({
    area: "mlflow",
    status: "info",
    summary: `no MLflow server running for this project${why} (runs are journaled and sent later)`,
    fix: "npm start (starts one), or set MLFLOW_TRACKING_URI",
  });
  if (!uri) return notRunning("");
  const gone = rec?.pid === undefined ? undefined : recordedProcessGone(rec.pid);
  if (gone) return notRunning(`: the recorded one (${rec?.url}, pid ${rec?.pid}) ${gone}`);
  const base = uri.replace(/\/$/, "");
  try {
    const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(3000) });
    const version = await fetch(`${base}/version`, { signal: AbortSignal.timeout(3000) });
    const v = version.ok ? (await version.text()).trim() : "?";
    return {
      area: "mlflow",
      status: health.ok ? "ok" : "fail",
      summary: `${base} answers${health.ok ? "" : ` /health with HTTP ${health.status}`}; MLflow ${v}`,
      ...(health.ok ? {} : { fix: `look at the server's log; npm start restarts the local one` }),
      detail: { uri: base, version: v },
    };
  } catch (e) {
    return {
      area: "mlflow",
      status: "fail",
      summary: `${base} does not answer (${e instanceof Error ? e.message : String(e)})`,
      fix: env.MLFLOW_TRACKING_URI ? "start that server or unset MLFLOW_TRACKING_URI" : "npm start",
      detail: { uri: base },
    };
  }
}

/** The URL of the project's local server from its record, if one is recorded. */
function recordedMlflow(file: string): { url?: string; pid?: number } | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8")) as { url?: unknown; pid?: unknown };
    return {
      ...(typeof r.url === "string" ? { url: r.url } : {}),
      ...(typeof r.pid === "number" ? { pid: r.pid } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Why the recorded server's process is no longer it, or undefined while it runs: the pid has
 * exited, or (where /proc shows command lines) it now runs a program whose command line does not
 * name mlflow. The record's pid is the MLflow CLI's (`.venv/bin/mlflow server ...`) or its
 * watchdog's (`node watchdog.cjs .../mlflow server ...`); both name it.
 */
function recordedProcessGone(pid: number): string | undefined {
  if (!alive(pid)) return "has exited";
  const cmdline = commandLine(pid);
  if (cmdline !== undefined && !/mlflow/i.test(cmdline))
    return `has exited (pid ${pid} now runs another program: ${cmdline.slice(0, 60)})`;
  return undefined;
}

/** Whether a process of this id exists (signal 0 checks without sending; EPERM: it exists). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A process's command line, arguments joined by spaces, or undefined where /proc cannot say. */
function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

function dataChecks(env: NodeJS.ProcessEnv): Check[] {
  const root = dataRoot(env.SIMCLR_DATA);
  return ["cifar10", "stl10"].map((name): Check => {
    const where = locateDataset(name); // SIMCLR_DATA, SIMCLR_<NAME>_DIR, <project>/data
    return where
      ? {
          area: "data",
          status: "ok",
          summary: `${name}: ${where.format} at ${shownPath(where.dir)}`,
          detail: { name, ...where },
        }
      : {
          area: "data",
          status: "info",
          summary: `${name}: not found under ${shownPath(root)} (downloaded on first use unless SIMCLR_NO_DOWNLOAD=1)`,
          fix: `simclr data ${name}`,
          detail: { name, dataRoot: root },
        };
  });
}
