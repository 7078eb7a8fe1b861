/**
 * Augmentation benchmark (issue 4): images per second of the SimCLR default two-view pipeline
 * (appendix A / B.9: crop, flip, colour strength 0.5; two views per image) at 32x32 and 96x96, on
 * this thread and through the prefetching view stream (worker thread), beside torchvision's
 * equivalent per-image PIL pipeline (bench/torch_augment.py) measured in the same run; plus the
 * CIFAR-10 decoded-cache load time when the data set is found.
 *
 *   node --import tsx bench/augment.ts [--json] [--seconds 6] [--no-torch] [--training]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { ImageSplit } from "../src/data/types";
import { toImageBatch } from "../src/data/batch";
import { takeSplit } from "../src/data/subset";
import { resizeBoxBilinear } from "../src/augment/crop";
import os from "node:os";
import { loadDataset } from "../src/data/load";
import { createRng } from "../src/util/random";
import { defaultPipeline } from "../src/augment/compose";
import { createViewStream, makeTwoViews, symmetric } from "../src/augment/views";

/** One row of the augmentation benchmark. */
export interface AugmentBenchRow {
  /** What was timed. */
  name: string;
  /** Image side in pixels. */
  size: number;
  /** Source images per second (each gives two views); null when not measured. */
  images_per_s: number | null;
  /** torchvision's images per second (two views each) in the same run; null without the venv. */
  torchvision_images_per_s: number | null;
  /** images_per_s / torchvision_images_per_s. */
  ratio_vs_torchvision: number | null;
  /** Images per CPU-second of the process (robust to other load on a shared machine). */
  cpu_images_per_s?: number | null;
  torchvision_cpu_images_per_s?: number | null;
  cpu_ratio_vs_torchvision?: number | null;
  /** Seconds, for timing rows (cache load). */
  seconds?: number;
  note?: string;
}

/** Options of {@link benchAugment}. */
export interface AugmentBenchOptions {
  /** Timed seconds per measurement. */
  seconds: number;
  /** Images per batch (issue 3's step uses 256). */
  batch: number;
  /** Run torchvision too (needs .simclr/bench-venv with torch; torchvision is added on first use). */
  torch: boolean;
  /** Image sides. */
  sizes: number[];
  /** Progress lines on stderr. */
  verbose: boolean;
  /** Interleaved rounds per measurement (best kept). */
  rounds: number;
  /** Also time the native ConvNet training step (loads TensorFlow) for the 5x target. */
  training: boolean;
  /** Also time the view stream (worker thread). */
  stream: boolean;
}

/** Defaults of {@link AugmentBenchOptions}. */
export const AUGMENT_BENCH_DEFAULTS: Readonly<AugmentBenchOptions> = Object.freeze({
  seconds: 6,
  batch: 256,
  torch: true,
  sizes: [32, 96],
  verbose: true,
  rounds: 3,
  training: false,
  stream: true,
});

const ROOT = path.resolve(__dirname, "..");
const VENV_PY = path.join(ROOT, ".simclr", "bench-venv", "bin", "python");
const TORCHVISION_SPEC = "torchvision==0.29.2";

function log(o: AugmentBenchOptions, msg: string): void {
  if (o.verbose) process.stderr.write(`[bench augment] ${msg}\n`);
}

/**
 * Benchmark images: CIFAR-10 test images when the data set is found (else smooth synthetic ones),
 * upscaled bilinearly for sides above 32. Real images matter: colour ops branch on channel order,
 * which random noise makes unpredictable.
 */
