/**
 * The cross-study summary the report notebook shows: every study's per-cell results as one arquero
 * table (mean, spread and count over seeds), and how many of the paper's findings each study
 * reproduces, as a figure and as computed text.
 */
import * as aq from "arquero";
import { groupedBars, summarize, type Figure } from "../plot/figures";
import { TABLE5_TEMPERATURE } from "../paper/reference";
import type { SeedResult } from "../report/claims";
import { latestFinished, type ReportData } from "../report/collect";
import type { Study } from "../sweep/study";
import { cellMeans, studyFindings, type Finding } from "./conclusions";

/** One row per (study, preset, cell, metric): mean, std and n over seeds. */
export function resultsTable(data: ReportData): aq.ColumnTable {
  const cols: Record<string, unknown[]> = {
    study: [],
    preset: [],
    cell: [],
    metric: [],
    mean: [],
    std: [],
    n: [],
  };
  for (const s of data.sections) {
    const labels = [...new Set(s.results.map((r) => r.label))];
    for (const label of labels) {
      for (const metric of s.study.metrics) {
        const v = summarize(
          s.results.filter((r) => r.label === label).map((r) => r.metrics[metric]),
        );
        if (v.n === 0) continue;
        cols.study.push(s.study.name);
        cols.preset.push(s.preset);
        cols.cell.push(label);
        cols.metric.push(metric);
        cols.mean.push(v.mean);
        cols.std.push(v.std);
        cols.n.push(v.n);
      }
    }
  }
  return aq.table(cols);
}

/** Every finding of every section (declared claims plus the study-specific ones). */
export function reportFindings(
  data: ReportData,
): { study: string; preset: string; findings: Finding[]; results: SeedResult[] }[] {
  return data.sections.map((s) => ({
    study: s.study.name,
    preset: s.preset,
    findings: studyFindings(s.study, s.results, s.preset),
    results: s.results,
  }));
}

/** Stacked bars: per study, how many findings agree, disagree, are inconclusive or lack data. */
export function findingsFigure(data: ReportData): Figure {
  const all = reportFindings(data);
  const categories = all.map((x) => `${x.study} (${x.preset})`);
  const verdicts: Finding["verdict"][] = ["agrees", "disagrees", "inconclusive", "no data"];
  const fig = groupedBars({
    title: "the paper's findings, reproduced or not, by study",
    categories,
    series: verdicts.map((v) => ({
      name: v,
      means: all.map((x) => x.findings.filter((f) => f.verdict === v).length),
    })),
    yTitle: "findings",
  });
  return { ...fig, layout: { ...fig.layout, barmode: "stack" } };
}

/** Text summary computed from the tracked runs. */
export function reportConclusion(data: ReportData): string {
  const all = reportFindings(data);
  if (all.length === 0)
    return "No study runs found on the tracking server: run the study notebooks first.";
  const lines: string[] = [];
  let agree = 0;
  let total = 0;
  for (const x of all) {
    const a = x.findings.filter((f) => f.verdict === "agrees").length;
    agree += a;
    total += x.findings.length;
    lines.push(`${x.study} (${x.preset}): ${a}/${x.findings.length} agree`);
    for (const f of x.findings) lines.push(`  [${f.verdict}] ${f.claim}: ${f.evidence}`);
  }
  return `${agree} of ${total} findings agree with the paper.\n${lines.join("\n")}`;
}

/** Why a finding most likely did not reproduce at a small scale, by study (used in the findings table). */
const LIKELY_REASON: Record<string, string> = {
  "augmentation-grid":
    "4 epochs on a 4000-image subset with a small ConvNet and one seed for most cells: differences between compositions are within run-to-run noise",
  "color-strength":
    "short training: strong color distortion makes the task harder and pays off only with longer training (the paper trains 100+ epochs)",
  "projection-head":
    "a small encoder and short training: the head's effect on h grows with training length",
  losses: "one temperature/margin for every loss instead of the per-loss tuning the paper did",
  temperature:
    "short training: the paper's temperature optimum (0.1 on ImageNet, 0.5 on CIFAR-10) assumes converged runs",
  "batch-size":
    "on an 8000-image subset a larger batch also means 4x fewer optimizer steps, which dominates at a few epochs",
};

/** The range of a metric's per-cell means across a study's results, or undefined without data. */
function cellMeanRange(
  results: readonly SeedResult[],
  metric: string,
  only: (label: string) => boolean = () => true,
): [number, number] | undefined {
  const means = [...cellMeans(results, metric)].filter(([l]) => only(l)).map(([, m]) => m);
  return means.length ? [Math.min(...means), Math.max(...means)] : undefined;
}

