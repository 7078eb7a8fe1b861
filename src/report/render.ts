/**
 * Renders report data as one self-contained offline HTML page: plotly.js inlined once in the head,
 * the findings summary first (every claim with n per side, the difference and its 95% CI, raw and
 * Holm-adjusted p and the verdict, decided across all claims of a preset), then per study its
 * findings, the plots (95% CI error bars), a results table with mean, CI and the gain over the
 * random-init encoder, the code versions, the configs and the runs; environment and versions
 * last. Every user-supplied string is escaped.
 */
import { version } from "../version";
import { lineChart, summarize, type Figure } from "../plot/figures";
import { escapeHtml, figureHtml, plotlyScriptTag, plotlyVersion } from "../plot/html";
import { studyFigure } from "../plot/study";
import { ladderTrends } from "../evidence/ladder-trend";
import { ladderSentence, trendFigure } from "../evidence/ladder-report";
import { metricWords } from "../plot/metrics";
import { baselineSentence, cellGain, hMetric, RANDOM_INIT_METRIC } from "../evidence/baseline";
import { budgetFacts } from "../evidence/budget";
import { conclusionOf } from "../evidence/conclusion-text";
import { reportFindings, type SectionFindings } from "../evidence/summary";
import { studyCells } from "../grid/study-grid";
import type { ReportData, ReportSection } from "../evidence/runs";
import { familyRule } from "../stats/verdict";
import { fidelitySentence, studyFidelity } from "../evidence/fidelity";
import { protocolHtml } from "./protocol-html";
import {
  formatDifference,
  formatEvidence,
  formatN,
  formatPs,
  type Finding,
} from "../evidence/finding";
import { meanInterval } from "../plot/figures";

/** Options for {@link renderReport}. */
export interface RenderOptions {
  /** Inline plotly.js (false only for tests that check the markup). */
  inlinePlotly: boolean;
}

