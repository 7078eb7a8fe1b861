/**
 * The findings that are not a plain "cell A beats cell B", as builders a study file calls with its
 * own cells and words: an interaction of four cells (Table 1: color strength x method; Figure 9:
 * batch x epochs), a paired comparison of two evaluations of the same runs (Figure 8 and Table 3:
 * h against g(h)), the strongest cell of a grid against each runner-up (Figure 5), and pooled cell
 * means of two groups of cells (Figure 5: compositions against single transformations).
 */
import { summarize } from "../plot/figures";
import type { SeedResult } from "./claims";
import {
  descriptive,
  formatSide,
  sideOf,
  tested,
  untested,
  type Finding,
  type FindingSide,
} from "./finding";
import { cpuNote, oneCpuModel, seedContrasts, seedMeans } from "./blocks";
import { pairDifferences, pairedTest } from "../stats/paired";
import type { TTest } from "../stats/t-test";
import { welchContrast, welchTest } from "../stats/welch";

/** What a finding is about: its id (like a claim's), the paper's statement and where it says it. */
export interface FindingBase {
  id: string;
  claim: string;
  source: string;
}

/** The finding with the labels of the cells it compares. */
function withCells(f: Finding, cells: readonly string[]): Finding {
  return { ...f, cells: [...cells] };
}

/** Values of a metric over the runs of one cell (finite only). */
export function cellValues(
  results: readonly SeedResult[],
  label: string,
  metric: string,
): number[] {
  return results
    .filter((r) => r.label === label)
    .map((r) => r.metrics[metric] as number)
    .filter((v) => Number.isFinite(v));
}

/** Per-cell mean of a metric, over the seeds of each label present in the results. */
export function cellMeans(results: readonly SeedResult[], metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const label of new Set(results.map((r) => r.label))) {
    const s = summarize(cellValues(results, label, metric));
    if (s.n > 0) out.set(label, s.mean);
  }
  return out;
}

/** One cell of an interaction: its name, its runs, the metric read on them, its weight (+1 or -1). */
export interface InteractionCell {
  name: string;
  /** The study cell's label, where `name` is not it (the cells an adaptive policy grows). */
  label?: string;
  runs: readonly SeedResult[];
  metric: string;
  weight: number;
}

/** The runs of one cell. */
export function cellRuns(results: readonly SeedResult[], label: string): SeedResult[] {
  return results.filter((r) => r.label === label);
}

/**
 * An interaction: sum(weight x cell mean) > 0, e.g. (SimCLR s=1 - s=1/8) - (supervised s=1 -
 * s=1/8). The four cells of one seed share that seed's randomness and its random-init baseline
 * (correlations up to 0.87 at `small`), so they are not independent samples: where at least 2
 * seeds ran in all four cells (on one CPU model, src/evidence/blocks.ts) the test is a one-sample
 * t on the per-seed contrasts (df = seeds - 1), which needs only that seeds are independent.
 * Welch-Satterthwaite over the four cells only where fewer than 2 seeds are common to them.
 * `words` describes the estimate (the caller knows what the gains are called).
 */
export function interactionFinding(
  base: FindingBase,
  cells: readonly InteractionCell[],
  words: string,
): Finding {
  const labels = cells.map((c) => c.label ?? c.name);
  const one = oneCpuModel(cells.map((c) => c.runs));
  const kept = cells.map((c, i) => ({ ...c, runs: one.sides[i] ?? [] }));
  const sides = kept.map((c) => sideOf(c.name, [...seedMeans(c.runs, c.metric).values()]));
  const b = { ...base, unit: "points" as const };
  const cpu = cpuNote(one);
  if (sides.some((s) => s.n < 2))
    return withCells(
      untested(b, sides, `${words}; every cell needs at least 2 seeds for the test${cpu}`),
      labels,
    );
  const contrast = seedContrasts(kept);
  if (contrast.seeds.length >= 2) {
    const how = `; per-seed contrast over the ${contrast.seeds.length} seeds common to the four cells (df = ${contrast.seeds.length - 1})`;
    return withCells(tested(b, sides, pairedTest(contrast.values), words + how + cpu), labels);
  }
  const test = welchContrast(sides.map((s, i) => ({ ...s, weight: cells[i]?.weight ?? 0 })));
  const how = "; Welch over the four cells (fewer than 2 seeds common to them)";
  return withCells(tested(b, sides, test, words + how + cpu), labels);
}