/**
 * Table 5 at a small scale: how far the contrastive task is from solved, from the run's own
 * contrastive accuracy and entropy against the paper's (59-92% accuracy; entropy 0.5 without l2).
 */
function temperatureReason(results: readonly SeedResult[]): string | undefined {
  const acc = cellMeanRange(results, "contrastive_acc");
  const ent = cellMeanRange(results, "entropy", (l) => l.startsWith("no l2"));
  if (!acc) return undefined;
  const lo = Math.min(...TABLE5_TEMPERATURE.map((r) => r.contrastiveAcc));
  const hi = Math.max(...TABLE5_TEMPERATURE.map((r) => r.contrastiveAcc));
  const p = (x: number): string => (100 * x).toFixed(0);
  return (
    `contrastive accuracy at the end of training is ${p(acc[0])}-${p(acc[1])}% across cells (paper: ${lo}-${hi}%): the contrastive task is far from solved, so the paper's failure without l2 normalisation (the task solved with confident, low-entropy predictions and poorer features) has not set in` +
    (ent
      ? `; entropy without l2 is ${ent[0].toFixed(1)}-${ent[1].toFixed(1)} here against 0.5 in the paper`
      : "")
  );
}

/** Reasons for single claims where the study's reason is about something else (by claim text). */
const CLAIM_REASON: [RegExp, string][] = [
  [
    /^longer training helps/,
    "2 and 6 epochs on an 8000-image subset are both far from converged (the paper compares 100 to 800 epochs), so 3 seeds resolve only a large gain",
  ],
];

/**
 * Why a finding of a study did not reproduce: computed from its runs where a study has a rule, else
 * the claim's own reason ({@link CLAIM_REASON}), else the study's ({@link LIKELY_REASON}).
 */
function likelyReason(study: string, f: Finding, results: readonly SeedResult[]): string {
  const computed = study === "temperature" ? temperatureReason(results) : undefined;
  const byClaim = CLAIM_REASON.find(([re]) => re.test(f.claim))?.[1];
  const base = computed ?? byClaim ?? LIKELY_REASON[study] ?? "";
  return f.verdict === "inconclusive"
    ? `the difference is within the seed-to-seed spread; ${base}`
    : base;
}