const CSS = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2327;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px} h2{margin-top:40px;border-bottom:2px solid #ddd;padding-bottom:4px} h3{margin-top:24px}
.meta{color:#555;font-size:.9em}
.warning{background:#fff4e5;border-left:4px solid #e8a33d;padding:4px 8px}
table{border-collapse:collapse;margin:8px 0;font-size:.9em;background:#fff}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:.85em}
.agrees{background:#d4edda;color:#155724}.disagrees{background:#f8d7da;color:#721c24}
.inconclusive{background:#fff3cd;color:#856404}.no-data,.too-few-seeds{background:#e2e3e5;color:#383d41}
.warn{color:#721c24}
.figure{background:#fff;border:1px solid #e5e5e5;margin:12px 0;padding:4px}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:.85em}
details{margin:8px 0} summary{cursor:pointer}
`;

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? "" : v.toFixed(digits);
}

function table(headers: string[], rows: string[][], numeric: boolean[] = []): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<table>\n${head}\n${body}\n</table>`;
}

class FigureIds {
  private n = 0;
  next(): string {
    return `fig-${++this.n}`;
  }
}

function figureBlock(fig: Figure, ids: FigureIds): string {
  return `<div class="figure">${figureHtml(fig, { id: ids.next(), height: 440 })}</div>`;
}

function badge(f: Finding): string {
  return `<span class="badge ${f.verdict.replace(/ /g, "-")}">${escapeHtml(f.verdict)}</span>`;
}

/** Findings with n per side, the difference and its 95% CI, raw and adjusted p and the verdict. */
function findingsTable(findings: readonly Finding[], study?: string): string {
  const head = [
    "claim",
    ...(study !== undefined ? ["study"] : []),
    "verdict",
    "n per side",
    "difference [95% CI]",
    "p (one-sided)",
    "Holm p",
    "evidence",
  ];
  return table(
    head,
    findings.map((f) => {
      const ps = formatPs(f);
      return [
        escapeHtml(f.claim),
        ...(study !== undefined
          ? [escapeHtml((f as Finding & { study?: string }).study ?? "")]
          : []),
        badge(f),
        escapeHtml(formatN(f)),
        escapeHtml(formatDifference(f)),
        escapeHtml(ps.p),
        escapeHtml(ps.holm),
        escapeHtml(formatEvidence(f)),
      ];
    }),
  );
}

/** The report's opening: every finding, decided across all claims of its preset. */
function summaryHtml(all: readonly SectionFindings[]): string {
  const out: string[] = [];
  for (const preset of new Set(all.map((x) => x.preset))) {
    const rows = all
      .filter((x) => x.preset === preset)
      .flatMap((x) => x.findings.map((f) => ({ ...f, study: x.study })));
    const agree = rows.filter((f) => f.verdict === "agrees").length;
    const family = rows.filter((f) => f.pAdjusted !== undefined).length;
    out.push(
      `<p><b>${agree} of ${rows.length}</b> findings agree with the paper at preset ${escapeHtml(preset)}: each claim tested one-sided in the paper's direction at alpha = 0.05, ${escapeHtml(familyRule(family))}.</p>`,
      findingsTable(rows, ""),
    );
  }
  return out.join("\n");
}

/**
 * A ladder study's trends (issue 24): per laddered claim, its figure (the paired difference
 * against log budget) and the effect per rung and the slope in words.
 */
function ladderBlocks(s: ReportSection, ids: FigureIds): string[] {
  const trends = s.results.length ? ladderTrends(s.study, s.results, s.preset) : [];
  if (!trends.length) return [];
  return [
    "<h3>Budget ladder: the effect against the budget</h3>",
    ...trends.flatMap((t) => [
      figureBlock(trendFigure(t), ids),
      `<p class="ladder">${escapeHtml(ladderSentence(t))}</p>`,
    ]),
  ];
}

function sectionHtml(s: ReportSection, findings: readonly Finding[], ids: FigureIds): string {
  const out: string[] = [];
  const study = s.study;
  out.push(
    `<h2 id="${escapeHtml(`${study.name}-${s.preset}`)}">${escapeHtml(study.name)} <span class="meta">(preset ${escapeHtml(s.preset)}, experiment ${escapeHtml(s.experiment)})</span></h2>`,
  );
  out.push(`<p>${escapeHtml(study.description)}</p>`);
  if (s.parent)
    out.push(
      `<p class="meta">sweep run ${escapeHtml(s.parent.runId)}: ${escapeHtml(s.parent.status)}</p>`,
    );
  for (const note of s.pluginNotes ?? [])
    out.push(`<p class="warning plugin-note">${escapeHtml(note)}</p>`);
  if (s.codeVersions.length > 1)
    out.push(
      `<p class="warn">The runs behind these results come from ${s.codeVersions.length} code versions (${escapeHtml(s.codeVersions.join(", "))}): the evidence mixes code versions.</p>`,
    );
  else if (s.codeVersions.length === 1)
    out.push(`<p class="meta">code version ${escapeHtml(s.codeVersions[0] ?? "")}</p>`);
  if (findings.length) {
    out.push("<h3>Does this run agree with the paper?</h3>");
    const said = conclusionOf(study)?.(findings, budgetFacts(study, s.preset));
    if (said) out.push(`<p class="conclusion">${escapeHtml(said)}</p>`);
    const base = baselineSentence(
      s.results,
      studyCells(study, s.preset).map((c) => c.label ?? ""),
    );
    if (base) out.push(`<p class="conclusion">${escapeHtml(base)}</p>`);
    const fidelity = fidelitySentence(studyFidelity(study, s.results));
    if (fidelity) out.push(`<p class="conclusion fidelity">${escapeHtml(fidelity)}</p>`);
    out.push(findingsTable(findings));
  }
  // plots
  out.push("<h3>Results</h3>");
  if (s.results.length === 0) out.push("<p>No finished runs yet.</p>");
  for (const m of study.metrics) {
    if (s.results.some((r) => typeof r.metrics[m] === "number"))
      out.push(figureBlock(studyFigure(study, s.results, m, s.preset), ids));
  }
  out.push(...ladderBlocks(s, ids));
  // results table: mean ± std over seeds per cell
  const labels = studyCells(study, s.preset).map((c) => c.label ?? "");
  const withBaseline = s.results.some((r) => Number.isFinite(r.metrics[RANDOM_INIT_METRIC]));
  const rows = labels.map((label) => {
    const mine = s.results.filter((r) => r.label === label);
    const cells = [escapeHtml(label), String(mine.length)];
    const values = (m: string): number[] =>
      mine.map((r) => r.metrics[m]).filter((v): v is number => Number.isFinite(v));
    for (const m of study.metrics) {
      const st = summarize(values(m));
      const ci = meanInterval(values(m));
      cells.push(
        st.n
          ? `${fmt(st.mean)} ± ${fmt(st.std)}${ci ? ` [${fmt(ci[0])}, ${fmt(ci[1])}]` : ""}`
          : "",
      );
    }
    if (withBaseline) {
      // The gain over the same encoder with its random initial weights, seed by seed.
      const g = cellGain(mine, hMetric(s.results));
      cells.push(
        escapeHtml(fmt(summarize(values(RANDOM_INIT_METRIC)).mean)),
        g.n
          ? `${g.mean >= 0 ? "+" : ""}${fmt(g.mean)}${g.ci ? ` [${fmt(g.ci[0])}, ${fmt(g.ci[1])}]` : ""}`
          : "",
      );
    }
    return cells;
  });
  const headers = [
    "cell",
    "seeds",
    ...study.metrics.map((m) => `${m} (mean ± std [95% CI])`),
    ...(withBaseline
      ? ["random-init encoder (h)", `${hMetric(s.results)} gain over random init [95% CI]`]
      : []),
  ];
  out.push(
    table(
      headers,
      rows,
      headers.map((_, i) => i > 0),
    ),
  );
  // curves
  const byMetric = new Map<string, typeof s.curves>();
  for (const c of s.curves) byMetric.set(c.metric, [...(byMetric.get(c.metric) ?? []), c]);
  for (const [metric, curves] of byMetric) {
    const timeAxis = !/loss/.test(metric);
    const series = curves.map((c) => {
      const t0 = c.points[0]?.timestamp ?? 0;
      return {
        name: `${c.label} (seed ${c.seed})`,
        x: c.points.map((p) => (timeAxis ? (p.timestamp - t0) / 1000 : p.step)),
        y: c.points.map((p) => p.value),
      };
    });
    out.push(
      figureBlock(
        lineChart({
          title: `${study.name}: ${metricWords(metric)} ${timeAxis ? "against time" : "during training"}`,
          series,
          xTitle: timeAxis ? "seconds since start" : "training step",
          yTitle: metricWords(metric),
        }),
        ids,
      ),
    );
  }
  // configs
  const finished = s.runs.filter((r) => r.status === "FINISHED");
  if (finished.length) {
    const keys = [...new Set(finished.flatMap((r) => Object.keys(r.params)))].sort();
    const varying = keys.filter(
      (k) => new Set(finished.map((r) => r.params[k])).size > 1 && k !== "seed",
    );
    out.push("<h3>Configs</h3>");
    if (varying.length) {
      const seen = new Set<string>();
      const rowsCfg: string[][] = [];
      for (const r of finished) {
        const key = JSON.stringify(varying.map((k) => r.params[k] ?? ""));
        if (seen.has(`${r.label}${key}`)) continue;
        seen.add(`${r.label}${key}`);
        rowsCfg.push([escapeHtml(r.label), ...varying.map((k) => escapeHtml(r.params[k] ?? ""))]);
      }
      out.push(table(["cell", ...varying], rowsCfg));
    }
    const first = finished[0];
    const common = keys.filter((k) => !varying.includes(k));
    out.push(
      `<details><summary>${common.length} params shared by all runs</summary>` +
        table(
          ["param", "value"],
          common.map((k) => [escapeHtml(k), `<pre>${escapeHtml(first.params[k] ?? "")}</pre>`]),
        ) +
        "</details>",
    );
  }
  // runs
  out.push(
    `<details><summary>${s.runs.length} runs</summary>` +
      table(
        ["run", "cell", "seed", "status", "seconds", "run id", "note"],
        s.runs.map((r) => [
          escapeHtml(r.runName),
          escapeHtml(r.label),
          String(r.seed),
          escapeHtml(r.status),
          r.endTime ? ((r.endTime - r.startTime) / 1000).toFixed(1) : "",
          `<code>${escapeHtml(r.runId)}</code>`,
          r.note ? `<pre>${escapeHtml(r.note)}</pre>` : "",
        ]),
        [false, false, true, false, true, false, false],
      ) +
      "</details>",
  );
  return out.join("\n");
}

/** The report as an HTML page (self-contained: no network requests when opened from disk). */
export function renderReport(data: ReportData, options: Partial<RenderOptions> = {}): string {
  const o: RenderOptions = { inlinePlotly: true, ...options };
  const ids = new FigureIds();
  const all = reportFindings(data);
  const findingsOf = (sec: ReportSection): Finding[] =>
    all.find((x) => x.study === sec.study.name && x.preset === sec.preset)?.findings ?? [];
  const versions: [string, string][] = [
    ["simclr-workbook", version],
    ["plotly.js", plotlyVersion()],
    ["MLflow server", data.mlflowVersion ?? "unknown"],
    ["report generated with Node", process.version],
  ];
  const envHtml = data.environments.length
    ? table(
        [...new Set(data.environments.flatMap((e) => Object.keys(e)))],
        data.environments.map((e) =>
          [...new Set(data.environments.flatMap((x) => Object.keys(x)))].map((k) =>
            escapeHtml(e[k] ?? ""),
          ),
        ),
      )
    : "<p>The runs recorded no environment tags.</p>";
  const toc = data.sections
    .map(
      (s) =>
        `<li><a href="#${escapeHtml(`${s.study.name}-${s.preset}`)}">${escapeHtml(s.study.name)} (${escapeHtml(s.preset)})</a></li>`,
    )
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${CSS}</style>
${o.inlinePlotly ? plotlyScriptTag() : "<!-- plotly.js not inlined -->"}
</head>
<body>
<main>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">generated ${escapeHtml(data.generatedAt)} from ${escapeHtml(data.trackingUri)}</p>
<h2>Findings</h2>
${all.length ? summaryHtml(all) : "<p>No study runs found.</p>"}
${protocolHtml(data)}
<h2>Studies</h2>
${toc ? `<ul>${toc}</ul>` : "<p>No studies found in these experiments.</p>"}
${data.missingExperiments.length ? `<p class="meta">not run yet (no such experiment): ${escapeHtml(data.missingExperiments.join(", "))}</p>` : ""}
${data.sections.map((s) => sectionHtml(s, findingsOf(s), ids)).join("\n")}
<h2>Environment</h2>
${envHtml}
${table(
  ["component", "version"],
  versions.map(([k, v]) => [escapeHtml(k), escapeHtml(v)]),
)}
</main>
</body>
</html>
`;
}
