/**
 * A finding: one of the paper's claims checked against this run's per-seed results, with the
 * evidence every findings table shows (n per side, the difference with its 95% CI, raw and
 * Holm-adjusted one-sided p, the verdict). Built untested ("no data", "too few seeds") or from a
 * t test; {@link decideFindings} gives the verdicts of a whole family at once, because the
 * Holm adjustment depends on every claim of the table (src/stats/verdict.ts).
 */
import { summarize, type Summary } from "../plot/figures";
import type { TTest } from "../stats/t-test";
import { ALPHA, decideFamily, type Verdict } from "../stats/verdict";

/** One side of a comparison (a cell, several cells pooled, or the pairs of a paired test). */
export interface FindingSide {
  name: string;
  n: number;
  mean: number;
  std: number;
}

/** A computed finding. */
export interface Finding {
  /** The id of the claim it tests (a declared claim's, or one a study's findings builder gives). */
  id: string;
  claim: string;
  source?: string;
  verdict: Verdict;
  /** What is compared, with n per side. */
  sides: FindingSide[];
  /** How differences read: "points" for accuracies (fractions shown x100), else as they are. */
  unit: "points" | "value";
  /** The test, its estimate positive in the paper's direction (absent when untested). */
  test?: TTest;
  /**
   * The claim's one-sided p in the paper's direction and of the reverse; equal to the test's
   * except where a claim combines tests (the strongest pair: an intersection-union test).
   */
  p?: number;
  pReverse?: number;
  /** Holm-adjusted p (paper's direction), set by {@link decideFindings}. */
  pAdjusted?: number;
  /** Holm-adjusted p of the reverse direction (what decides "disagrees"), set likewise. */
  pReverseAdjusted?: number;
  /** Claims in the Holm family the adjusted p was computed in. */
  family?: number;
  /**
   * The factor p was multiplied by for repeated looks under an adaptive seed policy (2 x looks,
   * src/stats/seed-policy.ts); absent for a fixed design.
   */
  lookFactor?: number;
  /** Labels of the cells the finding compares (the cells an adaptive policy gives more seeds). */
  cells?: string[];
  /** The numbers in words (means, which test, what was paired). */
  evidence: string;
}

/** Accuracy metrics (fractions in [0, 1]) read in percent and points. */
export function isAccuracy(metric: string): boolean {
  return /(^|_)acc(uracy)?($|_)|^probe_/.test(metric);
}

/** A side's summary from its values. */
export function sideOf(name: string, values: readonly number[]): FindingSide {
  const s: Summary = summarize([...values]);
  return { name, n: s.n, mean: s.mean, std: s.std };
}

/** A finding that could not be tested: a side without runs, or with fewer than 2 seeds. */
export function untested(
  base: { id: string; claim: string; source?: string; unit: Finding["unit"] },
  sides: FindingSide[],
  evidence: string,
): Finding {
  const verdict: Verdict =
    sides.length && sides.every((s) => s.n > 0) ? "too few seeds" : "no data";
  return { ...base, verdict, sides, evidence };
}

/**
 * A finding shown only as a description, kept out of the Holm family: numbers that are no sample
 * from which to infer (the means of a fixed grid of cells), with the reason in its evidence.
 */
export function descriptive(
  base: { id: string; claim: string; source?: string; unit: Finding["unit"] },
  sides: FindingSide[],
  evidence: string,
): Finding {
  return { ...base, verdict: "descriptive", sides, evidence };
}

/** A tested finding; its verdict is decided with its family by {@link decideFindings}. */
export function tested(
  base: { id: string; claim: string; source?: string; unit: Finding["unit"] },
  sides: FindingSide[],
  test: TTest,
  evidence: string,
  p: { p: number; pReverse: number } = test,
): Finding {
  return { ...base, verdict: "inconclusive", sides, test, p: p.p, pReverse: p.pReverse, evidence };
}

/**
 * A finding of a study run under an adaptive seed policy: its one-sided p-values multiplied by
 * `factor` (2 x the policy's looks: Bonferroni over looks and directions), so the table's rule at
 * alpha is the policy's per-look boundary.
 */
export function correctForLooks(f: Finding, factor: number): Finding {
  if (f.p === undefined || f.pReverse === undefined) return f;
  return {
    ...f,
    p: Math.min(1, factor * f.p),
    pReverse: Math.min(1, factor * f.pReverse),
    lookFactor: factor,
  };
}

/**
 * The verdicts of a family of findings (every claim of one table, or of one study where a notebook
 * prints it alone): Holm across the tested ones, from their raw p (so deciding again in a larger
 * family replaces an earlier decision).
 */