/** Options for {@link findingsMarkdown}. */
export interface FindingsMarkdownOptions {
  preset: string;
  /**
   * Every study the table should cover: the claims of one with no runs at this preset get a
   * "no data" row, so a study not run yet is visible rather than absent.
   */
  studies?: readonly Study[];
  /** The HTML report beside the table, when it has been written (relative link). */
  reportFile?: string;
  /** Notebook runs (wall time, backend, hardware, versions) as recorded by `npm run reproduce`. */
  records?: readonly {
    notebook: string;
    wall_s: number;
    ok: boolean;
    interrupted?: string;
    backend: string;
    device: string;
    threads: number;
    onednn?: boolean;
    versions: Record<string, string>;
    hardware: Record<string, unknown>;
  }[];
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Compute behind one study at one preset, from its tracked runs (whichever session ran them). */
export interface StudyCompute {
  study: string;
  /** Finished runs behind the results (the latest of each cell and seed). */
  finished: number;
  failed: number;
  /** Sum of the finished runs' durations (MLflow start to end), seconds. */
  runSeconds: number;
}

/**
 * Per study, the runs and run time behind the findings. A notebook's wall time covers only what
 * that execution ran (a resumed sweep skips the cells tracked before), so the evidence's cost is
 * summed from the runs themselves.
 */
export function studyCompute(data: ReportData, preset: string): StudyCompute[] {
  return data.sections
    .filter((x) => x.preset === preset)
    .map((x) => {
      // Only the runs behind the results: a superseded run is not counted.
      const done = latestFinished(x.runs);
      return {
        study: x.experiment,
        finished: done.length,
        failed: x.runs.filter((r) => r.status === "FAILED").length,
        runSeconds: done.reduce(
          (a, r) => a + (r.endTime !== undefined ? (r.endTime - r.startTime) / 1000 : 0),
          0,
        ),
      };
    });
}

/** The findings table (results/<preset>/README.md), written from the tracked runs. */
export function findingsMarkdown(data: ReportData, o: FindingsMarkdownOptions): string {
  const all = reportFindings(data).filter((x) => x.preset === o.preset);
  const lines: string[] = [`# SimCLR findings at the \`${o.preset}\` preset`, ""];
  lines.push(
    `Written by \`npm run reproduce\` from the runs on ${data.trackingUri} (${data.generatedAt}).`,
    "",
  );
  const last = o.records?.[o.records.length - 1];
  if (last) {
    lines.push(
      `Backend: ${last.backend} on ${last.device}${/thread/.test(last.device) ? "" : ` (${last.threads} threads)`}${last.onednn === undefined ? "" : `, oneDNN ${last.onednn ? "on" : "off"}`}. Hardware: ${JSON.stringify(last.hardware)}.`,
      `Versions: ${Object.entries(last.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.`,
      "",
      "| notebook | status | wall time (last execution) |",
      "| --- | --- | --- |",
    );
    const latest = new Map<
      string,
      typeof o.records extends readonly (infer R)[] | undefined ? R : never
    >();
    for (const r of o.records ?? []) latest.set(r.notebook, r);
    for (const r of [...latest.values()].sort((a, b) => a.notebook.localeCompare(b.notebook))) {
      lines.push(
        `| [${r.notebook}](${r.notebook}.ipynb) | ${r.ok ? "ok" : r.interrupted ? `interrupted (${r.interrupted})` : "failed"} | ${(r.wall_s / 60).toFixed(1)} min |`,
      );
    }
    lines.push(
      "",
      "Wall time is that of each notebook's last execution; one executed again after its sweep finished reuses the tracked runs and takes seconds. The compute behind each study is summed from its runs below.",
      "",
    );
  }
  const compute = studyCompute(data, o.preset);
  if (compute.length) {
    lines.push(
      "| study | finished runs | failed runs | run time (sum over runs) | per run |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const c of compute)
      lines.push(
        `| ${c.study} | ${c.finished} | ${c.failed} | ${(c.runSeconds / 60).toFixed(1)} min | ${c.finished ? (c.runSeconds / c.finished).toFixed(0) : "-"} s |`,
      );
    if (compute.length > 1) {
      const sum = (f: (c: StudyCompute) => number): number => compute.reduce((a, c) => a + f(c), 0);
      const runs = sum((c) => c.finished);
      const seconds = sum((c) => c.runSeconds);
      lines.push(
        `| **all studies** | ${runs} | ${sum((c) => c.failed)} | ${(seconds / 3600).toFixed(1)} h | ${runs ? (seconds / runs).toFixed(0) : "-"} s |`,
      );
    }
    lines.push("");
  }
  if (last) {
    if (o.reportFile) lines.push(`The shareable report: [${o.reportFile}](${o.reportFile}).`, "");
  }
  lines.push(
    "| paper's claim | study | this run | evidence (mean ± std over seeds) | most likely reason if not reproduced |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const x of all) {
    for (const f of x.findings) {
      const reason =
        f.verdict === "agrees"
          ? ""
          : f.verdict === "no data"
            ? "not run yet"
            : likelyReason(x.study, f, x.results);
      lines.push(
        `| ${mdEscape(f.claim)} | ${x.study} | **${f.verdict}** | ${mdEscape(f.evidence)} | ${mdEscape(reason)} |`,
      );
    }
  }
  const covered = new Set(all.map((x) => x.study));
  const notRun = (o.studies ?? []).filter((st) => !covered.has(st.name));
  for (const st of notRun) {
    for (const f of studyFindings(st, [], o.preset))
      lines.push(
        `| ${mdEscape(f.claim)} | ${st.name} | **no data** | no runs at \`${o.preset}\` | not run yet |`,
      );
  }
  if (all.length === 0 && notRun.length === 0)
    lines.push("| (no study has runs at this preset yet) | | | | |");
  const missing = (data as ReportData & { missingExperiments?: string[] }).missingExperiments ?? [];
  if (missing.length) lines.push("", `Not run yet: ${missing.join(", ")}.`);
  lines.push(
    "",
    "Verdicts: *agrees* when the difference has the paper's sign and is at least two standard errors (|t| >= 2: Welch's t between cells over seeds; a paired t over runs where h and g(h) come from the same runs; the summed standard errors of four cells for an interaction), or has the paper's sign where a side has one seed (no spread to compare with; the Figure 5 grid's strongest pair is decided by rank among cell means); *disagrees* for the opposite; *inconclusive* when the difference is within the seed-to-seed spread.",
    "",
  );
  return lines.join("\n");
}
