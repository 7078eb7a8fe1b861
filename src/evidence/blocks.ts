/**
 * The blocks a comparison is tested in: the run seed, within one CPU model. One seed fixes the
 * initialisation and data order of every cell that agrees on encoder, data and batch size
 * (src/evidence/pairing.ts), and the random-init baseline and test images are shared by all cells
 * of a seed, so the cells of one seed are correlated and the seed, not the run, is the unit: a
 * per-seed value (the mean of a side's runs of that seed) or a per-seed contrast
 * sum(weight x value) is one observation, and different seeds are independent. The same config
 * and seed on two CPU models differ by up to 1.45 points (issue 27), so a comparison keeps only
 * the runs of one CPU model (the CPU is a blocking factor) and says how many runs it left out.
 */
import type { CpuRecord } from "../track/cpu";
import type { SeedResult } from "./study";

/** The run param that names the CPU model a run trained on (its {@link CpuRecord}). */
export const CPU_MODEL_PARAM = `env.${"cpu_model" satisfies keyof CpuRecord}`;

/** What a run without a recorded CPU model is grouped under. */
const UNRECORDED = "not recorded";

/** The run param that names the CPU's vendor, family, model and stepping. */
export const CPU_ID_PARAM = `env.${"cpu_id" satisfies keyof CpuRecord}`;

/**
 * A CPU model as a block: its name and, where known, its vendor, family and model number
 * ("Intel(R) Xeon(R) Processor [GenuineIntel family 6 model 207]"). Virtual machines give several
 * generations one name, and a generation decides the kernels TensorFlow runs; the stepping is left
 * out (the same generation).
 */
export function cpuBlock(model: string, id?: string): string {
  const generation = id?.replace(/ stepping \S+$/, "");
  return generation && generation !== "unknown" ? `${model} [${generation}]` : model;
}

/** The CPU model a run's params record (its {@link cpuBlock}), where they do. */
export function cpuModelOf(params: Record<string, string>): string | undefined {
  const model = params[CPU_MODEL_PARAM];
  return model === undefined ? undefined : cpuBlock(model, params[CPU_ID_PARAM]);
}

/** `{ cpu }` for a per-seed result, from a run's params; empty where not recorded. */
export function withCpu(params: Record<string, string>): { cpu?: string } {
  const cpu = cpuModelOf(params);
  return cpu !== undefined ? { cpu } : {};
}

const cpuOf = (r: SeedResult): string => r.cpu ?? UNRECORDED;

/** Per-seed value of a metric over some runs: the mean of the finite values of each seed. */
export function seedMeans(runs: readonly SeedResult[], metric: string): Map<number, number> {
  const acc = new Map<number, number[]>();
  for (const r of runs) {
    const v = r.metrics[metric];
    if (v === undefined || !Number.isFinite(v)) continue;
    acc.set(r.seed, [...(acc.get(r.seed) ?? []), v]);
  }
  return new Map(
    [...acc]
      .sort(([a], [b]) => a - b)
      .map(([s, v]) => [s, v.reduce((x, y) => x + y, 0) / v.length]),
  );
}

/** The sides of a comparison restricted to one CPU model. */
export interface OneCpu {
  /** The CPU model kept ("not recorded" for runs from before the env params). */
  cpu: string;
  sides: SeedResult[][];
  /** Runs on other CPU models, left out. */
  left: number;
}

/**
 * Keeps the runs of one CPU model on every side: the model with the most seeds common to all
 * sides, then the most runs on its thinnest side, then the most runs. With one model in the data
 * nothing is left out.
 */
export function oneCpuModel(sides: readonly (readonly SeedResult[])[]): OneCpu {
  const models = [...new Set(sides.flat().map(cpuOf))].sort();
  const score = (cpu: string): number[] => {
    const mine = sides.map((s) => s.filter((r) => cpuOf(r) === cpu));
    const seeds = mine.map((s) => new Set(s.map((r) => r.seed)));
    const common = [...(seeds[0] ?? [])].filter((x) => seeds.every((s) => s.has(x))).length;
    return [common, Math.min(...mine.map((s) => s.length)), mine.flat().length];
  };
  const better = (a: number[], b: number[]): boolean => {
    const i = a.findIndex((x, k) => x !== b[k]);
    return i >= 0 && (a[i] as number) > (b[i] as number);
  };
  const cpu = models.reduce(
    (best, m) => (better(score(m), score(best)) ? m : best),
    models[0] ?? UNRECORDED,
  );
  const kept = sides.map((s) => s.filter((r) => cpuOf(r) === cpu));
  return { cpu, sides: kept, left: sides.flat().length - kept.flat().length };
}

/** Words for a table where runs on other CPU models were left out; "" where none were. */
export function cpuNote(o: Pick<OneCpu, "cpu" | "left">): string {
  return o.left > 0
    ? `; CPU model as a blocking factor: runs on ${o.cpu} only, ${o.left} run${o.left === 1 ? "" : "s"} on other CPU models left out`
    : "";
}

/** One side of a per-seed contrast: its runs, the metric read on them and its weight. */
export interface ContrastSide {
  runs: readonly SeedResult[];
  metric: string;
  weight: number;
}

/**
 * Per-seed contrasts sum(weight x per-seed value) over the seeds present on every side (the
 * sides already within one CPU model): one independent observation per seed.
 */
export function seedContrasts(sides: readonly ContrastSide[]): {
  seeds: number[];
  values: number[];
} {
  const bySide = sides.map((s) => seedMeans(s.runs, s.metric));
  const seeds = [...(bySide[0]?.keys() ?? [])].filter((x) => bySide.every((m) => m.has(x)));
  const values = seeds.map((seed) =>
    sides.reduce((a, s, i) => a + s.weight * (bySide[i]?.get(seed) as number), 0),
  );
  return { seeds, values };
}
