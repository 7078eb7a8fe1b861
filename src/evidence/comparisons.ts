/**
 * The findings that are not a plain "cell A beats cell B", as builders a study file calls with its
 * own cells and words: an interaction of four cells (Table 1: color strength x method; Figure 9:
 * batch x epochs), a paired comparison of two evaluations of the same runs (Figure 8 and Table 3:
 * h against g(h)), the strongest cell of a grid against each runner-up (Figure 5), and pooled cell
 * means of two groups of cells (Figure 5: compositions against single transformations).
 */
import { summarize } from "../plot/figures";
import type { SeedResult } from "./claims";
import { formatSide, sideOf, tested, untested, type Finding, type FindingSide } from "./finding";
import { pairedTest } from "../stats/paired";
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

/** One cell of an interaction: its name, its values and its weight (+1 or -1). */
export interface InteractionCell {
  name: string;
  /** The study cell's label, where `name` is not it (the cells an adaptive policy grows). */
  label?: string;
  values: readonly number[];
  weight: number;
}

/**
 * An interaction: sum(weight x cell mean) > 0, e.g. (SimCLR s=1 - s=1/8) - (supervised s=1 -
 * s=1/8), tested with Welch-Satterthwaite df over the four independent cells. `words` describes
 * the estimate (the caller knows what the gains are called).
 */
export function interactionFinding(
  base: FindingBase,
  cells: readonly InteractionCell[],
  words: string,
): Finding {
  const sides = cells.map((c) => sideOf(c.name, c.values));
  const b = { ...base, unit: "points" as const };
  if (sides.some((s) => s.n < 2))
    return withCells(
      untested(b, sides, `${words}; every cell needs at least 2 seeds for the test`),
      cells.map((c) => c.label ?? c.name),
    );
  const test = welchContrast(sides.map((s, i) => ({ ...s, weight: cells[i]?.weight ?? 0 })));
  return withCells(
    tested(b, sides, test, words),
    cells.map((c) => c.label ?? c.name),
  );
}

/**
 * Two evaluations `a` and `b` of the same runs (h and g(h) of one encoder), paired by run:
 * a - b > 0.
 */
export function pairedRunsFinding(
  base: FindingBase,
  runs: readonly SeedResult[],
  a: { metric: string; name: string },
  b: { metric: string; name: string },
  what: string,
): Finding {
  const rows = runs.filter(
    (r) => Number.isFinite(r.metrics[a.metric]) && Number.isFinite(r.metrics[b.metric]),
  );
  const va = rows.map((r) => r.metrics[a.metric] as number);
  const vb = rows.map((r) => r.metrics[b.metric] as number);
  const sides = [sideOf(a.name, va), sideOf(b.name, vb)];
  const words = `${what}: ${formatSide(sides[0] as FindingSide, "points")} vs ${formatSide(sides[1] as FindingSide, "points")}; paired over ${rows.length} runs`;
  const u = { ...base, unit: "points" as const };
  const labels = [...new Set(rows.map((r) => r.label))];
  if (rows.length < 2) return withCells(untested(u, sides, words), labels);
  return withCells(
    tested(u, sides, pairedTest(va.map((x, i) => x - (vb[i] as number))), words),
    labels,
  );
}

/**
 * "`target` is the best of `cells`" decided from intervals: the target against each runner-up
 * with Welch's test. It agrees only when the target beats every runner-up (an intersection-union
 * test: p is the largest of the one-sided p's, no adjustment needed within); it disagrees when
 * some cell beats the target (reverse p: the smallest reverse p, Bonferroni over the runner-ups).
 * The difference shown is the one against the closest runner-up. Any cell with fewer than 2 seeds
 * leaves the claim untested.
 */
export function strongestFinding(
  base: FindingBase,
  results: readonly SeedResult[],
  metric: string,
  target: string,
  cells: readonly string[],
): Finding {
  return withCells(strongestOf(base, results, metric, target, cells), [target, ...cells]);
}

function strongestOf(
  base: FindingBase,
  results: readonly SeedResult[],
  metric: string,
  target: string,
  cells: readonly string[],
): Finding {
  const u = { ...base, unit: "points" as const };
  const t = sideOf(target, cellValues(results, target, metric));
  const others = cells
    .filter((c) => c !== target)
    .map((c) => sideOf(c, cellValues(results, c, metric)));
  const ran = others.filter((s) => s.n > 0);
  if (t.n === 0 || ran.length === 0)
    return untested(u, [t], `the ${target} cell or the cells it is ranked against did not run`);
  const few = ran.filter((s) => s.n < 2).length;
  const rank = 1 + ran.filter((s) => s.mean > t.mean).length;
  const rankText = `${formatSide(t, "points")} ranks ${rank} of ${ran.length + 1} by cell mean`;
  if (t.n < 2 || few > 0 || ran.length < others.length)
    return untested(
      u,
      [t, ...ran],
      `${rankText}; ${few + (t.n < 2 ? 1 : 0)} of ${ran.length + 1} cells have fewer than 2 seeds${ran.length < others.length ? ` and ${others.length - ran.length} did not run` : ""}, so the target cannot be compared with every runner-up`,
    );
  const tests = ran.map((s) => ({ side: s, test: welchTest(t, s) }));
  const worst = tests.reduce((a, x) => (x.test.p > a.test.p ? x : a));
  const pReverse = Math.min(1, ran.length * Math.min(...tests.map((x) => x.test.pReverse)));
  return tested(
    u,
    [t, worst.side],
    worst.test,
    `${rankText}; against the closest runner-up ${formatSide(worst.side, "points")} (each of ${ran.length} runner-ups tested, Welch)`,
    { p: worst.test.p, pReverse },
  );
}

/**
 * Two groups of cells compared by their cell means (each cell one observation, Welch's test over
 * cells): e.g. every composition against every single transformation.
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
  const words = `${formatSide(a, "points")} vs ${formatSide(b, "points")}, n in cells`;
  if (a.n < 2 || b.n < 2) return untested(u, [a, b], words);
  const test: TTest = welchTest(a, b);
  return tested(u, [a, b], test, words);
}
