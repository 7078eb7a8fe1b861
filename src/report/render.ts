/**
 * Renders report data as one self-contained offline HTML page: plotly.js inlined once in the head,
 * then per study the paper's claims with verdicts and evidence, the plots, a results table with mean
 * and spread over seeds, the configs, and the runs. Every user-supplied string is escaped.
 */
import { version } from "../version";
import { lineChart, summarize, type Figure } from "../plot/figures";
import { escapeHtml, figureHtml, plotlyScriptTag, plotlyVersion } from "../plot/html";
import { studyFigure } from "../plot/study";
import { studyCells } from "../sweep/study";
import type { ReportData, ReportSection } from "./collect";

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
.inconclusive{background:#fff3cd;color:#856404}.no-data{background:#e2e3e5;color:#383d41}
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

function sectionHtml(s: ReportSection, ids: FigureIds): string {
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
  // claims
  if (s.verdicts.length) {
    out.push("<h3>Does this run agree with the paper?</h3>");
    out.push(
      table(
        ["claim", "verdict", "evidence", "better", "worse", "source"],
        s.verdicts.map((v) => [
          escapeHtml(v.claim),
          `<span class="badge ${v.verdict.replace(" ", "-")}">${escapeHtml(v.verdict)}</span>`,
          escapeHtml(v.evidence),
          escapeHtml(v.better.cells.join("; ")),
          escapeHtml(v.worse.cells.join("; ")),
          escapeHtml(v.source ?? ""),
        ]),
      ),
    );
  }
  // plots
  out.push("<h3>Results</h3>");
  if (s.results.length === 0) out.push("<p>No finished runs yet.</p>");
  for (const m of study.metrics) {
    if (s.results.some((r) => typeof r.metrics[m] === "number"))
      out.push(figureBlock(studyFigure(study, s.results, m, s.preset), ids));
  }
  // results table: mean ± std over seeds per cell
  const labels = studyCells(study, s.preset).map((c) => c.label ?? "");
  const rows = labels.map((label) => {
    const mine = s.results.filter((r) => r.label === label);
    const cells = [escapeHtml(label), String(mine.length)];
    for (const m of study.metrics) {
      const st = summarize(
        mine.map((r) => r.metrics[m]).filter((v): v is number => typeof v === "number"),
      );
      cells.push(st.n ? `${fmt(st.mean)} ± ${fmt(st.std)}` : "");
    }
    return cells;
  });
  out.push(
    table(["cell", "seeds", ...study.metrics.map((m) => `${m} (mean ± std)`)], rows, [
      false,
      true,
      ...study.metrics.map(() => true),
    ]),
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
          title: `${study.name}: ${metric} ${timeAxis ? "against time" : "during training"}`,
          series,
          xTitle: timeAxis ? "seconds since start" : "step",
          yTitle: metric,
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
<h2>Environment</h2>
${envHtml}
${table(
  ["component", "version"],
  versions.map(([k, v]) => [escapeHtml(k), escapeHtml(v)]),
)}
<h2>Studies</h2>
${toc ? `<ul>${toc}</ul>` : "<p>No studies found in these experiments.</p>"}
${data.missingExperiments.length ? `<p class="meta">not run yet (no such experiment): ${escapeHtml(data.missingExperiments.join(", "))}</p>` : ""}
${data.sections.map((s) => sectionHtml(s, ids)).join("\n")}
</main>
</body>
</html>
`;
}