/**
 * Two evaluations `a` and `b` of the same runs (h and g(h) of one encoder): a - b > 0, with the
 * seed as the unit. Runs of one seed in different cells share the seed's initialisation, data
 * order and test images, so they are not independent: each seed's difference is the mean of its
 * runs' differences, and the paired t has df = seeds - 1 (runs on one CPU model only).
 */
export function pairedRunsFinding(
  base: FindingBase,
  runs: readonly SeedResult[],
  a: { metric: string; name: string },
  b: { metric: string; name: string },
  what: string,
): Finding {
  const both = runs.filter(
    (r) => Number.isFinite(r.metrics[a.metric]) && Number.isFinite(r.metrics[b.metric]),
  );
  const one = oneCpuModel([both]);
  const rows = one.sides[0] ?? [];
  const ma = seedMeans(rows, a.metric);
  const mb = seedMeans(rows, b.metric);
  const sides = [sideOf(a.name, [...ma.values()]), sideOf(b.name, [...mb.values()])];
  const d = seedContrasts([
    { runs: rows, metric: a.metric, weight: 1 },
    { runs: rows, metric: b.metric, weight: -1 },
  ]);
  const words = `${what}: ${formatSide(sides[0] as FindingSide, "points")} vs ${formatSide(sides[1] as FindingSide, "points")} (n in seeds; each seed the mean of its runs); paired over ${d.seeds.length} seeds (${rows.length} runs)${cpuNote(one)}`;
  const u = { ...base, unit: "points" as const };
  const labels = [...new Set(rows.map((r) => r.label))];
  if (d.seeds.length < 2) return withCells(untested(u, sides, words), labels);
  return withCells(tested(u, sides, pairedTest(d.values), words), labels);
}

/** The unordered pair a composition label names: "crop+color" and "color+crop" -> "color&crop". */
export function unorderedPair(label: string): string {
  return label.split("+").sort().join("&");
}

/** One component of the strongest-pair test: the target against one rival, per seed. */
function againstRival(t: Map<number, number>, r: Map<number, number>): TTest | undefined {
  const d = pairDifferences(t, r);
  if (d.length >= 2) return pairedTest(d);
  if (t.size < 2 || r.size < 2) return undefined;
  return welchTest(sideOf("", [...t.values()]), sideOf("", [...r.values()]));
}

/**
 * "The unordered pair `target` (crop & color, either order) is the strongest composition of two",
 * an intersection-union test: the pair (each seed's value the mean of its runs in either order)
 * against every other unordered pair, each a one-sided t with the seed as the unit (paired over
 * the seeds both ran where there are 2 or more, Welch over per-seed values otherwise). The claim
 * "target beats every rival" is the intersection of the rivals' alternatives, so it is rejected
 * at alpha when every component rejects at alpha: p is the largest component p, with no
 * multiplicity correction, whatever the dependence between components (Berger 1982). That needs
 * each component to be a valid level-alpha test, so every rival needs 2 seeds (or 2 common with
 * the target); with fewer the claim reads "too few seeds". The reverse ("some rival beats the
 * target") is the union of the rivals' reverses: Bonferroni, the smallest reverse p x rivals.
 * The difference shown is the one against the closest rival. Runs on one CPU model only.
 */
export function strongestFinding(
  base: FindingBase,
  results: readonly SeedResult[],
  metric: string,
  target: string,
  cells: readonly string[],
): Finding {
  return withCells(strongestOf(base, results, metric, unorderedPair(target), cells), [...cells]);
}

