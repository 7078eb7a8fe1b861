/**
 * The cross-study summary the report notebook shows: every study's per-cell results as one arquero
 * table (mean, spread and count over seeds), and how many of the paper's findings each study
 * reproduces, as a figure and as computed text.
 */
import * as aq from "arquero";
import { groupedBars, meanInterval, summarize, type Figure } from "../plot/figures";
import type { SeedResult } from "../report/claims";
import { latestFinished, type ReportData } from "../report/collect";
import {
  decideFindings,
  formatDifference,
  formatEvidence,
  formatN,
  formatP,
  formatTest,
  type Finding,
} from "../report/finding";
import { ALPHA, VERDICTS } from "../stats/verdict";
import type { Study } from "../sweep/study";
import { budgetFacts } from "./budget";
import { studyFindings } from "./conclusions";

/** The study of a table row: the section's, else the one given to the table. */
function getStudyOf(
  data: ReportData,
  given: readonly Study[] | undefined,
  name: string,
): Study | undefined {
  return (
    data.sections.find((x) => x.study.name === name)?.study ?? given?.find((x) => x.name === name)
  );
}

/** Metrics that are linear evaluations of h, comparable with the random-init encoder's. */
const LINEAR_ON_H = ["linear_acc", "linear_acc_h"];

/**
 * One row per (study, preset, cell, metric): mean, std, n and the 95% CI of the mean over seeds;
 * for linear evaluations of h, the random-init encoder of the same runs (eval.randomInit, same
 * budget and seed) and the gain over it with its 95% CI, seed by seed (NaN where not measured).
 */
export function resultsTable(data: ReportData): aq.ColumnTable {
  const names = ["study", "preset", "cell", "metric", "mean", "std", "n", "ci_low", "ci_high"];
  const more = ["random_init", "gain", "gain_ci_low", "gain_ci_high"];
  const cols: Record<string, unknown[]> = Object.fromEntries(
    [...names, ...more].map((k) => [k, [] as unknown[]]),
  );
  const push = (k: string, v: unknown): void => void cols[k]?.push(v);
  for (const s of data.sections) {
    const labels = [...new Set(s.results.map((r) => r.label))];
    for (const label of labels) {
      const mine = s.results.filter((r) => r.label === label);
      for (const metric of s.study.metrics) {
        const values = mine.map((r) => r.metrics[metric] as number);
        const v = summarize(values);
        if (v.n === 0) continue;
        const ci = meanInterval(values);
        const base = LINEAR_ON_H.includes(metric)
          ? mine.filter(
              (r) => Number.isFinite(r.metrics[metric]) && Number.isFinite(r.metrics[RANDOM_INIT]),
            )
          : [];
        const gains = base.map(
          (r) => (r.metrics[metric] as number) - (r.metrics[RANDOM_INIT] as number),
        );
        const g = summarize(gains);
        const gci = meanInterval(gains);
        const row = [
          s.study.name,
          s.preset,
          label,
          metric,
          v.mean,
          v.std,
          v.n,
          ci?.[0] ?? NaN,
          ci?.[1] ?? NaN,
        ];
        names.forEach((k, i) => push(k, row[i]));
        push("random_init", summarize(base.map((r) => r.metrics[RANDOM_INIT] as number)).mean);
        push("gain", g.mean);
        push("gain_ci_low", gci?.[0] ?? NaN);
        push("gain_ci_high", gci?.[1] ?? NaN);
      }
    }
  }
  return aq.table(cols);
}

/** The random-init encoder's linear accuracy (logged by evaluation when eval.randomInit is on). */
const RANDOM_INIT = "random_init_linear_acc";

/** One section's findings, decided in the family of its table (every claim at its preset). */
export interface SectionFindings {
  study: string;
  preset: string;
  findings: Finding[];
  results: SeedResult[];
}

/**
 * Every finding of every section (declared claims plus the study's own), decided with
 * Holm-Bonferroni across all claims of the same preset: the family a findings table shows.
 * `extra` adds studies with no runs (their claims read "no data" and are not in the family).
 */
export function reportFindings(
  data: ReportData,
  extra: readonly { study: Study; preset: string }[] = [],
): SectionFindings[] {
  const raw: SectionFindings[] = [
    ...data.sections.map((s) => ({
      study: s.study.name,
      preset: s.preset,
      findings: studyFindings(s.study, s.results, s.preset),
      results: s.results,
    })),
    ...extra.map((x) => ({
      study: x.study.name,
      preset: x.preset,
      findings: studyFindings(x.study, [], x.preset),
      results: [],
    })),
  ];
  const out = raw.map((x) => ({ ...x, findings: [...x.findings] }));
  for (const preset of new Set(raw.map((x) => x.preset))) {
    const mine = out.filter((x) => x.preset === preset);
    const decided = decideFindings(mine.flatMap((x) => x.findings));
    let i = 0;
    for (const x of mine) x.findings = x.findings.map(() => decided[i++] as Finding);
  }
  return out;
}

/** Stacked bars: per study, how many findings agree, disagree, are inconclusive or lack seeds or data. */
export function findingsFigure(data: ReportData): Figure {
  const all = reportFindings(data);
  const categories = all.map((x) => `${x.study} (${x.preset})`);
  const fig = groupedBars({
    title: "the paper's findings, reproduced or not, by study",
    categories,
    series: VERDICTS.map((v) => ({
      name: v,
      means: all.map((x) => x.findings.filter((f) => f.verdict === v).length),
    })),
    yTitle: "findings",
  });
  return { ...fig, layout: { ...fig.layout, barmode: "stack" } };
}

