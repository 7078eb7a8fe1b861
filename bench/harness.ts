/**
 * Training-step benchmark (issue 3): one SimCLR step (two views of B images through the encoder in
 * one pass with global batch norm, the non-linear head, NT-Xent at tau 0.5, one LARS step; SimCLR
 * Algorithm 1) per (model, backend), the same step in PyTorch (bench/torch_step.py) in the same
 * run, the machine's sgemm peak, and the share of the step spent outside the model.
 * PyTorch runs twice, in its default NCHW layout and in channels_last, the layout a PyTorch user
 * tunes to (issue 16); each row has its ratio to both and to the faster of the two. The result
 * names the CPU, its ISA features, whether oneDNN was on and the threads (src/track/cpu.ts).
 *
 * Achieved GFLOP/s counts a training step as 3x the forward FLOPs of encoder + head (forward, and
 * the input and weight gradients of every layer), the usual convention; views/s = 2B / step time.
 * Step time is the median of the timed steps after one warm-up step.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import * as tf from "@tensorflow/tfjs";
import {
  availableBackends,
  availableCores,
  useBackend,
  type BackendInfo,
  type BackendName,
} from "../src/backend";
import { conv2dFp32, type Conv2dFn } from "../src/models/conv";
import { createEncoder, type EncoderArch } from "../src/models/encoder";
import { createHead } from "../src/models/head";
import { contrastiveLoss, contrastiveMetrics } from "../src/loss/contrastive";
import { createOptimizer } from "../src/optim/optimizer";
import { createRng } from "../src/util/random";
import { buildTwoViewBatch, symmetric } from "../src/augment/views";
import { cpuRecord, describeCpu, type CpuRecord } from "../src/track/cpu";

/** Models the benchmark runs. */
export type BenchModel = Extract<EncoderArch, "convnet" | "resnet18">;

/** PyTorch's memory layouts the baseline runs in: its default, and the tuned one. */
export type TorchLayout = "nchw" | "channels_last";
const TORCH_LAYOUTS: readonly TorchLayout[] = ["nchw", "channels_last"];

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Models to run; ConvNet only with --quick. */
  models: BenchModel[];
  /** Backends to run (those that load); default all that load except where skipped by budget. */
  backends: BackendName[];
  /** Images per step (views = 2x); issue 3 fixes 256. */
  batch: number;
  /** Image side. */
  size: number;
  /** Threads for every backend and for PyTorch. */
  threads: number;
  /** Timed seconds to aim for per (model, backend) after the warm-up step. */
  secondsPerRow: number;
  /** Run PyTorch too (creates .simclr/bench-venv on first use). */
  torch: boolean;
  /** Progress lines to stderr. */
  verbose: boolean;
}

/** Defaults of {@link BenchOptions}. */
export const BENCH_DEFAULTS: Readonly<Omit<BenchOptions, "threads">> = Object.freeze({
  models: ["convnet", "resnet18"] as BenchModel[],
  backends: ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as BackendName[],
  /** issue 3: batch 256 images = 512 views */
  batch: 256,
  /** CIFAR-10 resolution */
  size: 32,
  secondsPerRow: 20,
  torch: true,
  verbose: true,
});

/** One (model, backend) row of the result. */
export interface BenchRow {
  model: BenchModel;
  backend: BackendName | "torch";
  views_per_s: number | null;
  gflops: number | null;
  /** PyTorch (NCHW, its default) views/s in the steps paired with this row's. */
  torch_views_per_s: number | null;
  /** Median over the pairs of PyTorch NCHW step time / this row's step time. */
  ratio_vs_torch: number | null;
  /** The same against PyTorch in channels_last. */
  ratio_vs_torch_channels_last?: number | null;
  /** The same against whichever PyTorch layout was faster in these pairs ({@link torch_best_layout}). */
  ratio_vs_torch_best?: number | null;
  torch_best_layout?: TorchLayout | null;
  /** PyTorch rows: the layout. */
  layout?: TorchLayout;
  step_s?: number;
  steps?: number;
  /** Images per step actually used (smaller for slow backends, see note). */
  batch?: number;
  note?: string;
}

/** Per-step time outside the model, on the first backend run (fractions of the full step). */
export interface Overhead {
  backend: BackendName;
  model: BenchModel;
  step_s: number;
  model_s: number;
  /** Loss (NT-Xent + metrics) and the optimizer: (step - model fwd/bwd) / step. */
  loss_optimizer_fraction: number;
  /** Uploading the two views and concatenating them, per step / step. */
  batch_upload_fraction: number;
  /** Two-view augmentation of B images on the main thread (normally overlapped in a worker) / step. */
  augment_fraction: number | null;
  /** upload + loss/optimizer (augmentation runs in the view worker, one step ahead). */
  total_fraction: number;
}

