/**
 * The before/after table of a findings re-run: each claim's verdict in an earlier findings table
 * (kept as data in results/<preset>/before.json, src/evidence/earlier-table.ts) and the verdict
 * now, with the reason for every change computed from the numbers on both sides (the rule, the
 * seeds per side, the budget and evaluation, the difference and its p), never typed by hand. A
 * snapshot computed from an archive with today's rule (src/evidence/before-snapshot.ts) is shown
 * with both differences and CIs, the SD of paired differences before -> after, and the fidelity
 * scores before and after; an older hand-made table is re-tested one-sided with its own degrees of
 * freedom under today's rule instead.
 */
import { welchTest } from "../stats/welch";
import { tUpperTail } from "../stats/t-distribution";
import type { TTest } from "../stats/t-test";
import { ALPHA, decideFamily, familyRule, type Verdict } from "../stats/verdict";
import { formatDifference, formatN, formatP, formatPs, type Finding } from "./finding";
import type { FidelityScore } from "./fidelity";
import type { EarlierClaim, EarlierFidelity, EarlierTable } from "./earlier-table";

/** Today's verdict rule in words, for a family of `family` tested claims (a snapshot keeps it). */
export function currentRule(family: number): string {
  return `one-sided tests in the paper's direction at alpha = ${ALPHA}, ${familyRule(family)}`;
}

/**
 * The sample SD of the per-seed (or per-run) differences behind a paired test: the test's
 * standard error is sd / sqrt(n) with n = df + 1 pairs. Undefined for any other test.
 */
export function pairedDifferenceSd(t: TTest): number | undefined {
  return t.kind === "paired" && Number.isFinite(t.df) ? t.se * Math.sqrt(t.df + 1) : undefined;
}

/**
 * Whether an earlier table was computed with today's rule and keeps each tested claim's exact
 * difference (a snapshot from an archive): then re-testing its rounded numbers says nothing new.
 */
export function sameRuleExact(earlier: EarlierTable): boolean {
  return (
    earlier.family !== undefined &&
    earlier.rule === currentRule(earlier.family) &&
    earlier.claims.some((c) => c.difference !== undefined)
  );
}

/** The earlier runs re-tested one-sided in the paper's direction with their own df. */
export interface Retest {
  t: number;
  df: number;
  p: number;
  /** One-sided p of the reverse direction (the data against the paper). */
  pReverse: number;
  /** "Welch" (from the two sides' summaries), "paired" (from t and the runs), or the kept test. */
  kind: string;
}

function fromT(t: number, df: number, kind: string): Retest {
  return { t, df, p: tUpperTail(t, df), pReverse: tUpperTail(-t, df), kind };
}

/**
 * The one-sided re-test of an earlier claim, where its table kept enough to compute it: its own
 * test's t and df where a snapshot kept them, else Welch from its two sides, else a paired t.
 */
export function retestEarlier(c: EarlierClaim): Retest | undefined {
  if (c.test !== undefined && c.t !== undefined && c.df !== undefined && c.df > 0)
    return fromT(c.t, c.df, c.test);
  if (c.better && c.worse && c.better.n >= 2 && c.worse.n >= 2) {
    const w = welchTest(c.better, c.worse);
    return { t: w.t, df: w.df, p: w.p, pReverse: w.pReverse, kind: "Welch" };
  }
  if (c.t !== undefined && c.df !== undefined && c.df > 0) return fromT(c.t, c.df, "paired");
  return undefined;
}

/** n per side of an earlier claim, as the tables write it ("3 / 3"). */
function n(c: EarlierClaim): string | undefined {
  if (c.sides?.length) return formatN({ sides: c.sides });
  return c.better && c.worse ? formatN({ sides: [c.better, c.worse] }) : undefined;
}

/** A number of an earlier claim in its unit (points to 1 decimal), signed when asked. */
function num(x: number, c: EarlierClaim, sign = false): string {
  const s = x.toFixed(c.unit === "value" ? 4 : 1);
  return sign && x >= 0 ? `+${s}` : s;
}

/** The earlier difference with its CI where kept ("+6.0 points [2.1, 9.9]"), else the rounded one. */
export function earlierDifference(c: EarlierClaim): string | undefined {
  const u = c.unit === "value" ? "" : " points";
  if (c.difference) {
    const [lo, hi] = c.difference.ci;
    return `${num(c.difference.estimate, c, true)}${u} [${num(lo, c)}, ${num(hi, c)}]`;
  }
  // a snapshot's claim without a difference had no test (a description, too few seeds)
  if (c.unit !== undefined) return undefined;
  return c.better && c.worse ? num(c.better.mean - c.worse.mean, c, true) : undefined;
}

/** Words for a verdict reached without a test. */
function untestedWords(v: Verdict): string | undefined {
  if (v === "too few seeds") return "a side has fewer than 2 seeds, so it is not tested";
  if (v === "no data") return "not run yet";
  if (v === "descriptive") return "shown as a description only, not tested";
  return undefined;
}

