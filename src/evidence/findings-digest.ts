/**
 * The results digest of the project README: a preset's findings table in a few lines (verdict
 * counts, then each claim's difference with its 95% CI and Holm p, grouped by verdict, and the
 * runs, run time and code versions behind them). `npm run reproduce` writes it between markers in
 * README.md, so the paragraph a visitor reads first is computed from the same archive as the
 * findings table and cannot drift from it (issue 12: the README's results paragraph matches the
 * table). The prose around the block stays hand-written.
 */
import type { ReportData } from "./runs";
import {
  formatDifference,
  formatN,
  formatPs,
  formatSide,
  WHOLLY_AGAINST,
  whollyAgainst,
  type Finding,
} from "./finding";
import { ALPHA, familyRule, VERDICTS, type Verdict } from "../stats/verdict";
import { planStudy } from "../grid/study-grid";
import { studyCompute, tableFindings, type FindingsMarkdownOptions } from "./findings-markdown";

/** The markers around a preset's digest in README.md. */
export function digestMarkers(preset: string): { begin: string; end: string } {
  return {
    begin: `<!-- findings:${preset} begin: written by \`npm run reproduce\` from the results archive; do not edit by hand -->`,
    end: `<!-- findings:${preset} end -->`,
  };
}

/** One claim of the digest: what it says, the difference with its CI, and the p that decided it. */
function claimLine(f: Finding, study: string): string {
  const where = f.source ? `${f.source}, ${study}` : study;
  const diff = formatDifference(f);
  const { holm } = formatPs(f);
  const numbers =
    f.verdict === "no data"
      ? "not run yet"
      : f.verdict === "too few seeds"
        ? `n per side ${formatN(f)}`
        : f.verdict === "descriptive"
          ? `${f.sides.map((x) => formatSide(x, f.unit)).join(" vs ")} (a description of a fixed grid of cells, not a test)`
          : `${diff}${holm ? `, Holm p = ${holm}` : ""}${whollyAgainst(f) ? `; ${WHOLLY_AGAINST}` : ""}`;
  const suffix = f.source ? ` (${f.source})` : "";
  const claim = suffix && f.claim.endsWith(suffix) ? f.claim.slice(0, -suffix.length) : f.claim;
  return `  - ${claim} (${where}): ${numbers}`;
}

/** The runs, run time and code versions behind the findings, in one sentence. */
function evidenceSentence(data: ReportData, o: FindingsMarkdownOptions): string {
  // Runs of studies outside the plan (a budget ladder's) are counted apart, not against the plan.
  const inPlan = (c: { study: string }): boolean =>
    !o.studies || o.studies.some((st) => st.name === c.study);
  const all = studyCompute(data, o.preset);
  const compute = all.filter(inPlan);
  const extra = all.filter((c) => !inPlan(c) && c.finished > 0);
  const total = (cs: typeof all): [runs: number, hours: number] => [
    cs.reduce((a, c) => a + c.finished, 0),
    cs.reduce((a, c) => a + c.runSeconds, 0) / 3600,
  ];
  const [runs, hours] = total(compute);
  const [extraRuns, extraHours] = total(extra);
  const besides = extra.length
    ? `; besides them, ${extraRuns} runs of ${extra.map((c) => c.study).join(", ")} (${extraHours.toFixed(1)} h)`
    : "";
  const planned = (o.studies ?? []).reduce(
    (a, st) => a + planStudy(st, { preset: o.preset }).length,
    0,
  );
  const versions = [
    ...new Set(data.sections.filter((x) => x.preset === o.preset).flatMap((x) => x.codeVersions)),
  ].sort();
  const from =
    versions.length === 1
      ? `code version \`${versions[0]}\``
      : `${versions.length} code versions (${versions.map((v) => `\`${v}\``).join(", ")})`;
  const of = planned ? ` of the ${planned} planned` : "";
  return `Behind them: ${runs} finished runs${of}, ${hours.toFixed(1)} h of run time${besides}, from ${from}.`;
}

/**
 * The digest of a preset's findings (markdown, without markers): the same findings, verdicts and
 * Holm family as {@link findingsMarkdown} computes from `data`.
 */
export function findingsDigest(data: ReportData, o: FindingsMarkdownOptions): string {
  const all = tableFindings(data, o);
  const rows = all.flatMap((x) => x.findings.map((f) => ({ f, study: x.study })));
  const family = rows.filter((r) => r.f.pAdjusted !== undefined).length;
  const count = (v: Verdict): number => rows.filter((r) => r.f.verdict === v).length;
  const lines = [
    `At \`${o.preset}\`, ${rows.length} claims: **${VERDICTS.map((v) => `${count(v)} ${v}`).join(", ")}**. Each is tested one-sided in the paper's direction at alpha = ${ALPHA}, with ${familyRule(family)}; differences are in the paper's direction with their 95% CIs. ${evidenceSentence(data, o)}`,
    "",
  ];
  for (const v of VERDICTS) {
    const mine = rows.filter((r) => r.f.verdict === v);
    if (!mine.length) continue;
    lines.push(`- **${v} (${mine.length}):**`, ...mine.map((r) => claimLine(r.f, r.study)));
  }
  return lines.join("\n");
}

/** Where the preset's digest block sits in `readme`: its marker offsets, or the missing marker. */
function digestSpan(
  readme: string,
  preset: string,
): { start: number; end: number } | { missing: string } {
  const { begin, end } = digestMarkers(preset);
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a < 0) return { missing: `'${begin}'` };
  if (b < a) return { missing: `'${end}' after the begin marker` };
  return { start: a + begin.length, end: b };
}

/**
 * `readme` with the preset's digest block replaced by `digest`. Throws, naming `file` and the
 * missing marker, when the block is not there (the README must keep both markers).
 */
export function replaceDigest(
  readme: string,
  preset: string,
  digest: string,
  file: string,
): string {
  const span = digestSpan(readme, preset);
  if ("missing" in span)
    throw new Error(
      `${file}: expected the findings digest marker ${span.missing}; put both back around the results digest`,
    );
  // Blank lines around the block keep it as prettier formats markdown (the README is checked).
  return `${readme.slice(0, span.start)}\n\n${digest}\n\n${readme.slice(span.end)}`;
}

/** The digest block currently in `readme` (between the markers), or undefined when absent. */
export function currentDigest(readme: string, preset: string): string | undefined {
  const span = digestSpan(readme, preset);
  return "missing" in span ? undefined : readme.slice(span.start, span.end).trim();
}