async function benchImages(
  n: number,
  side: number,
): Promise<{ split: ImageSplit; source: string }> {
  let base: ImageSplit;
  let source: string;
  try {
    const ds = await loadDataset("cifar10");
    base = takeSplit(
      ds.test,
      Array.from({ length: Math.min(n, ds.test.n) }, (_, i) => i),
    );
    source = "CIFAR-10 test images";
  } catch {
    const pixels = new Uint8Array(n * 32 * 32 * 3);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const o = ((i * 32 + y) * 32 + x) * 3;
          pixels[o] = (x * 8 + i * 13) & 255;
          pixels[o + 1] = (y * 8 + i * 29) & 255;
          pixels[o + 2] = ((x + y) * 4 + i * 7) & 255;
        }
    base = { n, height: 32, width: 32, pixels, labels: new Int16Array(n) };
    source = "synthetic gradients (CIFAR-10 not found)";
  }
  if (side === 32) return { split: base, source };
  const f = toImageBatch(
    base,
    Array.from({ length: base.n }, (_, i) => i),
  );
  const out = new Float32Array(base.n * side * side * 3);
  const scratch = {
    xi0: new Int32Array(side),
    xi1: new Int32Array(side),
    xw: new Float32Array(side),
  };
  for (let i = 0; i < base.n; i++)
    resizeBoxBilinear(
      f.data,
      i * 3072,
      32,
      { y: 0, x: 0, height: 32, width: 32 },
      out,
      i * side * side * 3,
      side,
      side,
      scratch,
    );
  const pixels = Uint8Array.from(out, (v) => Math.round(v * 255));
  return {
    split: { n: base.n, height: side, width: side, pixels, labels: new Int16Array(base.n) },
    source: `${source}, upscaled to ${side}x${side}`,
  };
}

/** torchvision in the bench venv: adds it (no dependencies: torch is there) on first use. */
function torchvisionPython(o: AugmentBenchOptions): { python?: string; why?: string } {
  if (!fs.existsSync(VENV_PY))
    return { why: `no PyTorch venv at ${VENV_PY} (npm run bench creates it)` };
  const probe = () => spawnSync(VENV_PY, ["-c", "import torchvision, PIL"], { encoding: "utf8" });
  if (probe().status === 0) return { python: VENV_PY };
  log(o, `installing ${TORCHVISION_SPEC} and pillow into the bench venv`);
  spawnSync(
    VENV_PY,
    [
      "-m",
      "pip",
      "install",
      "-q",
      "--disable-pip-version-check",
      "--no-deps",
      TORCHVISION_SPEC,
      "pillow",
    ],
    { stdio: o.verbose ? "inherit" : "pipe" },
  );
  return probe().status === 0
    ? { python: VENV_PY }
    : { why: "torchvision could not be installed into the bench venv" };
}

function runTorchvision(python: string, split: ImageSplit, seconds: number): Rate | string {
  const raw = path.join(os.tmpdir(), `simclr-bench-augment-${process.pid}.bin`);
  fs.writeFileSync(raw, split.pixels);
  const r = spawnSync(
    python,
    [
      path.join(ROOT, "bench", "torch_augment.py"),
      "--size",
      String(split.height),
      "--raw",
      raw,
      "--seconds",
      String(seconds),
      "--strength",
      "0.5",
      "--threads",
      "1",
    ],
    { encoding: "utf8" },
  );
  fs.rmSync(raw, { force: true });
  if (r.status !== 0)
    return `torch_augment.py failed: ${String(r.stderr).trim().split("\n").pop()}`;
  const line = String(r.stdout).trim().split("\n").pop() ?? "";
  const j = JSON.parse(line) as { images_per_s: number; cpu_images_per_s: number };
  return { wall: j.images_per_s, cpu: j.cpu_images_per_s };
}

