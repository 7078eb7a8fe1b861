/**
 * Mixed-precision rows of the benchmark (issue 25): our bf16 training step (src/backend/bf16.ts)
 * against our fp32 step, and against PyTorch's CPU autocast to bfloat16 in channels_last, its
 * fastest layout here, all paired step by step in one run so that they see the same load. Also
 * PyTorch fp32 channels_last, so the table shows what autocast buys PyTorch on the same CPU.
 *
 * Each round times one step of each of the four in turn; every ratio is the median over rounds of
 * (the other's step time / this step time).
 */
import { useBackend } from "../src/backend";
import { bf16Conv2d, bf16Unavailable } from "../src/backend/bf16";
import { cpuInfo } from "../src/track/cpu";
import {
  buildStep,
  ensureTorchVenv,
  median,
  startTorch,
  type BenchModel,
  type TorchServer,
} from "./harness";

/** One model's paired precision rows. */
export interface PrecisionRow {
  model: BenchModel;
  /** Our step in fp32 and bf16, views/s (median step). */
  fp32_views_per_s: number;
  bf16_views_per_s: number;
  /** PyTorch channels_last, fp32 and autocast bf16, views/s; null without PyTorch. */
  torch_fp32_views_per_s: number | null;
  torch_bf16_views_per_s: number | null;
  /** Median over rounds of our fp32 step time / our bf16 step time. */
  bf16_vs_fp32: number;
  /** Median over rounds of PyTorch autocast-bf16 step time / our bf16 step time. */
  bf16_vs_torch_bf16: number | null;
  /** Median over rounds of PyTorch fp32 step time / PyTorch bf16 step time. */
  torch_bf16_vs_torch_fp32: number | null;
  /** Rounds timed. */
  rounds: number;
}

/** What the precision bench found, or why it did not run. */
export type PrecisionBench = { rows: PrecisionRow[] } | { skipped: string };

/** Options: models, batch, image side, threads, seconds per model, whether PyTorch runs. */
export interface PrecisionBenchOptions {
  models: BenchModel[];
  batch: number;
  size: number;
  threads: number;
  secondsPerModel: number;
  torch: boolean;
  verbose: boolean;
}

/** Median over rounds of a[i] / b[i]. */
function ratio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((t, i) => t / b[i]));
}

/** Times fn once and returns seconds. */
function timed(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** One model's rounds. */
async function benchModel(
  model: BenchModel,
  o: PrecisionBenchOptions,
  python: string | undefined,
): Promise<PrecisionRow> {
  const fp32 = buildStep(model, o.batch, o.size);
  const bf16 = buildStep(model, o.batch, o.size, bf16Conv2d());
  const servers: (TorchServer | undefined)[] = [];
  for (const autocast of ["none", "bf16"] as const) {
    const s = python ? await startTorch(python, model, o, "channels_last", autocast) : undefined;
    if (typeof s === "string") throw new Error(`PyTorch ${autocast}: ${s}`);
    servers.push(s);
  }
  fp32.full();
  bf16.full(); // warm-up: oneDNN primitive creation
  const t: number[][] = [[], [], [], []];
  const start = performance.now();
  while (
    t[0].length < 20 &&
    (t[0].length < 2 || performance.now() - start < o.secondsPerModel * 1000)
  ) {
    t[0].push(timed(fp32.full));
    t[1].push(timed(bf16.full));
    for (const [i, s] of servers.entries()) if (s) t[2 + i].push(await s.step());
  }
  for (const s of servers) s?.close();
  fp32.dispose();
  bf16.dispose();
  const views = (xs: number[]): number | null => (xs.length ? (2 * o.batch) / median(xs) : null);
  const torchOk = t[2].length > 0 && t[3].length > 0;
  return {
    model,
    fp32_views_per_s: views(t[0]) ?? 0,
    bf16_views_per_s: views(t[1]) ?? 0,
    torch_fp32_views_per_s: views(t[2]),
    torch_bf16_views_per_s: views(t[3]),
    bf16_vs_fp32: ratio(t[0], t[1]),
    bf16_vs_torch_bf16: torchOk ? ratio(t[3], t[1]) : null,
    torch_bf16_vs_torch_fp32: torchOk ? ratio(t[2], t[3]) : null,
    rounds: t[0].length,
  };
}

/**
 * Runs the paired precision rows on native TensorFlow; skipped, with the reason, where bf16 cannot
 * run (no AVX512-BF16 / AMX, no native backend, oneDNN off).
 */
export async function runPrecisionBench(o: PrecisionBenchOptions): Promise<PrecisionBench> {
  const native = await useBackend("tensorflow", { threads: o.threads }).catch(() => undefined);
  const why = bf16Unavailable(cpuInfo(), native);
  if (why) return { skipped: why };
  const python = o.torch ? ensureTorchVenv(o).python : undefined;
  const rows: PrecisionRow[] = [];
  for (const model of o.models) {
    if (o.verbose) console.error(`[bench] ${model}: fp32 vs bf16, paired with PyTorch autocast`);
    rows.push(await benchModel(model, o, python));
  }
  return { rows };
}

/** The precision rows as text. */
export function formatPrecisionBench(p: PrecisionBench): string {
  if ("skipped" in p) return `bf16 rows skipped: ${p.skipped}`;
  const f = (x: number | null, d = 1): string => (x === null ? "-" : x.toFixed(d));
  const lines = [
    `${"model".padEnd(9)} ${"fp32 v/s".padStart(9)} ${"bf16 v/s".padStart(9)} ${"torch fp32 CL".padStart(13)} ${"torch bf16 CL".padStart(13)} ${"bf16/fp32".padStart(9)} ${"vs torch bf16".padStart(13)} ${"torch bf16/fp32".padStart(15)} rounds`,
  ];
  for (const r of p.rows)
    lines.push(
      `${r.model.padEnd(9)} ${f(r.fp32_views_per_s).padStart(9)} ${f(r.bf16_views_per_s).padStart(9)} ${f(r.torch_fp32_views_per_s).padStart(13)} ${f(r.torch_bf16_views_per_s).padStart(13)} ${f(r.bf16_vs_fp32, 2).padStart(9)} ${f(r.bf16_vs_torch_bf16, 2).padStart(13)} ${f(r.torch_bf16_vs_torch_fp32, 2).padStart(15)} ${r.rounds}`,
    );
  lines.push(
    "bf16/fp32: our fp32 step time / our bf16 step time; vs torch bf16: PyTorch autocast-bf16 channels_last step time / our bf16 step time; medians over paired rounds",
  );
  return lines.join("\n");
}
