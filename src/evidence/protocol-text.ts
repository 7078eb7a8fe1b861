/**
 * What the findings README and the report say about a study's protocol against the paper's text:
 * its search stage, computed from the search's runs with the comparison's runs checked against the
 * choice (src/evidence/search.ts), and its declared deviations from the paper, each with its
 * reason (`deviations` of src/evidence/study.ts).
 */
import { ruleText, searchLines, searchStatus, type SearchRun } from "./search";
import type { Study } from "./study";
import { latestFinished, type ReportData } from "./runs";
import { countOf } from "./plural";

/** The section's title and the sentences that open its two lists (README and report). */
export const PROTOCOL_TITLE = "The paper's protocol: searches and deviations";
export const SEARCHES_INTRO =
  "Hyperparameter searches, each choice computed from the search's runs (never typed in); the comparison runs each searched cell at its chosen value, on seeds the search did not use:";
export const DEVIATIONS_INTRO =
  "Where each study still departs from the paper's text (Chen et al. 2020), and why:";

/** A finished run of the comparison with its params (the config it ran at, as strings). */
export interface ComparisonRun {
  label: string;
  params: Record<string, string>;
}

/** What the comparison's runs of a cell ran at: "loss.temperature=0.2 (6 runs)". */
function ranAt(comparison: readonly ComparisonRun[], cell: string, field: string): string {
  const runs = comparison.filter((r) => r.label === cell);
  const values = [...new Set(runs.map((r) => r.params[field] ?? "not recorded"))];
  return runs.length ? `${field}=${values.join(", ")} (${countOf(runs.length, "run")})` : "no runs";
}

/**
 * Markdown lines on a study's search stage at a preset: the rule, then per searched cell each
 * value's mean, the choice and the runs it came from, and what the comparison's runs ran at
 * against that choice. Empty without a search stage or at a preset the search does not declare.
 */
export function searchMarkdownLines(
  study: Study,
  preset: string,
  searchRuns: readonly SearchRun[],
  comparison: readonly ComparisonRun[],
): string[] {
  const stage = study.search;
  if (!stage?.presets[preset]) return [];
  const status = searchStatus(study, preset, searchRuns);
  const head = `- **${study.name}**, after its search stage \`${stage.name}\` (rule: ${ruleText(study, preset)}; the comparison's seeds are disjoint from these):`;
  if (!searchRuns.length)
    return [
      head,
      `  - no search runs at \`${preset}\` yet, so no value is chosen and the comparison's runs were not planned from a search: they ran at ${status.map((s) => `${ranAt(comparison, s.cell, s.field)} for ${s.cell}`).join(", ")}.`,
    ];
  const lines = searchLines(status);
  return [
    head,
    ...status.map((s, i) => {
      const ran = ranAt(comparison, s.cell, s.field);
      const same =
        s.value !== undefined &&
        comparison.some((r) => r.label === s.cell) &&
        comparison
          .filter((r) => r.label === s.cell)
          .every((r) => r.params[s.field] === String(s.value));
      return `  - ${lines[i] ?? ""}; the comparison ran at ${ran}${same ? ", the choice" : s.value === undefined ? "" : ", not (only) the choice"}.`;
    }),
  ];
}

/** A deviation and the studies it holds for (at a preset), each deviation once. */
export interface DeviationRow {
  what: string;
  why: string;
  studies: string[];
}

/**
 * Each study's declared deviations that hold at `preset`, each listed once with the studies it
 * holds for (the shared ones first, as the studies declare them).
 */
export function deviationRows(studies: readonly Study[], preset: string): DeviationRow[] {
  const rows = new Map<string, DeviationRow>();
  for (const s of studies)
    for (const d of s.deviations ?? []) {
      if (d.presets && !d.presets.includes(preset)) continue;
      const key = `${d.what}\u0000${d.why}`;
      const row = rows.get(key) ?? { what: d.what, why: d.why, studies: [] };
      row.studies.push(s.name);
      rows.set(key, row);
    }
  return [...rows.values()];
}

/** Markdown lines listing the deviations of {@link deviationRows}. */
export function deviationMarkdownLines(studies: readonly Study[], preset: string): string[] {
  const declaring = studies.filter((s) => s.deviations?.length).length;
  return deviationRows(studies, preset).map(
    (d) =>
      `- ${d.studies.length === declaring && declaring > 1 ? "every study" : d.studies.join(", ")}: ${d.what}. *Why:* ${d.why}.`,
  );
}

/**
 * The protocol section's two lists at a preset: each search stage (from the search study's runs,
 * all statuses, and the comparison's latest finished runs) and the deviations, as markdown list
 * lines. `studies` default to those with runs at the preset.
 */
export function protocolLines(
  data: ReportData,
  preset: string,
  studies?: readonly Study[],
): { searches: string[]; deviations: string[] } {
  const here = data.sections.filter((x) => x.preset === preset);
  const all = studies ?? here.map((x) => x.study);
  const runsOf = (name: string): ReportData["sections"][number]["runs"] =>
    here.find((x) => x.study.name === name)?.runs ?? [];
  return {
    searches: all.flatMap((st) =>
      st.search
        ? searchMarkdownLines(st, preset, runsOf(st.search.name), latestFinished(runsOf(st.name)))
        : [],
    ),
    deviations: deviationMarkdownLines(all, preset),
  };
}