/** The whole benchmark result (`npm run bench -- --json`). */
export interface BenchResult {
  /** The CPU, its ISA, oneDNN on/off (native TensorFlow) and threads of the figures below. */
  cpu: CpuRecord;
  sgemm_gflops: number;
  torch_sgemm_gflops: number | null;
  threads: number;
  backends: BackendInfo[];
  unavailable: { backend: BackendName; reason: string }[];
  rows: BenchRow[];
  overhead: Overhead | null;
  torch_version: string | null;
  notes: string[];
  seconds: number;
}

const ROOT = path.resolve(__dirname, "..");
const VENV = path.join(ROOT, ".simclr", "bench-venv");
const VENV_PY = path.join(VENV, "bin", "python");
/** PyPI's default torch pulls its CUDA libraries (several GB; only into the benchmark venv). */
const TORCH_SPEC = "torch==2.15.0";

function log(opts: Pick<BenchOptions, "verbose">, msg: string): void {
  if (opts.verbose) process.stderr.write(`[bench] ${msg}\n`);
}

/** Float32 matrix-product throughput of the active backend, GFLOP/s (best of several). */
export function sgemmGflops(n = 1024, reps = 6): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  let best = Infinity;
  for (let r = 0; r < reps + 1; r++) {
    const t = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    const dt = performance.now() - t;
    c.dispose();
    if (r > 0) best = Math.min(best, dt);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

/** A ready-to-run SimCLR step on the active backend, with its parts exposed (overhead split, bench/profile.ts). */
export function buildStep(
  model: BenchModel,
  batch: number,
  size: number,
  conv: Conv2dFn = conv2dFp32,
) {
  const encoder = createEncoder({ arch: model, stem: "cifar", widthMultiplier: 1 }, 1, conv);
  const head = createHead(encoder.featureDim, {}, 2);
  const params = [...encoder.params, ...head.params];
  const optimizer = createOptimizer({ kind: "lars" }, params);
  const trainable = params.filter((p) => p.trainable).map((p) => p.variable);
  const rng = createRng(3);
  const view = () => {
    const a = new Float32Array(batch * size * size * 3);
    for (let i = 0; i < a.length; i++) a[i] = rng.next();
    return a;
  };
  const views = [view(), view()];
  const flops = 3 * 2 * batch * (encoder.forwardFlops(size, size) + head.forwardFlops());
  const upload = (): tf.Tensor4D =>
    tf.tidy(() =>
      tf.concat(
        views.map((v) => tf.tensor4d(v, [batch, size, size, 3])),
        0,
      ),
    ); // [2B, H, W, 3]
  /** The full step: upload, forward, NT-Xent (+ metrics), backward, LARS; returns the loss. */
  const full = (): number => {
    const x = upload();
    const { value, grads } = tf.variableGrads(() => {
      const z = head.apply(encoder.apply(x, true), true); // [2B, 128]
      const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      const out = contrastiveLoss(z1, z2, { temperature: 0.5 });
      contrastiveMetrics(out);
      return out.loss;
    }, trainable);
    const loss = value.dataSync()[0];
    optimizer.applyGradients(grads, 0.3);
    tf.dispose([x, value, grads]);
    return loss;
  };
  /** The model alone: forward and backward of encoder + head with a trivial loss. */
  const modelOnly = (x: tf.Tensor4D): number => {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(head.apply(encoder.apply(x, true), true)) as tf.Scalar,
      trainable,
    );
    const v = value.dataSync()[0];
    tf.dispose([value, grads]);
    return v;
  };
  const dispose = () => {
    encoder.dispose();
    head.dispose();
    optimizer.dispose();
  };
  return { full, modelOnly, upload, flops, dispose };
}

/** Runs fn once to warm up, then until `seconds` have passed (at least once, at most maxSteps). */
function timeSteps(
  fn: () => unknown,
  seconds: number,
  maxSteps = 20,
): { step_s: number; steps: number } {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (
    times.length < maxSteps &&
    (times.length === 0 || performance.now() - start < seconds * 1000)
  ) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return { step_s: times[Math.floor(times.length / 2)], steps: times.length };
}