function strongestOf(
  base: FindingBase,
  results: readonly SeedResult[],
  metric: string,
  target: string,
  cells: readonly string[],
): Finding {
  const u = { ...base, unit: "points" as const };
  const keys = [...new Set(cells.map(unorderedPair))];
  const groups = keys.map((k) =>
    results.filter((r) => cells.includes(r.label) && unorderedPair(r.label) === k),
  );
  const one = oneCpuModel(groups);
  const bySeed = new Map(keys.map((k, i) => [k, seedMeans(one.sides[i] ?? [], metric)]));
  const sideFor = (k: string): FindingSide => sideOf(k, [...(bySeed.get(k) ?? new Map()).values()]);
  const t = sideFor(target);
  const rivals = keys.filter((k) => k !== target).map(sideFor);
  const ran = rivals.filter((s) => s.n > 0);
  const cpu = cpuNote(one);
  if (t.n === 0 || ran.length === 0)
    return untested(
      u,
      [t],
      `the ${target} pair or the pairs it is ranked against did not run${cpu}`,
    );
  const rank = 1 + ran.filter((s) => s.mean > t.mean).length;
  const rankText = `${formatSide(t, "points")} ranks ${rank} of ${ran.length + 1} unordered pairs by mean (n in seeds, either order)`;
  const tg = bySeed.get(target) as Map<number, number>;
  const tests = ran.map((s) => ({
    side: s,
    test: againstRival(tg, bySeed.get(s.name) as Map<number, number>),
  }));
  const few = tests.filter((x) => x.test === undefined).length;
  if (few > 0 || ran.length < rivals.length)
    return untested(
      u,
      [t, ...ran],
      `${rankText}; ${few} of ${ran.length} rival pairs have fewer than 2 seeds (and fewer than 2 in common with the target)${ran.length < rivals.length ? ` and ${rivals.length - ran.length} did not run` : ""}, so the intersection-union test cannot compare the target with every rival${cpu}`,
    );
  const done = tests as { side: FindingSide; test: TTest }[];
  const worst = done.reduce((a, x) => (x.test.p > a.test.p ? x : a));
  const pReverse = Math.min(1, ran.length * Math.min(...done.map((x) => x.test.pReverse)));
  return tested(
    u,
    [t, worst.side],
    worst.test,
    `${rankText}; against the closest rival ${formatSide(worst.side, "points")} (intersection-union test over ${ran.length} rivals, seed as the unit)${cpu}`,
    { p: worst.test.p, pReverse },
  );
}

/**
 * Two groups of cells compared by their cell means, e.g. every composition against every single
 * transformation, shown as a description only and kept out of the Holm family: the cells are a
 * fixed grid chosen by design, not a random sample of cells, so their spread is no sampling error
 * and a test over cell means has no population to infer to; and the seeds behind the cells differ
 * from cell to cell, so there is no per-seed paired version of it either.
 */
export function pooledCellsFinding(
  base: FindingBase,
  results: readonly SeedResult[],
  metric: string,
  groups: { name: string; cells: (label: string) => boolean }[],
): Finding {
  const means = cellMeans(results, metric);
  const [a, b] = groups.map((g) =>
    sideOf(
      `${g.name} (cell means)`,
      [...means].filter(([l]) => g.cells(l)).map(([, m]) => m),
    ),
  ) as [FindingSide, FindingSide];
  const u = { ...base, unit: "points" as const };
  const diff =
    a.n && b.n ? `, difference of means ${(100 * (a.mean - b.mean)).toFixed(1)} points` : "";
  const words = `${formatSide(a, "points")} vs ${formatSide(b, "points")}, n in cells${diff}; a fixed grid of cells is no sample, so this is a description, not a test, and not in the Holm family`;
  if (a.n === 0 || b.n === 0) return untested(u, [a, b], words);
  return descriptive(u, [a, b], words);
}
