/**
 * The before/after table of a findings re-run: each claim's verdict in an earlier findings table
 * (kept as data in results/<preset>/before.json, with the rule it was decided by), what the
 * earlier runs give when re-tested one-sided with their own degrees of freedom, and the verdict now,
 * with the reason for every change computed from the numbers on both sides (the rule, the seeds
 * per side, the budget, the difference and its p), never typed by hand.
 */
import fs from "node:fs";
import { welchTest } from "../stats/welch";
import { tUpperTail } from "../stats/t-distribution";
import { ALPHA, decideFamily, type Verdict } from "../stats/verdict";
import { formatDifference, formatN, formatP, formatPs, type Finding } from "./finding";

/** One side of an earlier comparison as its table printed it (percent, sample std, seeds). */
export interface EarlierSide {
  mean: number;
  std: number;
  n: number;
}

/** A claim of the earlier table. */
export interface EarlierClaim {
  claim: string;
  study: string;
  verdict: Verdict;
  /** The evidence column of the earlier table, verbatim. */
  evidence: string;
  /** The t statistic the earlier rule compared with 2, where it printed one. */
  t?: number;
  better?: EarlierSide;
  worse?: EarlierSide;
  /** The degrees of freedom of a paired test (runs - 1), where the table gives the runs. */
  df?: number;
}

/** An earlier findings table: where it came from, its rule, its budgets and its claims. */
export interface EarlierTable {
  /** e.g. "results/small/README.md at commit d074ddc (2026-11-28)". */
  source: string;
  /** The verdict rule it used, in words. */
  rule: string;
  /** Per study, its per-cell budget in words (key "default" for studies not listed). */
  budgets: Record<string, string>;
  claims: EarlierClaim[];
}

const VERDICT_SET = new Set<string>(["agrees", "disagrees", "inconclusive", "too few seeds"]);

/** Reads and checks an earlier table; throws naming the file and the field that is wrong. */
export function readEarlierTable(file: string): EarlierTable {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not readable JSON (${(e as Error).message})`);
  }
  const t = raw as Partial<EarlierTable>;
  for (const k of ["source", "rule"] as const)
    if (typeof t[k] !== "string") throw new Error(`${file}: field '${k}' must be a string`);
  if (!t.budgets || typeof t.budgets !== "object")
    throw new Error(`${file}: field 'budgets' must be an object of study -> budget text`);
  if (!Array.isArray(t.claims)) throw new Error(`${file}: field 'claims' must be an array`);
  t.claims.forEach((c, i) => {
    if (typeof c?.claim !== "string" || typeof c.study !== "string")
      throw new Error(`${file}: claims[${i}] needs string fields 'claim' and 'study'`);
    if (!VERDICT_SET.has(c.verdict))
      throw new Error(
        `${file}: claims[${i}].verdict is ${JSON.stringify(c.verdict)}; expected one of ${[...VERDICT_SET].join(", ")}`,
      );
  });
  return t as EarlierTable;
}

/** The earlier runs re-tested one-sided in the paper's direction with their own df. */
export interface Retest {
  t: number;
  df: number;
  p: number;
  /** One-sided p of the reverse direction (the data against the paper). */
  pReverse: number;
  /** "Welch" (from the two sides' summaries) or "paired" (from t and the runs). */
  kind: "Welch" | "paired";
}

/** The one-sided re-test of an earlier claim, where its table kept enough to compute it. */
export function retestEarlier(c: EarlierClaim): Retest | undefined {
  if (c.better && c.worse && c.better.n >= 2 && c.worse.n >= 2) {
    const w = welchTest(c.better, c.worse);
    return { t: w.t, df: w.df, p: w.p, pReverse: w.pReverse, kind: "Welch" };
  }
  if (c.t !== undefined && c.df !== undefined && c.df > 0)
    return {
      t: c.t,
      df: c.df,
      p: tUpperTail(c.t, c.df),
      pReverse: tUpperTail(-c.t, c.df),
      kind: "paired",
    };
  return undefined;
}

function n(c: EarlierClaim): string | undefined {
  return c.better && c.worse ? `${c.better.n} / ${c.worse.n}` : undefined;
}

function diffPoints(c: EarlierClaim): number | undefined {
  return c.better && c.worse ? c.better.mean - c.worse.mean : undefined;
}

/** What the verdict change rests on, from the numbers of both tables. */
function changeReason(
  before: EarlierClaim,
  after: Finding,
  budgets: { before: string; after: string },
): string {
  const parts: string[] = [];
  if (before.t !== undefined)
    parts.push(`before: |t| = ${Math.abs(before.t)} ${Math.abs(before.t) >= 2 ? ">=" : "<"} 2`);
  else parts.push(`before: decided without a test (${before.evidence.split(" (")[0]})`);
  const nb = n(before);
  const na = after.sides.length ? formatN(after) : undefined;
  if (nb && na && nb !== na) parts.push(`seeds per side ${nb} -> ${na}`);
  if (budgets.before !== budgets.after) parts.push(`budget ${budgets.before} -> ${budgets.after}`);
  const d = diffPoints(before);
  if (d !== undefined && after.test)
    parts.push(`difference ${d >= 0 ? "+" : ""}${d.toFixed(1)} -> ${formatDifference(after)}`);
  parts.push(`now: ${afterWords(after)}`);
  return parts.join("; ");
}

function afterWords(f: Finding): string {
  if (f.verdict === "too few seeds") return "a side has fewer than 2 seeds, so it is not tested";
  if (f.verdict === "no data") return "not run yet";
  if (f.verdict === "descriptive") return "shown as a description only, not tested";
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
    const row = {
      claim: c.claim,
      study: c.study,
      before: c.verdict,
      ...(retest ? { retest } : {}),
      ...(retestVerdict ? { retestVerdict } : {}),
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
    return {
      ...row,
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

/** The before/after section of a findings README. */
export function beforeAfterMarkdown(
  earlier: EarlierTable,
  rows: readonly BeforeAfterRow[],
): string {
  const changed = rows.filter((r) => r.changed).length;
  const retested = rows.filter((r) => r.retest).length;
  const lines = [
    "## Before and after the re-run",
    "",
    `Before: ${earlier.source}, decided by the old rule (${earlier.rule}). After: this table.`,
    "",
    `Before: ${counts(rows.map((r) => r.before))}. After: ${counts(rows.map((r) => r.after))}. ${changed} of ${rows.length} verdicts changed.`,
    "",
    `The middle column re-tests the earlier runs under the new rule, from the earlier table's rounded means and spreads (so its t can differ a little from the one printed then): one-sided, with each test's own df, Holm over both directions of the ${retested} claims the earlier table kept enough to re-test. The last column is computed from both tables.`,
    "",
    "| paper's claim | study | before | earlier runs, new rule | after | what changed |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const re = r.retest
      ? `${r.retestVerdict ?? ""}: ${r.retest.kind} t = ${r.retest.t.toFixed(2)}, df = ${r.retest.df.toFixed(1)}, p = ${formatP(r.retest.p)}${r.retestVerdict === "disagrees" ? ` (reverse p = ${formatP(r.retest.pReverse)})` : ""}`
      : "not recomputable from the earlier table";
    lines.push(
      `| ${md(r.claim)} | ${r.study} | ${r.before} | ${re} | **${r.after}** | ${md(r.reason)} |`,
    );
  }
  lines.push("");
  return lines.join("\n");
}
