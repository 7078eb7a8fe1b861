/**
 * The file format of an earlier findings table, results/<preset>/before.json: each claim's verdict
 * with its evidence, the rule, the budgets and where the table came from. Two generations read
 * here: issue 12's hand-made snapshot (rounded means, |t| only), and the snapshot
 * {@link ../evidence/before-snapshot} computes from an archive (exact sides, difference and CI, p and
 * Holm p, the SD of paired differences, the fidelity scores, the archive it came from). The new
 * fields are optional, so both read; a wrong field is named with its file.
 */
import fs from "node:fs";
import { VERDICTS, type Verdict } from "../stats/verdict";

/**
 * One side of an earlier comparison: mean and sample std over seeds, and the seeds. Percent for
 * accuracies (as the tables print them), else the metric's own value.
 */
export interface EarlierSide {
  /** The side's name (a cell label), where the snapshot keeps it. */
  name?: string;
  mean: number;
  std: number;
  n: number;
}

/** A side as a snapshot lists it: its seeds, and its mean and std where they exist (n >= 1, n >= 2). */
export interface EarlierCell {
  name: string;
  n: number;
  mean?: number;
  std?: number;
}

/** A claim of the earlier table. */
export interface EarlierClaim {
  claim: string;
  study: string;
  verdict: Verdict;
  /** The evidence column of the earlier table, verbatim. */
  evidence: string;
  /** The t statistic of its test, where it had one. */
  t?: number;
  better?: EarlierSide;
  worse?: EarlierSide;
  /** The degrees of freedom of its test (a paired test: seeds or runs - 1). */
  df?: number;
  /** Every side of the comparison (more than two for an interaction or the strongest pair). */
  sides?: EarlierCell[];
  /** How its numbers read: "points" (accuracies in percent) or "value". */
  unit?: "points" | "value";
  /** Which test decided it ("welch", "paired" or "contrast"). */
  test?: string;
  /** The difference in the paper's direction and its two-sided 95% CI, in `unit`. */
  difference?: { estimate: number; ci: [number, number] };
  /** For a paired test: the sample SD of the per-seed paired differences, in `unit`. */
  pairedSd?: number;
  /** One-sided p in the paper's direction and of the reverse. */
  p?: number;
  pReverse?: number;
  /** Holm-adjusted p of both directions, in the table's family. */
  holm?: number;
  holmReverse?: number;
}

/** A paper table's fidelity score as the earlier table had it (rho null when not computable). */
export interface EarlierFidelity {
  table: string;
  study: string;
  rho: number | null;
  /** 95% percentile bootstrap interval over seeds. */
  ci?: [number, number];
  cells: number;
  of: number;
  seeds: number;
}

/** The archive an earlier table was computed from. */
export interface EarlierArchive {
  /** The archive's path relative to the project root, e.g. "results/small/runs.jsonl". */
  file: string;
  /** The git commit the archive was read at. */
  commit: string;
  runs: number;
  codeVersions: string[];
}

/** An earlier findings table: where it came from, its rule, its budgets and its claims. */
export interface EarlierTable {
  /** e.g. "results/small/README.md at commit d074ddc (2026-11-28)". */
  source: string;
  /** The verdict rule it used, in words. */
  rule: string;
  /** Tested claims in its Holm family (the rule's size), where it used today's rule. */
  family?: number;
  /** Per study, its per-cell budget in words (key "default" for studies not listed). */
  budgets: Record<string, string>;
  claims: EarlierClaim[];
  fidelity?: EarlierFidelity[];
  archive?: EarlierArchive;
}

