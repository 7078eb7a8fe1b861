/**
 * The cross-study summary the report notebook shows: every study's per-cell results as one arquero
 * table (mean, spread and count over seeds), and how many of the paper's findings each study
 * reproduces, as a figure and as computed text.
 */
import * as aq from "arquero";
import { groupedBars, meanInterval, summarize, type Figure } from "../plot/figures";
import type { SeedResult } from "./claims";
import type { ReportData } from "./runs";
import { decideFindings, formatEvidence, type Finding } from "./finding";
import { ALPHA, VERDICTS } from "../stats/verdict";
import type { Study } from "./study";
import { cellGain, evaluatesH } from "./baseline";
import { decideStudyFindings } from "./conclusions";

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
        const g = evaluatesH(s.results, metric) ? cellGain(mine, metric) : cellGain([], metric);
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
        push("random_init", g.baseline);
        push("gain", g.mean);
        push("gain_ci_low", g.ci?.[0] ?? NaN);
        push("gain_ci_high", g.ci?.[1] ?? NaN);
      }
    }
  }
  return aq.table(cols);
}

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
      findings: decideStudyFindings(s.study, s.results, s.preset),
      results: s.results,
    })),
    ...extra.map((x) => ({
      study: x.study.name,
      preset: x.preset,
      findings: decideStudyFindings(x.study, [], x.preset),
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
  return `${agree} of ${total} findings agree with the paper (one-sided tests at alpha = ${ALPHA}, Holm-Bonferroni over both directions of all claims of a preset).\n${lines.join("\n")}`;
}
