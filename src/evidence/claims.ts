/**
 * Does this run agree with the paper? Each study declares the comparisons the paper makes
 * ({claim, metric, better, worse}); here each is tested from per-seed results, one-sided in the
 * paper's direction: a paired t over seeds where the two cells share initialisation and data
 * order for a seed (src/evidence/pairing.ts) and both ran at least 2 common seeds, else Welch's t
 * with Welch-Satterthwaite df. A side with fewer than 2 seeds has no variance estimate and reads
 * "too few seeds". The verdict comes from the Holm-adjusted p of the family the claim is decided
 * in (src/evidence/finding.ts, src/stats/verdict.ts).
 */
import { pairDifferences, pairedTest } from "../stats/paired";
import { welchTest } from "../stats/welch";
import { pairable } from "./pairing";
import { cpuNote, oneCpuModel, seedMeans } from "./blocks";
import { selectCells } from "../grid/study-grid";
import type { Claim, SeedResult, Study } from "./study";
import {
  decideFindings,
  formatSide,
  isAccuracy,
  sideOf,
  tested,
  untested,
  type Finding,
  type FindingSide,
} from "./finding";

export type { SeedResult } from "./study";

/** A declared claim's finding, with the cells behind each side. */
export interface ClaimVerdict extends Finding {
  metric: string;
  better: FindingSide & { cells: string[] };
  worse: FindingSide & { cells: string[] };
}

/** Options for {@link evaluateClaim}: the preset whose cells the selectors pick among. */
export interface ClaimOptions {
  preset?: string;
}

/** The runs (finite on the metric) of the cells a selector picks. */
function sideRuns(
  study: Study,
  sel: Claim["better"],
  results: readonly SeedResult[],
  metric: string,
  preset: string | undefined,
): { cells: string[]; rows: SeedResult[] } {
  const cells = selectCells(study, sel, preset).map((c) => c.label ?? "");
  const rows = results.filter((r) => cells.includes(r.label) && Number.isFinite(r.metrics[metric]));
  return { cells, rows };
}

/** A side's values and per-seed values (seed -> mean of its runs of that seed). */
function sideValues(
  rows: readonly SeedResult[],
  metric: string,
): { bySeed: Map<number, number>; values: number[] } {
  return { bySeed: seedMeans(rows, metric), values: rows.map((r) => r.metrics[metric] as number) };
}

/**
 * Tests one claim from per-seed results (verdict decided alone, as a family of one; a table
 * decides it again with every other claim).
 */
export function evaluateClaim(
  study: Study,
  claim: Claim,
  results: readonly SeedResult[],
  options: ClaimOptions = {},
): ClaimVerdict {
  const unit = isAccuracy(claim.metric) ? "points" : "value";
  const rb = sideRuns(study, claim.better, results, claim.metric, options.preset);
  const rw = sideRuns(study, claim.worse, results, claim.metric, options.preset);
  // pairs and samples only within one CPU model (src/evidence/blocks.ts)
  const one = oneCpuModel([rb.rows, rw.rows]);
  const b = { cells: rb.cells, ...sideValues(one.sides[0] ?? [], claim.metric) };
  const w = { cells: rw.cells, ...sideValues(one.sides[1] ?? [], claim.metric) };
  const better = { ...sideOf("better", b.values), cells: b.cells };
  const worse = { ...sideOf("worse", w.values), cells: w.cells };
  const base = {
    id: claim.id,
    claim: claim.claim,
    ...(claim.source !== undefined ? { source: claim.source } : {}),
    unit,
  } as const;
  const dir = claim.lowerIsBetter ? "lower" : "higher";
  const words = `${claim.metric} (${dir} is better): ${formatSide(better, unit)} vs ${formatSide(worse, unit)}${cpuNote(one)}`;
  const extra = { metric: claim.metric, better, worse, cells: [...b.cells, ...w.cells] };
  if (better.n < 2 || worse.n < 2) {
    const f = untested(base, [better, worse], `${words}; a side needs at least 2 seeds for a test`);
    return { ...f, ...extra };
  }
  const sign = claim.lowerIsBetter ? -1 : 1;
  const pairs = pairDifferences(b.bySeed, w.bySeed).map((d) => sign * d);
  const paired = pairable(study, claim.better, claim.worse, options.preset) && pairs.length >= 2;
  const test = paired
    ? pairedTest(pairs)
    : welchTest({ ...better, mean: sign * better.mean }, { ...worse, mean: sign * worse.mean });
  const how = paired
    ? `; paired over ${pairs.length} seeds (same initialisation and data order per seed)`
    : "";
  const f = tested(base, [better, worse], test, words + how);
  return { ...(decideFindings([f])[0] as Finding), ...extra };
}

/** Tests every claim a study declares (decided together, as one family). */
export function evaluateClaims(
  study: Study,
  results: readonly SeedResult[],
  options: ClaimOptions = {},
): ClaimVerdict[] {
  const raw = (study.claims ?? []).map((c) => evaluateClaim(study, c, results, options));
  const decided = decideFindings(raw);
  return raw.map((v, i) => ({ ...v, ...(decided[i] as Finding) }));
}