export function decideFindings(findings: readonly Finding[], alpha: number = ALPHA): Finding[] {
  const decisions = decideFamily(findings, alpha);
  const family = decisions.filter((d) => d !== undefined).length;
  return findings.map((f, i) => {
    const d = decisions[i];
    return d
      ? {
          ...f,
          verdict: d.verdict,
          pAdjusted: d.pAdjusted,
          pReverseAdjusted: d.pReverseAdjusted,
          family,
        }
      : f;
  });
}

function num(x: number, unit: Finding["unit"], sign = false): string {
  const v = unit === "points" ? 100 * x : x;
  const s = v.toFixed(unit === "points" ? 1 : 4);
  return sign && v >= 0 ? `+${s}` : s;
}

/** A mean ± std (n=...) as the tables show it. */
export function formatSide(s: FindingSide, unit: Finding["unit"]): string {
  if (s.n === 0) return `${s.name}: no runs`;
  return `${s.name} ${num(s.mean, unit)}${unit === "points" ? "%" : ""} ± ${num(s.std, unit)} (n=${s.n})`;
}

/**
 * n per side, e.g. "3 / 3" (cells of an interaction: "3 / 3 / 2 / 3"); a claim against many cells
 * (the strongest pair) reads "6 / 41 cells of 1", or "6 / 41 cells of 1-2".
 */
export function formatN(f: { readonly sides: readonly { readonly n: number }[] }): string {
  const ns = f.sides.map((s) => s.n);
  if (ns.length <= 4) return ns.join(" / ");
  const rest = ns.slice(1);
  const lo = Math.min(...rest);
  const hi = Math.max(...rest);
  return `${ns[0]} / ${rest.length} cells of ${lo === hi ? lo : `${lo}-${hi}`}`;
}

/** The difference with its 95% CI, e.g. "+6.0 points [2.1, 9.9]"; "" when untested. */
export function formatDifference(f: Finding): string {
  if (!f.test) return "";
  const u = f.unit === "points" ? " points" : "";
  const [lo, hi] = f.test.ci;
  return `${num(f.test.estimate, f.unit, true)}${u} [${num(lo, f.unit)}, ${num(hi, f.unit)}]`;
}

/** A p-value for tables: 3 significant digits (exponent form below 0.001), "< 1e-6" below that. */
export function formatP(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return "";
  return p < 1e-6 ? "< 1e-6" : p < 1e-3 ? p.toExponential(2) : p.toPrecision(3);
}

/**
 * The raw and Holm-adjusted p a table shows for a finding: the paper's direction, and for a
 * "disagrees" also the reverse direction's, which is what decided it.
 */
export function formatPs(f: Finding): { p: string; holm: string } {
  const p = formatP(f.p);
  const holm = formatP(f.pAdjusted);
  if (!decidedByReverse(f)) return { p, holm };
  return {
    p: `${p}; reverse ${formatP(f.pReverse)}`,
    holm: `${holm}; reverse ${formatP(f.pReverseAdjusted)}`,
  };
}

/** Whether the reverse direction's test decided a finding ("disagrees"). */
export function decidedByReverse(f: Finding): boolean {
  return f.verdict === "disagrees";
}

/**
 * Whether a tested finding's 95% interval lies wholly against the paper (its upper end below 0),
 * whatever the Holm-adjusted verdict: the tables and conclusions say so in words.
 */
export function whollyAgainst(f: Finding): boolean {
  return f.test !== undefined && f.test.ci[1] < 0;
}

/** The words a table adds for {@link whollyAgainst}. */
export const WHOLLY_AGAINST = "the interval lies wholly against the paper";

/** The test in words: "Welch t = 3.10, df = 3.4" or "paired t = 7.20, df = 3". */
export function formatTest(t: TTest): string {
  const name = t.kind === "welch" ? "Welch t" : t.kind === "paired" ? "paired t" : "contrast t";
  const df = Number.isFinite(t.df) ? `, df = ${t.df.toFixed(1)}` : ", no spread";
  return `${name} = ${t.t.toFixed(2)}${df}`;
}

/** One line with everything: evidence, difference and CI, test, raw and adjusted p. */
export function formatEvidence(f: Finding): string {
  if (!f.test) return f.evidence;
  const ps = formatPs(f);
  const adj =
    f.pAdjusted !== undefined ? `, Holm p = ${ps.holm} over ${f.family} claims x 2 directions` : "";
  const looks = f.lookFactor !== undefined ? ` (x${f.lookFactor} for repeated looks)` : "";
  const against = whollyAgainst(f) ? `; ${WHOLLY_AGAINST}` : "";
  return `${f.evidence}; difference ${formatDifference(f)} (95% CI)${against}; ${formatTest(f.test)}; one-sided p = ${ps.p}${looks}${adj}`;
}