/** Creates the PyTorch benchmark venv on first use; returns its python or an explanation. */
export function ensureTorchVenv(opts: Pick<BenchOptions, "verbose">): {
  python?: string;
  why?: string;
} {
  const probe = () =>
    spawnSync(VENV_PY, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (fs.existsSync(VENV_PY) && probe().status === 0) return { python: VENV_PY };
  log(
    opts,
    `creating the PyTorch benchmark environment ${path.relative(ROOT, VENV)} (${TORCH_SPEC} from PyPI, several GB with its CUDA libraries; once)`,
  );
  if (!fs.existsSync(VENV_PY)) {
    const r = spawnSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
    if (r.status !== 0) return { why: "python3 -m venv failed (apt-get install python3-venv)" };
  }
  const r = spawnSync(
    VENV_PY,
    ["-m", "pip", "install", "--disable-pip-version-check", "-q", TORCH_SPEC, "numpy"],
    {
      stdio: opts.verbose ? "inherit" : "pipe",
    },
  );
  if (r.status !== 0)
    return { why: `pip could not install ${TORCH_SPEC} into ${VENV} (PyPI reachable?)` };
  const p = probe();
  if (p.status !== 0)
    return { why: `import torch failed in ${VENV}: ${String(p.stderr).trim().split("\n").pop()}` };
  return { python: VENV_PY };
}

/** A PyTorch process that runs one training step per request (bench/torch_step.py --serve). */
export interface TorchServer {
  torch: string;
  step(): Promise<number>;
  close(): void;
}

/**
 * Starts torch_step.py --serve for a model; resolves after its warm-up step, or to an explanation.
 * `autocast` "bf16" runs the step under PyTorch's CPU autocast to bfloat16 (issue 25).
 */
export function startTorch(
  python: string,
  model: BenchModel,
  o: Pick<BenchOptions, "batch" | "size" | "threads">,
  layout: TorchLayout,
  autocast: "none" | "bf16" = "none",
): Promise<TorchServer | string> {
  const args = [
    path.join(ROOT, "bench", "torch_step.py"),
    ...["--model", model, "--batch", String(o.batch), "--size", String(o.size)],
    ...["--threads", String(o.threads), "--layout", layout, "--autocast", autocast, "--serve"],
  ];
  const child = spawn(python, args, {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, OMP_NUM_THREADS: String(o.threads) },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const lines: string[] = [];
  const waiters: ((line: string | null) => void)[] = [];
  let closed = false;
  readline.createInterface({ input: child.stdout }).on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  child.on("close", () => {
    closed = true;
    for (const w of waiters.splice(0)) w(null);
  });
  const next = (): Promise<string | null> =>
    lines.length
      ? Promise.resolve(lines.shift() ?? null)
      : closed
        ? Promise.resolve(null)
        : new Promise((r) => waiters.push(r));
  const failed = () => `torch_step.py failed: ${stderr.trim().split("\n").slice(-2).join(" | ")}`;
  return next().then((first) => {
    if (first === null) return failed();
    const ready = JSON.parse(first) as { torch: string };
    return {
      torch: ready.torch,
      step: async () => {
        child.stdin.write("step\n");
        const l = await next();
        if (l === null) throw new Error(failed());
        return (JSON.parse(l) as { step_s: number }).step_s;
      },
      close: () => {
        child.stdin.end("quit\n");
      },
    };
  });
}

function torchSgemm(python: string, threads: number): number | null {
  const code = `import torch,time\ntorch.set_num_threads(${threads})\na=torch.randn(1024,1024);b=torch.randn(1024,1024);a@b\nbest=1e9\nfor _ in range(6):\n t=time.perf_counter();a@b;best=min(best,time.perf_counter()-t)\nprint(2*1024**3/best/1e9)`;
  const r = spawnSync(python, ["-c", code], { encoding: "utf8" });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Batch for a slow backend so that one step fits the row budget (views/s is close to
 * batch-independent at these sizes), or null to skip it. Rates seen here under load: wasm 4-8
 * GFLOP/s on its one thread, cpu 0.2-1.3 GFLOP/s. The pure-JS cpu backend runs only when named.
 */
function slowBackendPlan(
  backend: BackendName,
  flops: number,
  o: BenchOptions,
  explicit: boolean,
): { batch: number; note?: string } | null {
  if (backend === "cpu" && !explicit) return null;
  const rate = backend === "cpu" ? 0.3e9 : backend === "wasm" ? 8e9 : Infinity;
  const est = flops / rate;
  if (est <= o.secondsPerRow) return { batch: o.batch };
  const batch = Math.min(
    o.batch,
    Math.max(4, 2 ** Math.floor(Math.log2((o.batch * o.secondsPerRow) / est))),
  );
  return {
    batch,
    note: `batch ${batch} images (not ${o.batch}), 1 timed step: ~${Math.round(est)} s per full step expected`,
  };
}

/**
 * Runs the benchmark. Each timed tfjs step is followed by one PyTorch step of the same model in a
 * PyTorch process kept warm beside it, so both see the same load on a shared machine;
 * `ratio_vs_torch` is the median over those pairs of (torch step time / tfjs step time), scaled
 * by the batch ratio where a slow backend ran a smaller batch.
 */
export async function runBench(partial: Partial<BenchOptions> = {}): Promise<BenchResult> {
  const t0 = performance.now();
  const o: BenchOptions = { ...BENCH_DEFAULTS, threads: availableCores(), ...partial };
  const notes: string[] = [];
  const { available, unavailable } = await availableBackends({ threads: o.threads });
  const backends = available.filter((b) => o.backends.includes(b.backend));
  for (const u of unavailable) {
    if (o.backends.includes(u.backend)) notes.push(`${u.backend} skipped: ${u.reason}`);
  }
  if (backends.length === 0)
    throw new Error(`none of the backends ${o.backends.join(", ")} loads here`);
  const native =
    backends.find((b) => b.backend === "tensorflow-gpu" || b.backend === "tensorflow") ??
    backends[0];
  await useBackend(native.backend, { threads: o.threads });
  const sgemm = sgemmGflops();
  log(o, `sgemm on ${native.backend}: ${sgemm.toFixed(0)} GFLOP/s`);

  let python: string | undefined;
  let torchSg: number | null = null;
  let torchVersion: string | null = null;
  if (o.torch) {
    const v = ensureTorchVenv(o);
    python = v.python;
    if (!python) notes.push(`PyTorch skipped: ${v.why}`);
    else torchSg = torchSgemm(python, o.threads);
  }

  const rows: BenchRow[] = [];
  let overhead: Overhead | null = null;
  for (const model of o.models) {
    const torch = new Map<TorchLayout, TorchServer>();
    if (python) {
      for (const layout of TORCH_LAYOUTS) {
        log(o, `${model}: starting PyTorch ${layout} (warm-up step)`);
        const t = await startTorch(python, model, o, layout);
        if (typeof t === "string") notes.push(`${model} torch ${layout}: ${t}`);
        else {
          torch.set(layout, t);
          torchVersion = t.torch;
        }
      }
    }
    const torchTimes = new Map<TorchLayout, number[]>(TORCH_LAYOUTS.map((l) => [l, []]));
    for (const b of backends) {
      await useBackend(b.backend, { threads: o.threads });
      const probe = buildStep(model, 1, o.size);
      const flopsFull = probe.flops * o.batch;
      probe.dispose();
      const plan = slowBackendPlan(
        b.backend,
        flopsFull,
        o,
        partial.backends?.includes(b.backend) ?? false,
      );
      if (!plan) {
        const note = `skipped: pure JS, ~${Math.round(flopsFull / 0.3e9)} s per step expected (run it with --backends ${b.backend})`;
        rows.push({
          model,
          backend: b.backend,
          views_per_s: null,
          gflops: null,
          torch_views_per_s: null,
          ratio_vs_torch: null,
          note,
        });
        continue;
      }
      log(o, `${model} on ${b.backend} (batch ${plan.batch}, warm-up step)`);
      const step = buildStep(model, plan.batch, o.size);
      step.full(); // warm-up
      const slow = plan.batch !== o.batch;
      const scale = o.batch / plan.batch;
      const tfTimes: number[] = [];
      const pairTorch = new Map<TorchLayout, number[]>(TORCH_LAYOUTS.map((l) => [l, []]));
      const start = performance.now();
      while (
        tfTimes.length < 20 &&
        (tfTimes.length === 0 || (!slow && performance.now() - start < o.secondsPerRow * 1000))
      ) {
        const t = performance.now();
        step.full();
        tfTimes.push((performance.now() - t) / 1000);
        for (const [layout, server] of torch) pairTorch.get(layout)?.push(await server.step());
      }
      for (const l of TORCH_LAYOUTS) torchTimes.get(l)?.push(...(pairTorch.get(l) ?? []));
      const step_s = median(tfTimes);
      const ratios = pairedRatios(tfTimes, pairTorch, scale);
      const views = (2 * plan.batch) / step_s;
      const gflops = step.flops / step_s / 1e9;
      const nchw = pairTorch.get("nchw") ?? [];
      const torchViews = nchw.length ? (2 * o.batch) / median(nchw) : null;
      log(
        o,
        `${model} on ${b.backend}: ${views.toFixed(1)} views/s, ${gflops.toFixed(1)} GFLOP/s (step ${step_s.toFixed(2)} s, ${tfTimes.length} timed)` +
          (ratios.nchw === null
            ? ""
            : `; torch NCHW ${torchViews?.toFixed(1)} views/s in the paired steps, ratio ${ratios.nchw.toFixed(2)}`) +
          (ratios.best === null
            ? ""
            : `; vs the faster torch layout (${ratios.bestLayout}) ${ratios.best.toFixed(2)}`),
      );
      rows.push({
        model,
        backend: b.backend,
        views_per_s: views,
        gflops,
        torch_views_per_s: torchViews,
        ratio_vs_torch: ratios.nchw,
        ratio_vs_torch_channels_last: ratios.channels_last,
        ratio_vs_torch_best: ratios.best,
        torch_best_layout: ratios.bestLayout,
        step_s,
        steps: tfTimes.length,
        batch: plan.batch,
        ...(plan.note ? { note: plan.note } : {}),
      });
      if (!overhead && b === native) {
        overhead = measureOverhead(step, b.backend, model, plan.batch, o);
      }
      step.dispose();
    }
    for (const server of torch.values()) server.close();
    const probe = buildStep(model, 1, o.size); // FLOPs of one image's training step
    const flops = probe.flops * o.batch;
    probe.dispose();
    const nchwTimes = torchTimes.get("nchw") ?? [];
    for (const layout of TORCH_LAYOUTS) {
      const times = torchTimes.get(layout) ?? [];
      if (!times.length) continue;
      const s = median(times);
      rows.push({
        model,
        backend: "torch",
        layout,
        views_per_s: (2 * o.batch) / s,
        gflops: flops / s / 1e9,
        torch_views_per_s: nchwTimes.length ? (2 * o.batch) / median(nchwTimes) : null,
        ratio_vs_torch: nchwTimes.length ? median(nchwTimes) / s : null,
        step_s: s,
        steps: times.length,
        batch: o.batch,
        note: `PyTorch ${torchVersion}, ${layout === "nchw" ? "NCHW (default)" : "channels_last"}, same threads`,
      });
    }
  }
  await useBackend(native.backend, { threads: o.threads });
  if (backends.some((b) => b.backend === "wasm"))
    notes.push("wasm runs on one thread in Node.js (tfjs disables wasm threads there)");
  return {
    cpu: cpuRecord(native),
    sgemm_gflops: sgemm,
    torch_sgemm_gflops: torchSg,
    threads: o.threads,
    backends,
    unavailable,
    rows,
    overhead,
    torch_version: torchVersion,
    notes,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Median over the pairs of (PyTorch step time / tfjs step time) per layout, tfjs times scaled by
 * `scale` (a slow backend's smaller batch), and against the layout whose median step was faster.
 */
export function pairedRatios(
  tfTimes: readonly number[],
  torchTimes: ReadonlyMap<TorchLayout, readonly number[]>,
  scale = 1,
): Record<TorchLayout, number | null> & { best: number | null; bestLayout: TorchLayout | null } {
  const per = (l: TorchLayout): number | null => {
    const tt = torchTimes.get(l) ?? [];
    return tt.length ? median(tt.map((t, i) => t / (tfTimes[i] * scale))) : null;
  };
  const timed = TORCH_LAYOUTS.filter((l) => (torchTimes.get(l) ?? []).length > 0);
  const bestLayout = timed.length
    ? timed.reduce((a, b) =>
        median(torchTimes.get(b) ?? []) < median(torchTimes.get(a) ?? []) ? b : a,
      )
    : null;
  return {
    nchw: per("nchw"),
    channels_last: per("channels_last"),
    best: bestLayout ? per(bestLayout) : null,
    bestLayout,
  };
}

function measureOverhead(
  step: ReturnType<typeof buildStep>,
  backend: BackendName,
  model: BenchModel,
  batch: number,
  o: BenchOptions,
): Overhead {
  // Alternate full steps and model-only steps so both see the same load; median of the pairs.
  const x = step.upload();
  const fulls: number[] = [];
  const models: number[] = [];
  const fractions: number[] = [];
  const start = performance.now();
  while (
    fulls.length < 7 &&
    (fulls.length < 3 || performance.now() - start < o.secondsPerRow * 1000)
  ) {
    let t = performance.now();
    step.full();
    const f = (performance.now() - t) / 1000;
    t = performance.now();
    step.modelOnly(x);
    const m = (performance.now() - t) / 1000;
    fulls.push(f);
    models.push(m);
    fractions.push(Math.max(0, f - m) / f);
  }
  x.dispose();
  const stepS = median(fulls);
  const modelS = median(models);
  const uploadS = timeSteps(
    () => {
      const t = step.upload();
      t.dataSync();
      t.dispose();
    },
    1,
    10,
  ).step_s;
  let augmentS: number | null = null;
  try {
    const split = {
      n: batch,
      height: o.size,
      width: o.size,
      pixels: Uint8Array.from(
        { length: batch * o.size * o.size * 3 },
        (_, i) => (i * 2654435761) % 256,
      ),
      labels: new Int16Array(batch),
    };
    const job = {
      indices: Int32Array.from({ length: batch }, (_, i) => i),
      seed: 1,
      step: 0,
      epoch: 0,
    };
    augmentS = timeSteps(() => buildTwoViewBatch(split, symmetric(), job), 2, 3).step_s;
  } catch {
    augmentS = null;
  }
  const lossOpt = median(fractions) * stepS;
  return {
    backend,
    model,
    step_s: stepS,
    model_s: modelS,
    loss_optimizer_fraction: lossOpt / stepS,
    batch_upload_fraction: uploadS / stepS,
    augment_fraction: augmentS == null ? null : augmentS / stepS,
    total_fraction: (lossOpt + uploadS) / stepS,
  };
}

const fmt = (v: number | null | undefined, d = 1): string => (v == null ? "-" : v.toFixed(d));

/** The result as a plain-text table with notes. */
export function formatBench(r: BenchResult): string {
  const lines: string[] = [];
  lines.push(`CPU: ${describeCpu(r.cpu)}`);
  lines.push(
    `sgemm: ${fmt(r.sgemm_gflops, 0)} GFLOP/s (tfjs ${r.backends[0]?.backend ?? "?"}), torch ${fmt(r.torch_sgemm_gflops, 0)} GFLOP/s; ${r.threads} threads`,
  );
  for (const b of r.backends) lines.push(`  ${b.backend}: ${b.version}; ${b.device}`);
  lines.push("");
  lines.push(
    `${"model".padEnd(9)} ${"backend".padEnd(19)} ${"views/s".padStart(8)} ${"GFLOP/s".padStart(8)} ${"torch v/s".padStart(9)} ${"vs torch".padStart(8)} ${"vs CL".padStart(6)} ${"vs best".padStart(7)}  steps  note`,
  );
  for (const row of r.rows) {
    const name = row.layout ? `torch ${row.layout}` : row.backend;
    lines.push(
      `${row.model.padEnd(9)} ${name.padEnd(19)} ${fmt(row.views_per_s).padStart(8)} ${fmt(row.gflops).padStart(8)} ${fmt(row.torch_views_per_s).padStart(9)} ${fmt(row.ratio_vs_torch, 2).padStart(8)} ${fmt(row.ratio_vs_torch_channels_last, 2).padStart(6)} ${fmt(row.ratio_vs_torch_best, 2).padStart(7)}  ${String(row.steps ?? "-").padStart(5)}  ${row.note ?? ""}`,
    );
  }
  lines.push(
    "vs torch: PyTorch NCHW (default) step time / this step time, median over paired steps; vs CL: the same against channels_last; vs best: against the faster layout",
  );
  if (r.overhead) {
    const h = r.overhead;
    lines.push("");
    lines.push(
      `overhead outside the model (${h.model} on ${h.backend}, step ${fmt(h.step_s, 2)} s, model fwd+bwd ${fmt(h.model_s, 2)} s): ` +
        `loss+optimizer ${fmt(100 * h.loss_optimizer_fraction)}%, view upload ${fmt(100 * h.batch_upload_fraction)}%, total ${fmt(100 * h.total_fraction)}%` +
        (h.augment_fraction == null
          ? ""
          : `; two-view augmentation ${fmt(100 * h.augment_fraction)}% of a step if not overlapped (it runs in the view worker)`),
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(`(${fmt(r.seconds, 0)} s)`);
  return lines.join("\n");
}