/** Reads and checks an earlier table; throws naming the file and the field that is wrong. */
export function readEarlierTable(file: string): EarlierTable {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not readable JSON (${(e as Error).message})`);
  }
  checkEarlierTable(raw, file);
  return raw;
}

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Throws `${where}: field '${field}' must be ${what}` unless `ok` (no field: the whole of where). */
function need(ok: boolean, where: string, field: string, what: string): void {
  if (!ok)
    throw new Error(
      field ? `${where}: field '${field}' must be ${what}` : `${where} must be ${what}`,
    );
}

/** Checks optional fields: each present one must pass its check. */
function optional(
  o: Json,
  where: string,
  fields: Record<string, [(x: unknown) => boolean, string]>,
): void {
  for (const [k, [ok, what]] of Object.entries(fields))
    if (o[k] !== undefined) need(ok(o[k]), where, k, what);
}

const isSide = (x: unknown): boolean =>
  isObject(x) && isNumber(x.mean) && isNumber(x.std) && Number.isInteger(x.n);
const isPair = (x: unknown): boolean => Array.isArray(x) && x.length === 2 && x.every(isNumber);
const SIDE = "an object with numbers 'mean', 'std' and an integer 'n'";
const isCell = (x: unknown): boolean =>
  isObject(x) &&
  typeof x.name === "string" &&
  Number.isInteger(x.n) &&
  [x.mean, x.std].every((v) => v === undefined || isNumber(v));
const CELL = "an object with a string 'name', an integer 'n' and optional numbers 'mean', 'std'";

function checkClaim(c: unknown, where: string): void {
  need(isObject(c), where, "", "an object");
  const o = c as Json;
  need(typeof o.claim === "string", where, "claim", "a string");
  need(typeof o.study === "string", where, "study", "a string");
  if (!VERDICTS.includes(o.verdict as Verdict))
    throw new Error(
      `${where}.verdict is ${JSON.stringify(o.verdict)}; expected one of ${VERDICTS.join(", ")}`,
    );
  need(typeof o.evidence === "string", where, "evidence", "a string");
  optional(o, where, {
    t: [isNumber, "a finite number"],
    df: [isNumber, "a finite number"],
    better: [isSide, SIDE],
    worse: [isSide, SIDE],
    sides: [(x) => Array.isArray(x) && x.every(isCell), `an array of ${CELL}`],
    unit: [(x) => x === "points" || x === "value", `"points" or "value"`],
    test: [(x) => typeof x === "string", "a string"],
    difference: [
      (x) => isObject(x) && isNumber(x.estimate) && isPair(x.ci),
      "an object with a number 'estimate' and a pair of numbers 'ci'",
    ],
    pairedSd: [isNumber, "a finite number"],
    p: [isNumber, "a finite number"],
    pReverse: [isNumber, "a finite number"],
    holm: [isNumber, "a finite number"],
    holmReverse: [isNumber, "a finite number"],
  });
}

function checkFidelity(f: unknown, where: string): void {
  need(isObject(f), where, "", "an object");
  const o = f as Json;
  need(typeof o.table === "string", where, "table", "a string");
  need(typeof o.study === "string", where, "study", "a string");
  need(o.rho === null || isNumber(o.rho), where, "rho", "a number or null");
  for (const k of ["cells", "of", "seeds"]) need(Number.isInteger(o[k]), where, k, "an integer");
  optional(o, where, { ci: [isPair, "a pair of numbers"] });
}

function checkArchive(a: unknown, where: string): void {
  need(isObject(a), where, "archive", "an object");
  const o = a as Json;
  const at = `${where}: archive`;
  need(typeof o.file === "string", at, "file", "a string");
  need(typeof o.commit === "string", at, "commit", "a string");
  need(Number.isInteger(o.runs), at, "runs", "an integer");
  need(
    Array.isArray(o.codeVersions) && o.codeVersions.every((v) => typeof v === "string"),
    at,
    "codeVersions",
    "an array of strings",
  );
}

function checkEarlierTable(raw: unknown, file: string): asserts raw is EarlierTable {
  need(isObject(raw), file, "", "a JSON object");
  const t = raw as Json;
  for (const k of ["source", "rule"]) need(typeof t[k] === "string", file, k, "a string");
  need(
    isObject(t.budgets) && Object.values(t.budgets).every((b) => typeof b === "string"),
    file,
    "budgets",
    "an object of study -> budget text",
  );
  need(Array.isArray(t.claims), file, "claims", "an array");
  (t.claims as unknown[]).forEach((c, i) => checkClaim(c, `${file}: claims[${i}]`));
  optional(t, file, { family: [(x) => Number.isInteger(x), "an integer"] });
  if (t.fidelity !== undefined) {
    need(Array.isArray(t.fidelity), file, "fidelity", "an array");
    (t.fidelity as unknown[]).forEach((f, i) => checkFidelity(f, `${file}: fidelity[${i}]`));
  }
  if (t.archive !== undefined) checkArchive(t.archive, file);
}