function beforeWords(c: EarlierClaim): string {
  if (c.p !== undefined) {
    const holm = c.holm !== undefined ? `, Holm p = ${formatP(c.holm)}` : "";
    const rev = c.verdict === "disagrees" ? `; reverse ${formatP(c.holmReverse)}` : "";
    return `before: p = ${formatP(c.p)}${holm}${rev}`;
  }
  if (c.t !== undefined)
    return `before: |t| = ${Math.abs(c.t)} ${Math.abs(c.t) >= 2 ? ">=" : "<"} 2`;
  const untested = untestedWords(c.verdict);
  if (untested) return `before: ${untested}`;
  return `before: decided without a test (${c.evidence.split(" (")[0]})`;
}

/** What the verdict change rests on, from the numbers of both tables. */
function changeReason(
  before: EarlierClaim,
  after: Finding,
  budgets: { before: string; after: string },
): string {
  const parts = [beforeWords(before)];
  const nb = n(before);
  const na = after.sides.length ? formatN(after) : undefined;
  if (nb && na && nb !== na) parts.push(`seeds per side ${nb} -> ${na}`);
  if (budgets.before !== budgets.after) parts.push(`budget ${budgets.before} -> ${budgets.after}`);
  const d = earlierDifference(before);
  if (d !== undefined && after.test) parts.push(`difference ${d} -> ${formatDifference(after)}`);
  parts.push(`now: ${afterWords(after)}`);
  return parts.join("; ");
}

function afterWords(f: Finding): string {
  const untested = untestedWords(f.verdict);
  if (untested) return untested;
  const ps = formatPs(f);
  const adj = f.pAdjusted !== undefined ? `, Holm p = ${ps.holm}` : "";
  const rule =
    f.verdict === "agrees"
      ? `<= ${ALPHA}`
      : f.verdict === "disagrees"
        ? `reverse <= ${ALPHA}`
        : `> ${ALPHA} both ways`;
  return `p = ${ps.p}${adj} (${rule})`;
}

/** A row of the before/after table. */
export interface BeforeAfterRow {
  claim: string;
  study: string;
  before: Verdict;
  retest?: Retest;
  /** The earlier runs' verdict under the new rule (Holm over the re-testable earlier claims). */
  retestVerdict?: Verdict;
  after: Verdict | "not in this table";
  changed: boolean;
  reason: string;
  /** The difference [95% CI] before and after, as the tables print them. */
  differenceBefore?: string;
  differenceAfter?: string;
  /** SD of the per-seed paired differences before and after (points for accuracies). */
  pairedSd?: { before?: number; after?: number };
}

/** The after side's difference and paired SD, in the earlier table's units. */
function afterNumbers(f: Finding): Pick<BeforeAfterRow, "differenceAfter"> & { sd?: number } {
  const sd = f.test ? pairedDifferenceSd(f.test) : undefined;
  return {
    ...(f.test ? { differenceAfter: formatDifference(f) } : {}),
    ...(sd !== undefined ? { sd: sd * (f.unit === "points" ? 100 : 1) } : {}),
  };
}

/** Pairs the earlier claims with this table's findings (by claim text) and explains each change. */
export function beforeAfterRows(
  earlier: EarlierTable,
  findings: readonly { study: string; finding: Finding; budget: string }[],
): BeforeAfterRow[] {
  const retests = earlier.claims.map(retestEarlier);
  const decided = decideFamily(retests.map((r) => (r ? { p: r.p, pReverse: r.pReverse } : {})));
  return earlier.claims.map((c, i) => {
    const now = findings.find((x) => x.finding.claim === c.claim);
    const retest = retests[i];
    const retestVerdict = decided[i]?.verdict;
    const differenceBefore = earlierDifference(c);
    const row = {
      claim: c.claim,
      study: c.study,
      before: c.verdict,
      ...(retest ? { retest } : {}),
      ...(retestVerdict ? { retestVerdict } : {}),
      ...(differenceBefore !== undefined ? { differenceBefore } : {}),
    };
    if (!now)
      return {
        ...row,
        after: "not in this table",
        changed: true,
        reason: "the claim is no longer tested",
      };
    const budgets = {
      before: earlier.budgets[c.study] ?? earlier.budgets.default ?? now.budget,
      after: now.budget,
    };
    const { sd, ...after } = afterNumbers(now.finding);
    return {
      ...row,
      ...after,
      pairedSd: {
        ...(c.pairedSd !== undefined ? { before: c.pairedSd } : {}),
        ...(sd !== undefined ? { after: sd } : {}),
      },
      after: now.finding.verdict,
      changed: now.finding.verdict !== c.verdict,
      reason: changeReason(c, now.finding, budgets),
    };
  });
}

function counts(verdicts: readonly string[]): string {
  const by = new Map<string, number>();
  for (const v of verdicts) by.set(v, (by.get(v) ?? 0) + 1);
  return [...by].map(([v, k]) => `${k} ${v}`).join(", ");
}

