/**
 * The "before" snapshot of a findings re-run, computed from a results archive with today's code
 * (the same findings, Holm family, budgets and fidelity scores the findings README prints), so the
 * before/after table compares numbers, never typed ones: `npm run reproduce -- --snapshot-before`
 * writes it to results/<preset>/before.json (format: src/evidence/earlier-table.ts). Sides, the
 * difference and its CI are kept at full precision, in percent for accuracies as the tables print
 * them; a paired test also keeps the SD of its per-seed paired differences.
 */
import type { ReportData } from "./runs";
import { budgetFacts } from "./budget";
import { tableFidelity } from "./fidelity";
import { formatEvidence, type Finding, type FindingSide } from "./finding";
import { tableFindings, testedFamily, type FindingsMarkdownOptions } from "./findings-markdown";
import { currentRule, pairedDifferenceSd } from "./before-after";
import type { TTest } from "../stats/t-test";
import type {
  EarlierArchive,
  EarlierCell,
  EarlierClaim,
  EarlierFidelity,
  EarlierSide,
  EarlierTable,
} from "./earlier-table";

/** Where the archive behind a snapshot is: its path (relative to the project) and git commit. */
export interface SnapshotSource {
  file: string;
  commit: string;
}

const scaleOf = (f: Finding): number => (f.unit === "points" ? 100 : 1);

/** The finite numbers of an object (JSON has no Infinity or NaN). */
function finite<T extends Record<string, number | undefined>>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && Number.isFinite(v)),
  ) as Partial<T>;
}

/** A side as listed: its seeds, with its mean and std where they exist. */
function cell(s: FindingSide, scale: number): EarlierCell {
  return { name: s.name, n: s.n, ...finite({ mean: s.mean * scale, std: s.std * scale }) };
}

/** A side with a mean and a std (at least 2 seeds), else undefined. */
function side(c: EarlierCell | undefined): EarlierSide | undefined {
  return c?.mean !== undefined && c.std !== undefined && c.n >= 2
    ? { name: c.name, mean: c.mean, std: c.std, n: c.n }
    : undefined;
}

/** A claim's test in the snapshot: kind, t, df, the difference with its CI and the paired SD. */
function testFields(t: TTest, scale: number): Partial<EarlierClaim> {
  const sd = pairedDifferenceSd(t);
  const [lo, hi] = t.ci;
  return {
    test: t.kind,
    ...finite({ t: t.t, df: t.df }),
    ...(Number.isFinite(t.estimate) && Number.isFinite(lo) && Number.isFinite(hi)
      ? { difference: { estimate: t.estimate * scale, ci: [lo * scale, hi * scale] } }
      : {}),
    ...(sd !== undefined ? finite({ pairedSd: sd * scale }) : {}),
  };
}

/** One finding of the table as a claim of the snapshot. */
export function snapshotClaim(study: string, f: Finding): EarlierClaim {
  const scale = scaleOf(f);
  const sides = f.sides.map((s) => cell(s, scale));
  const [better, worse] = sides.length === 2 ? sides.map(side) : [];
  return {
    claim: f.claim,
    study,
    verdict: f.verdict,
    evidence: formatEvidence(f),
    unit: f.unit,
    sides,
    ...(better && worse ? { better, worse } : {}),
    ...(f.test ? testFields(f.test, scale) : {}),
    ...finite({
      p: f.p,
      pReverse: f.pReverse,
      holm: f.pAdjusted,
      holmReverse: f.pReverseAdjusted,
    }),
  };
}

function fidelityOf(data: ReportData, preset: string): EarlierFidelity[] {
  return tableFidelity(data, preset).map(({ study, f }) => ({
    table: f.table,
    study,
    rho: Number.isFinite(f.rho) ? f.rho : null,
    ...(f.ci ? { ci: f.ci } : {}),
    cells: f.cells,
    of: f.of,
    seeds: f.seeds,
  }));
}

function archiveOf(data: ReportData, preset: string, src: SnapshotSource): EarlierArchive {
  const sections = data.sections.filter((x) => x.preset === preset);
  return {
    file: src.file,
    commit: src.commit,
    runs: sections.reduce((a, x) => a + x.runs.length, 0),
    codeVersions: [...new Set(sections.flatMap((x) => x.codeVersions))].sort(),
  };
}

/**
 * The earlier table of a preset computed from its archive's report data (presetDataFromArchive):
 * every claim of the table as `o.studies` declares them, decided in one Holm family; the rule in
 * words; each study's budget as its runs ran it; the fidelity scores; and the archive's facts.
 */
export function snapshotBefore(
  data: ReportData,
  o: FindingsMarkdownOptions,
  src: SnapshotSource,
): EarlierTable {
  const all = tableFindings(data, o);
  const claims = all.flatMap((x) => x.findings.map((f) => snapshotClaim(x.study, f)));
  const family = testedFamily(all);
  const sections = data.sections.filter((x) => x.preset === o.preset);
  const archive = archiveOf(data, o.preset, src);
  const versions = archive.codeVersions;
  return {
    source: `${archive.file} at commit ${archive.commit}: ${archive.runs} runs from code version${versions.length === 1 ? "" : "s"} ${versions.join(", ") || "(none)"}`,
    rule: currentRule(family),
    family,
    budgets: Object.fromEntries(
      sections.map((x) => [x.study.name, budgetFacts(x.study, o.preset).text]),
    ),
    claims,
    fidelity: fidelityOf(data, o.preset),
    archive,
  };
}