/** Images per wall-clock second and per CPU-second of this process. */
interface Rate {
  wall: number;
  cpu: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Two views of `batch`-image batches on this thread for about `seconds`; images per second. */
function timeLocal(split: ImageSplit, batch: number, seconds: number): Rate {
  const spec = symmetric(defaultPipeline());
  const rng = createRng(1);
  const idx = Int32Array.from({ length: batch }, (_, i) => i);
  for (let w = 0; w < 2; w++) makeTwoViews(toImageBatch(split, idx), spec, rng);
  let done = 0;
  const t0 = performance.now();
  const c0 = cpuSeconds();
  while ((performance.now() - t0) / 1000 < seconds) {
    makeTwoViews(toImageBatch(split, idx), spec, rng);
    done += batch;
  }
  return { wall: done / ((performance.now() - t0) / 1000), cpu: done / (cpuSeconds() - c0) };
}

/** The view stream with its worker thread, consumer doing nothing; images per second. */
async function timeStream(split: ImageSplit, batch: number, seconds: number): Promise<number> {
  const stream = createViewStream(split, {
    batchSize: batch,
    steps: 1 << 30,
    worker: true,
    spec: symmetric(defaultPipeline()),
  });
  await stream.next(); // worker start-up (tsx) is not counted
  let done = 0;
  const t0 = performance.now();
  for await (const b of stream) {
    done += b.view1.n;
    if ((performance.now() - t0) / 1000 >= seconds) break;
  }
  await stream.close();
  return done / ((performance.now() - t0) / 1000);
}

/**
 * Prefetch overlap: seconds per step of a consumer that is busy `busyMs` on this thread per batch
 * (a stand-in for the training step), with batches made on this thread (no overlap) and on the
 * worker (prepared during the busy time).
 */
async function timeOverlap(
  split: ImageSplit,
  batch: number,
  busyMs: number,
  steps: number,
): Promise<{ local: number; worker: number }> {
  const run = async (worker: boolean): Promise<number> => {
    const stream = createViewStream(split, {
      batchSize: batch,
      steps: steps + 1,
      worker,
      spec: symmetric(defaultPipeline()),
    });
    await stream.next();
    const t0 = performance.now();
    for await (const _ of stream) {
      const end = performance.now() + busyMs;
      while (performance.now() < end) {
        // busy: the training step holds this thread
      }
    }
    return (performance.now() - t0) / 1000 / steps;
  };
  return { local: await run(false), worker: await run(true) };
}

/** CIFAR-10 load from the decoded cache (the second load), when the data set is found. */
async function timeCacheLoad(): Promise<AugmentBenchRow> {
  const name = "CIFAR-10 load from decoded cache (50k+10k)";
  try {
    await loadDataset("cifar10"); // builds the cache on first use
    const t0 = performance.now();
    const ds = await loadDataset("cifar10");
    const s = (performance.now() - t0) / 1000;
    return {
      name,
      size: 32,
      images_per_s: null,
      torchvision_images_per_s: null,
      ratio_vs_torchvision: null,
      seconds: s,
      note: ds.fromCache ? ds.source : "cache not used",
    };
  } catch (e) {
    return {
      name,
      size: 32,
      images_per_s: null,
      torchvision_images_per_s: null,
      ratio_vs_torchvision: null,
      note: `skipped: ${(e as Error).message.split("\n")[0]} (set SIMCLR_CIFAR10_DIR)`,
    };
  }
}

/** The native ConvNet training step's views per second (bench/harness.ts, tensorflow backend). */
async function timeTraining(seconds: number): Promise<AugmentBenchRow> {
  const name = "ConvNet training step, views/s (tensorflow)";
  try {
    const { runBench } = await import("./harness");
    const r = await runBench({
      models: ["convnet"],
      backends: ["tensorflow"],
      torch: false,
      secondsPerRow: seconds,
      verbose: false,
    });
    const row = r.rows.find((x) => x.model === "convnet" && x.views_per_s !== null);
    return {
      name,
      size: 32,
      images_per_s: row?.views_per_s ?? null,
      torchvision_images_per_s: null,
      ratio_vs_torchvision: null,
      note: "views per second (2 per image)",
    };
  } catch (e) {
    return {
      name,
      size: 32,
      images_per_s: null,
      torchvision_images_per_s: null,
      ratio_vs_torchvision: null,
      note: `skipped: ${(e as Error).message.split("\n")[0]}`,
    };
  }
}

/**
 * Runs the augmentation benchmark: per size, the default SimCLR two-view pipeline on this thread
 * and through the view stream, and torchvision's equivalent, interleaved in `rounds` short rounds
 * and reporting each one's best round (the machine is shared: the best round is the least
 * disturbed one); then the CIFAR-10 cache load and, with `training`, the ConvNet step.
 */
export async function benchAugment(
  partial: Partial<AugmentBenchOptions> = {},
): Promise<AugmentBenchRow[]> {
  const o: AugmentBenchOptions = {
    ...AUGMENT_BENCH_DEFAULTS,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const tv = o.torch ? torchvisionPython(o) : { why: "--no-torch" };
  const rows: AugmentBenchRow[] = [];
  const per = o.seconds / o.rounds;
  for (const size of o.sizes) {
    const { split, source } = await benchImages(o.batch, size);
    log(o, `two views at ${size}x${size}, batch ${o.batch}, ${source}, ${o.rounds} rounds`);
    const local: Rate = { wall: 0, cpu: 0 };
    let stream = 0;
    let torch = null as Rate | null;
    let note = tv.why ?? source;
    for (let r = 0; r < o.rounds; r++) {
      const l = timeLocal(split, o.batch, per);
      local.wall = Math.max(local.wall, l.wall);
      local.cpu = Math.max(local.cpu, l.cpu);
      if (o.stream) stream = Math.max(stream, await timeStream(split, o.batch, per));
      if (tv.python) {
        const t = runTorchvision(tv.python, split, per);
        if (typeof t === "string") note = t;
        else
          torch = {
            wall: Math.max(torch?.wall ?? 0, t.wall),
            cpu: Math.max(torch?.cpu ?? 0, t.cpu),
          };
      }
    }
    rows.push({
      name: "simclr two-view (this thread)",
      size,
      images_per_s: local.wall,
      torchvision_images_per_s: torch?.wall ?? null,
      ratio_vs_torchvision: torch ? local.wall / torch.wall : null,
      cpu_images_per_s: local.cpu,
      torchvision_cpu_images_per_s: torch?.cpu ?? null,
      cpu_ratio_vs_torchvision: torch ? local.cpu / torch.cpu : null,
      note,
    });
    if (o.stream) {
      rows.push({
        name: "simclr view stream (worker thread)",
        size,
        images_per_s: stream,
        torchvision_images_per_s: torch?.wall ?? null,
        ratio_vs_torchvision: torch ? stream / torch.wall : null,
        note,
      });
    }
  }
  if (o.stream && o.sizes.includes(32)) {
    const { split } = await benchImages(o.batch, 32);
    const busy = 60;
    log(o, `prefetch overlap with a ${busy} ms simulated step`);
    const ov = await timeOverlap(split, o.batch, busy, 20);
    rows.push({
      name: `step time, ${busy} ms simulated training step`,
      size: 32,
      images_per_s: null,
      torchvision_images_per_s: null,
      ratio_vs_torchvision: null,
      seconds: ov.worker,
      note: `with worker prefetch ${(ov.worker * 1000).toFixed(1)} ms/step, on the same thread ${(ov.local * 1000).toFixed(1)} ms/step`,
    });
  }
  rows.push(await timeCacheLoad());
  if (o.training) {
    log(o, "ConvNet training step for the 5x target");
    const tr = await timeTraining(o.seconds);
    rows.push(tr);
    const aug = rows.find((r) => r.size === 32 && r.name.startsWith("simclr two-view"));
    if (tr.images_per_s && aug?.images_per_s) {
      rows.push({
        name: "augmentation views/s / training views/s",
        size: 32,
        images_per_s: null,
        torchvision_images_per_s: null,
        ratio_vs_torchvision: null,
        note: `${((2 * aug.images_per_s) / tr.images_per_s).toFixed(1)}x (target >= 5x)`,
      });
    }
  }
  return rows;
}

/** Rows as a text table. */
export function formatAugmentBench(rows: AugmentBenchRow[]): string {
  const f = (x: number | null | undefined, d = 0): string =>
    x === null || x === undefined ? "-" : x.toFixed(d);
  const lines = [
    "augmentation: default SimCLR pipeline (crop, flip, colour 0.5), two views per image; torchvision: PIL, 1 thread",
    "images/s per wall-clock second and per CPU-second of the process (the latter robust to other load)",
    "name                                        size  images/s  torchvision  ratio  cpu img/s  tv cpu img/s  cpu ratio  seconds",
  ];
  for (const r of rows) {
    lines.push(
      [
        r.name.padEnd(43),
        String(r.size).padStart(4),
        f(r.images_per_s).padStart(9),
        f(r.torchvision_images_per_s).padStart(12),
        f(r.ratio_vs_torchvision, 1).padStart(6),
        f(r.cpu_images_per_s).padStart(10),
        f(r.torchvision_cpu_images_per_s).padStart(13),
        f(r.cpu_ratio_vs_torchvision, 1).padStart(10),
        f(r.seconds, 3).padStart(8),
      ].join(" ") + (r.note ? `  ${r.note}` : ""),
    );
  }
  return lines.join("\n");
}

if (require.main === module) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      json: { type: "boolean", default: false },
      seconds: { type: "string" },
      "no-torch": { type: "boolean", default: false },
      training: { type: "boolean", default: false },
    },
  });
  benchAugment({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    torch: !values["no-torch"],
    training: values.training,
  }).then(
    (rows) => console.log(values.json ? JSON.stringify(rows, null, 2) : formatAugmentBench(rows)),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