function md(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** The re-test column of a row (old snapshots: the earlier runs under the new rule). */
function retestCell(r: BeforeAfterRow): string {
  if (!r.retest) return "not recomputable from the earlier table";
  const rev = r.retestVerdict === "disagrees" ? ` (reverse p = ${formatP(r.retest.pReverse)})` : "";
  return `${r.retestVerdict ?? ""}: ${r.retest.kind} t = ${r.retest.t.toFixed(2)}, df = ${r.retest.df.toFixed(1)}, p = ${formatP(r.retest.p)}${rev}`;
}

/** Old snapshots (rounded numbers, another rule): the earlier runs re-tested under the new rule. */
function retestTable(rows: readonly BeforeAfterRow[]): string[] {
  const retested = rows.filter((r) => r.retest).length;
  return [
    `The middle column re-tests the earlier runs under the new rule, from the earlier table's rounded means and spreads (so its t can differ a little from the one printed then): one-sided, with each test's own df, Holm over both directions of the ${retested} claims the earlier table kept enough to re-test. The last column is computed from both tables.`,
    "",
    "| paper's claim | study | before | earlier runs, new rule | after | what changed |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${md(r.claim)} | ${r.study} | ${r.before} | ${retestCell(r)} | **${r.after}** | ${md(r.reason)} |`,
    ),
  ];
}

/** "0.95 -> 0.40" where both sides are paired tests, else "". */
function sdCell(r: BeforeAfterRow): string {
  const sd = r.pairedSd;
  return sd?.before !== undefined && sd.after !== undefined
    ? `${sd.before.toFixed(2)} -> ${sd.after.toFixed(2)}`
    : "";
}

/** Snapshots computed with today's rule: the exact differences and paired SDs side by side. */
function exactTable(rows: readonly BeforeAfterRow[]): string[] {
  return [
    "Both tables are computed by today's code from their runs, so no re-test is needed: each difference is in the paper's direction with its two-sided 95% t interval (points for accuracies), and where both tests are paired the next column gives the sample SD of the per-seed paired differences, before -> after (the spread a paired test divides by). The last column is computed from both tables.",
    "",
    "| paper's claim | study | before | difference before [95% CI] | after | difference after [95% CI] | SD of paired differences, before -> after | what changed |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${md(r.claim)} | ${r.study} | ${r.before} | ${r.differenceBefore ?? ""} | **${r.after}** | ${r.differenceAfter ?? ""} | ${sdCell(r)} | ${md(r.reason)} |`,
    ),
  ];
}

function rhoText(rho: number | null, ci: readonly number[] | undefined): string {
  if (rho === null || !Number.isFinite(rho)) return "not computable";
  const [lo, hi] = ci ?? [];
  return lo !== undefined && hi !== undefined
    ? `${rho.toFixed(2)} [${lo.toFixed(2)}, ${hi.toFixed(2)}]`
    : `${rho.toFixed(2)} (no interval)`;
}

/** The fidelity scores of the earlier table beside today's, matched by paper table and study. */
export function fidelityBeforeAfter(
  before: readonly EarlierFidelity[],
  after: readonly { study: string; f: FidelityScore }[],
): string[] {
  const key = (table: string, study: string): string => `${table}\u0000${study}`;
  const now = new Map(after.map((x) => [key(x.f.table, x.study), x.f]));
  const rows = before.map((b) => {
    const a = now.get(key(b.table, b.study));
    now.delete(key(b.table, b.study));
    return `| ${md(b.table)} | ${b.study} | ${rhoText(b.rho, b.ci)} | ${a ? rhoText(a.rho, a.ci) : "no score (no runs)"} |`;
  });
  for (const [k, a] of now)
    rows.push(
      `| ${md(a.table)} | ${k.split("\u0000")[1]} | not in the earlier table | ${rhoText(a.rho, a.ci)} |`,
    );
  return [
    "### Fidelity before and after",
    "",
    "Spearman's rho of the cell means with the paper's numbers, with its 95% percentile bootstrap interval over seeds, each computed from its own runs (src/evidence/fidelity.ts).",
    "",
    "| paper table | study | rho before [interval] | rho after [interval] |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ];
}

/** The before/after section of a findings README (today's fidelity scores for the fidelity table). */
export function beforeAfterMarkdown(
  earlier: EarlierTable,
  rows: readonly BeforeAfterRow[],
  fidelityAfter: readonly { study: string; f: FidelityScore }[] = [],
): string {
  const changed = rows.filter((r) => r.changed).length;
  const exact = sameRuleExact(earlier);
  const lines = [
    "## Before and after the re-run",
    "",
    exact
      ? `Before: ${earlier.source}, decided by the same rule as this table (${earlier.rule}). After: this table.`
      : `Before: ${earlier.source}, decided by the old rule (${earlier.rule}). After: this table.`,
    "",
    `Before: ${counts(rows.map((r) => r.before))}. After: ${counts(rows.map((r) => r.after))}. ${changed} of ${rows.length} verdicts changed.`,
    "",
    ...(exact ? exactTable(rows) : retestTable(rows)),
    "",
    ...(earlier.fidelity ? fidelityBeforeAfter(earlier.fidelity, fidelityAfter) : []),
  ];
  return lines.join("\n");
}