/** Text summary computed from the tracked runs (Holm over all claims of each preset). */
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
    for (const f of x.findings) lines.push(`  [${f.verdict}] ${f.claim}: ${formatEvidence(f)}`);
  }
  return `${agree} of ${total} findings agree with the paper (one-sided tests at alpha = ${ALPHA}, Holm-Bonferroni across all claims of a preset).\n${lines.join("\n")}`;
}

/**
 * Why a finding of a study did not reproduce, from the study's own reasons: computed from its
 * runs where the study has a rule, else the claim's reason, else the study's, worded from the
 * study's budget at the preset.
 */
function likelyReason(
  study: Study,
  preset: string,
  f: Finding,
  results: readonly SeedResult[],
): string {
  const r = study.reasons;
  const budget = budgetFacts(study, preset);
  const base = r?.computed?.(results) ?? r?.claims?.[f.claim]?.(budget) ?? r?.study(budget) ?? "";
  if (f.verdict === "inconclusive")
    return `the difference is not significant after Holm's adjustment; ${base}`;
  if (f.verdict === "too few seeds")
    return `a side has fewer than 2 seeds, so there is no spread to test against; ${base}`;
  return base;
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
  const lines: string[] = [`# SimCLR findings at the \`${o.preset}\` preset`, ""];
  lines.push(
    `Written by \`npm run reproduce\` from the runs on ${data.trackingUri} (${data.generatedAt}).`,
    "",
  );
  const last = o.records?.[o.records.length - 1];
  if (last && o.reportFile)
    lines.push(`The shareable report: [${o.reportFile}](${o.reportFile}).`, "");
  const covered = new Set(
    data.sections.filter((x) => x.preset === o.preset).map((x) => x.study.name),
  );
  const notRun = (o.studies ?? []).filter((st) => !covered.has(st.name));
  const all = reportFindings(
    { ...data, sections: data.sections.filter((x) => x.preset === o.preset) },
    notRun.map((study) => ({ study, preset: o.preset })),
  );
  const family = all.flatMap((x) => x.findings).filter((f) => f.pAdjusted !== undefined).length;
  const verdicts = all.flatMap((x) => x.findings.map((f) => f.verdict));
  lines.push(
    `Summary: ${VERDICTS.map((v) => `${verdicts.filter((x) => x === v).length} ${v}`).join(", ")} (of ${verdicts.length} claims).`,
    "",
    `Each claim is tested one-sided in the paper's direction at alpha = ${ALPHA}, with Holm-Bonferroni across the ${family} tested claims of this table.`,
    "",
    "| paper's claim | study | this run | n per side | difference [95% CI] | p (one-sided) | Holm p | evidence (mean ± std over seeds) | most likely reason if not reproduced |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const x of all) {
    const study = getStudyOf(data, o.studies, x.study);
    for (const f of x.findings) {
      const ran = x.results.length > 0;
      const reason =
        f.verdict === "agrees"
          ? ""
          : !ran || f.verdict === "no data"
            ? "not run yet"
            : study
              ? likelyReason(study, x.preset, f, x.results)
              : "";
      const test = f.test ? `${formatTest(f.test)}; ` : "";
      lines.push(
        `| ${mdEscape(f.claim)} | ${x.study} | **${f.verdict}** | ${formatN(f)} | ${formatDifference(f)} | ${formatP(f.p)} | ${formatP(f.pAdjusted)} | ${mdEscape(ran ? test + f.evidence : `no runs at \`${o.preset}\``)} | ${mdEscape(reason)} |`,
      );
    }
  }
  if (all.length === 0) lines.push("| (no study has runs at this preset yet) | | | | | | | | |");
  const versions = data.sections.filter((x) => x.preset === o.preset);
  if (versions.length) {
    lines.push(
      "",
      "Code versions (simclr.code_version: a hash of the sources that affect training):",
      "",
    );
    for (const x of versions)
      lines.push(
        x.codeVersions.length > 1
          ? `- **${x.study.name}: runs from ${x.codeVersions.length} code versions (${x.codeVersions.join(", ")}): the evidence mixes code versions.**`
          : `- ${x.study.name}: ${x.codeVersions[0] ?? "no runs"}`,
      );
  }
  const missing = (data as ReportData & { missingExperiments?: string[] }).missingExperiments ?? [];
  if (missing.length) lines.push("", `Not run yet: ${missing.join(", ")}.`);
  lines.push(
    "",
    `Verdicts: *agrees* when the claim's one-sided p, Holm-adjusted across the table's tested claims, is at most ${ALPHA}; *disagrees* when the reverse one-sided test passes the same rule; *inconclusive* otherwise; *too few seeds* when a side has fewer than 2 seeds (no spread to test against); *no data* when a side has no runs. Tests: Welch's t with Welch-Satterthwaite df between cells; a paired t over seeds where the two cells share initialisation and data order for a seed (same encoder, data and batch size), and over runs where h and g(h) come from the same encoder; a Welch-Satterthwaite contrast of four cells for an interaction; the strongest pair of Figure 5 against each runner-up (it agrees only when it beats every one). Intervals are two-sided 95% t intervals of the difference, positive in the paper's direction (points for accuracies).`,
    "",
  );
  lines.push("## Compute and environment", "");
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
  return lines.join("\n");
}
