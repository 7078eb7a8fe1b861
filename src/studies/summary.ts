/**
 * The cross-study summary the report notebook shows: every study's per-cell results as one arquero
 * table (mean, spread and count over seeds), and how many of the paper's findings each study
 * reproduces, as a figure and as computed text.
 */
import * as aq from "arquero";
import { groupedBars, summarize, type Figure } from "../plot/figures";
import type { ReportData } from "../report/collect";
import { studyFindings, type Finding } from "./conclusions";

/** One row per (study, preset, cell, metric): mean, std and n over seeds. */
export function resultsTable(data: ReportData): aq.ColumnTable {
  const cols: Record<string, unknown[]> = { study: [], preset: [], cell: [], metric: [], mean: [], std: [], n: [] };
  for (const s of data.sections) {
    const labels = [...new Set(s.results.map((r) => r.label))];
    for (const label of labels) {
      for (const metric of s.study.metrics) {
        const v = summarize(s.results.filter((r) => r.label === label).map((r) => r.metrics[metric]));
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
export function reportFindings(data: ReportData): { study: string; preset: string; findings: Finding[] }[] {
  return data.sections.map((s) => ({
    study: s.study.name,
    preset: s.preset,
    findings: studyFindings(s.study, s.results, s.preset),
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
    series: verdicts.map((v) => ({ name: v, means: all.map((x) => x.findings.filter((f) => f.verdict === v).length) })),
    yTitle: "findings",
  });
  return { ...fig, layout: { ...fig.layout, barmode: "stack" } };
}

/** Text summary computed from the tracked runs. */
export function reportConclusion(data: ReportData): string {
  const all = reportFindings(data);
  if (all.length === 0) return "No study runs found on the tracking server: run the study notebooks first.";
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
