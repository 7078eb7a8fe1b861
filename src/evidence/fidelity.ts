/**
 * A fidelity score per reproduced table (issue 27): Spearman's rank correlation between a study's
 * cell means and the numbers the paper prints for the same cells (src/paper/reference.ts), with a
 * percentile bootstrap interval over seeds. The seed is the unit: a resample draws as many seeds
 * as the table's cells ran, with replacement, from the seeds they ran; each cell's mean is
 * recomputed over the drawn seeds it ran (each seed's value the mean of that seed's runs), then
 * Spearman's rho. A draw that leaves a cell without a seed, or ties every mean, has no rho: it is
 * drawn again and counted. Resamples and the bootstrap seed are fixed, so the interval is
 * reproducible. It describes how far the reproduction ranks the cells as the paper does; nothing
 * is tuned to raise it.
 */
import { spearman } from "../stats/spearman";
import { createRng, type Rng } from "../util/random";
import { seedMeans } from "./blocks";
import type { ReportData } from "./runs";
import type { FidelityTable, SeedResult, Study } from "./study";

/** Bootstrap resamples behind every fidelity interval. */
export const FIDELITY_RESAMPLES = 2000;
/** The bootstrap's seed (fixed, so the interval is the same on every build). */
export const FIDELITY_BOOTSTRAP_SEED = 27;
/** Cells a score needs: with 2 the rank correlation can only be -1 or +1. */
const MIN_CELLS = 3;

/** A table's fidelity score. */
export interface FidelityScore {
  table: string;
  /** Spearman's rho of the cell means with the paper's numbers; NaN when not computable. */
  rho: number;
  /** 95% percentile bootstrap interval over seeds; absent with fewer than 2 seeds. */
  ci?: [number, number];
  /** Cells with runs (of the table's cells). */
  cells: number;
  of: number;
  /** Distinct seeds behind the cells. */
  seeds: number;
  resamples: number;
  /** Draws redrawn (a cell without a drawn seed, or no spread). */
  redrawn: number;
  note?: string;
}

/** The q-quantile of sorted values, interpolated linearly (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] as number) - a);
}

/** One bootstrap rho from per-cell seed values, or undefined when the draw has none. */
function drawRho(
  rng: Rng,
  seeds: readonly number[],
  cells: readonly Map<number, number>[],
  paper: readonly number[],
): number | undefined {
  const drawn = seeds.map(() => seeds[rng.int(seeds.length)] as number);
  const means: number[] = [];
  for (const c of cells) {
    const v = drawn.filter((s) => c.has(s)).map((s) => c.get(s) as number);
    if (v.length === 0) return undefined;
    means.push(v.reduce((a, b) => a + b, 0) / v.length);
  }
  const rho = spearman(means, paper);
  return Number.isFinite(rho) ? rho : undefined;
}

/** A table's fidelity score from a study's per-seed results. */
export function fidelityScore(
  t: FidelityTable,
  results: readonly SeedResult[],
  resamples: number = FIDELITY_RESAMPLES,
  bootstrapSeed: number = FIDELITY_BOOTSTRAP_SEED,
): FidelityScore {
  const ran = t.cells
    .map((c) => ({
      c,
      bySeed: seedMeans(
        results.filter((r) => r.label === c.label),
        c.metric,
      ),
    }))
    .filter((x) => x.bySeed.size > 0);
  const seeds = [...new Set(ran.flatMap((x) => [...x.bySeed.keys()]))].sort((a, b) => a - b);
  const base = {
    table: t.table,
    cells: ran.length,
    of: t.cells.length,
    seeds: seeds.length,
    resamples: 0,
    redrawn: 0,
    ...(t.note ? { note: t.note } : {}),
  };
  if (ran.length < MIN_CELLS) return { ...base, rho: NaN };
  const paper = ran.map((x) => x.c.paper);
  const mean = (m: Map<number, number>): number =>
    [...m.values()].reduce((a, b) => a + b, 0) / m.size;
  const rho = spearman(
    ran.map((x) => mean(x.bySeed)),
    paper,
  );
  if (seeds.length < 2 || !Number.isFinite(rho)) return { ...base, rho };
  const rng = createRng(bootstrapSeed);
  const rhos: number[] = [];
  let redrawn = 0;
  while (rhos.length < resamples && redrawn < 10 * resamples) {
    const r = drawRho(
      rng,
      seeds,
      ran.map((x) => x.bySeed),
      paper,
    );
    if (r === undefined) redrawn++;
    else rhos.push(r);
  }
  rhos.sort((a, b) => a - b);
  const ci: [number, number] | undefined = rhos.length
    ? [quantile(rhos, 0.025), quantile(rhos, 0.975)]
    : undefined;
  return { ...base, rho, ...(ci ? { ci } : {}), resamples: rhos.length, redrawn };
}

/** Every fidelity score a study declares, from its per-seed results. */
export function studyFidelity(study: Study, results: readonly SeedResult[]): FidelityScore[] {
  return (study.fidelity ?? []).map((t) => fidelityScore(t, results));
}

/** Every fidelity score of a preset's table, by study: what the findings README prints. */
export function tableFidelity(
  data: ReportData,
  preset: string,
): { study: string; f: FidelityScore }[] {
  return data.sections
    .filter((x) => x.preset === preset)
    .flatMap((x) => studyFidelity(x.study, x.results).map((f) => ({ study: x.study.name, f })));
}

/** One score in words: "Table 4: 0.10 [-0.60, 0.90] over 5 cells and 6 seeds". */
export function formatFidelity(s: FidelityScore): string {
  const cells = s.cells < s.of ? `${s.cells} of ${s.of} cells` : `${s.cells} cells`;
  if (!Number.isFinite(s.rho))
    return `${s.table}: not computable (${cells}${s.cells < MIN_CELLS ? `; needs ${MIN_CELLS}` : ", no spread"})`;
  const ci = s.ci ? ` [${s.ci[0].toFixed(2)}, ${s.ci[1].toFixed(2)}]` : " (no interval: one seed)";
  return `${s.table}: ${s.rho.toFixed(2)}${ci} over ${cells} and ${s.seeds} seed${s.seeds === 1 ? "" : "s"}${s.note ? ` (${s.note})` : ""}`;
}

/** The fidelity sentence of a study (undefined when it declares no table). */
export function fidelitySentence(scores: readonly FidelityScore[]): string | undefined {
  if (scores.length === 0) return undefined;
  return `Fidelity to the paper (Spearman rank correlation of the cell means with the paper's numbers; 95% percentile bootstrap interval over seeds, ${FIDELITY_RESAMPLES} resamples, bootstrap seed ${FIDELITY_BOOTSTRAP_SEED}; a description, not a target): ${scores.map(formatFidelity).join("; ")}.`;
}
