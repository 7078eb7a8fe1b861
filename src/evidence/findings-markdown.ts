/**
 * The findings table of a preset (results/<preset>/README.md), written from the tracked runs (or
 * the results archive): the verdict of every claim with n per side, the difference and its 95% CI,
 * raw and Holm-adjusted p; the budget ladders' trends where a ladder ran; how the budget was split; the before/after table against an earlier
 * findings table where one is kept; then code versions, compute and environment.
 */
import type { SeedResult } from "./claims";
import { latestFinished, type ReportData, type ReportRun } from "./runs";
import { beforeAfterMarkdown, beforeAfterRows } from "./before-after";
import type { EarlierTable } from "./earlier-table";
import {
  formatDifference,
  formatN,
  formatPs,
  formatTest,
  WHOLLY_AGAINST,
  whollyAgainst,
  type Finding,
} from "./finding";
import { ALPHA, familyRule, VERDICTS } from "../stats/verdict";
import { FIDELITY_BOOTSTRAP_SEED, FIDELITY_RESAMPLES, tableFidelity } from "./fidelity";
import { studyCells } from "../grid/study-grid";
import type { Study } from "./study";
import { describeCpu, type CpuRecord } from "../track/cpu";
import { baselineSentence } from "./baseline";
import { budgetFacts, budgetRationale, seedsPerCell } from "./budget";
import { conclusionOf } from "./conclusion-text";
import { reportFindings } from "./summary";
import { ladderMarkdown, presetTrends, trendCell } from "./ladder-report";
import { DEVIATIONS_INTRO, PROTOCOL_TITLE, protocolLines, SEARCHES_INTRO } from "./protocol-text";
import { countOf } from "./plural";

/** A notebook execution as `npm run reproduce` records it (results/<preset>/runs.json). */
export interface NotebookRecord {
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
  records?: readonly NotebookRecord[];
  /** An earlier findings table to compare verdicts with (results/<preset>/before.json). */
  before?: EarlierTable;
}

/** Compute behind one study at one preset, from its tracked runs (whichever session ran them). */
export interface StudyCompute {
  study: string;
  /** Finished runs behind the results (the latest of each cell and seed). */
  finished: number;
  failed: number;
  /** Sum of the finished runs' durations (MLflow start to end), seconds. */
  runSeconds: number;
  /**
   * Core-seconds: each finished run's duration times the TensorFlow threads it recorded
   * (`env.threads`), summed. Runs side by side on one thread each sum to more run time than the
   * machine spent, so this, not `runSeconds`, says how much of a machine the evidence took.
   */
  coreSeconds: number;
  /** Finished runs that record no thread count, left out of `coreSeconds`. */
  noThreads: number;
}

/** A finished run's duration in seconds (0 while it has no end time). */
function runDuration(r: ReportRun): number {
  return r.endTime !== undefined ? (r.endTime - r.startTime) / 1000 : 0;
}

/** The TensorFlow threads a run recorded (`env.threads`), or undefined where it recorded none. */
function runThreads(params: Record<string, string>): number | undefined {
  const n = Number(params["env.threads"]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
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
      const c = { runSeconds: 0, coreSeconds: 0, noThreads: 0 };
      for (const r of done) {
        const threads = runThreads(r.params);
        c.runSeconds += runDuration(r);
        if (threads === undefined) c.noThreads++;
        else c.coreSeconds += runDuration(r) * threads;
      }
      return {
        study: x.experiment,
        finished: done.length,
        failed: x.runs.filter((r) => r.status === "FAILED").length,
        ...c,
      };
    });
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
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
  const base = r?.computed?.(results) ?? r?.claims?.[f.id]?.(budget) ?? r?.study(budget) ?? "";
  if (f.verdict === "inconclusive")
    return `the difference is not significant after Holm's adjustment; ${base}`;
  if (f.verdict === "too few seeds")
    return `a side has fewer than 2 seeds, so there is no spread to test against; ${base}`;
  if (f.verdict === "descriptive") return `shown as a description only; ${base}`;
  return base;
}

/** The findings of a preset's table, by study (see {@link tableFindings}). */
export type TableFindings = ReturnType<typeof reportFindings>;

/** The size of a table's Holm family: its tested claims (those with a Holm-adjusted p). */
export function testedFamily(all: TableFindings): number {
  return all.flatMap((x) => x.findings).filter((f) => f.pAdjusted !== undefined).length;
}

function studyOf(data: ReportData, o: FindingsMarkdownOptions, name: string): Study | undefined {
  return (
    data.sections.find((x) => x.study.name === name)?.study ??
    o.studies?.find((x) => x.name === name)
  );
}

/**
 * Every claim of the preset, decided as one Holm family: the studies with runs, and a "no data"
 * row for each claim of a study in `o.studies` without runs.
 */
export function tableFindings(data: ReportData, o: FindingsMarkdownOptions): TableFindings {
  const covered = new Set(
    data.sections.filter((x) => x.preset === o.preset).map((x) => x.study.name),
  );
  const notRun = (o.studies ?? []).filter((st) => !covered.has(st.name));
  return reportFindings(
    { ...data, sections: data.sections.filter((x) => x.preset === o.preset) },
    notRun.map((study) => ({ study, preset: o.preset })),
  );
}

function verdictTable(data: ReportData, o: FindingsMarkdownOptions, all: TableFindings): string[] {
  const family = testedFamily(all);
  const verdicts = all.flatMap((x) => x.findings.map((f) => f.verdict));
  // a laddered claim's trend stands beside its verdict at the study budget
  const trends = new Map(
    presetTrends(data, o.preset).map((t) => [`${t.study}/${t.plan.claim}`, t]),
  );
  const lines = [
    `Summary: ${VERDICTS.map((v) => `${verdicts.filter((x) => x === v).length} ${v}`).join(", ")} (of ${verdicts.length} claims).`,
    "",
    `Each claim is tested one-sided in the paper's direction at alpha = ${ALPHA}, with ${familyRule(family)} in this table. A claim whose 95% interval lies wholly below 0 says so whatever Holm decides.`,
    "",
    "| paper's claim | study | this run | n per side | difference [95% CI] | p (one-sided) | Holm p | evidence (mean ± std over seeds) | most likely reason if not reproduced |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const x of all) {
    const study = studyOf(data, o, x.study);
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
      const ps = formatPs(f);
      const trend = trends.get(`${x.study}/${f.id}`);
      lines.push(
        `| ${mdEscape(f.claim)} | ${x.study} | **${f.verdict}**${whollyAgainst(f) ? ` (${WHOLLY_AGAINST})` : ""}${trend ? `; ${mdEscape(trendCell(trend))}` : ""} | ${formatN(f)} | ${formatDifference(f)} | ${ps.p} | ${ps.holm} | ${mdEscape(ran ? test + f.evidence : `no runs at \`${o.preset}\``)} | ${mdEscape(reason)} |`,
      );
    }
  }
  if (all.length === 0) lines.push("| (no study has runs at this preset yet) | | | | | | | | |");
  lines.push(
    "",
    `Verdicts: *agrees* when the claim's one-sided p, Holm-adjusted in one family with both directions of every tested claim of the table, is at most ${ALPHA}; *disagrees* when the reverse one-sided p passes in the same family; *inconclusive* otherwise; *too few seeds* when a side has fewer than 2 seeds (no spread to test against); *descriptive* for numbers shown without a test, outside the family; *no data* when a side has no runs.${trends.size ? ` A laddered claim's verdict is the one at the study budget; beside it, its budget ladder's slope per tenfold budget with its 95% CI ("Budget ladders" below).` : ""} The seed is the unit and every comparison keeps the runs of one CPU model (the evidence names any runs left out). Tests: a paired t over seeds where the two cells share initialisation and data order for a seed (same encoder, data and batch size), else Welch's t with Welch-Satterthwaite df; h against g(h) paired over seeds (each seed the mean of its runs); an interaction as a t on the per-seed contrasts of its four cells (Welch-Satterthwaite over the cells only where they share fewer than 2 seeds); the strongest pair of Figure 5, crop & color in either order, against every other unordered pair in an intersection-union test (it agrees only when it beats every one). Intervals are two-sided 95% t intervals of the difference, positive in the paper's direction (points for accuracies).`,
    "",
  );
  return lines;
}

/** Each study's own conclusion text, from the findings as this table decided them. */
function conclusionSection(
  data: ReportData,
  o: FindingsMarkdownOptions,
  all: TableFindings,
): string[] {
  const lines: string[] = [];
  for (const x of all) {
    const st = studyOf(data, o, x.study);
    const said = st ? conclusionOf(st)?.(x.findings, budgetFacts(st, o.preset)) : undefined;
    const labels = st ? studyCells(st, o.preset).map((c) => c.label ?? "") : [];
    const base = baselineSentence(x.results, labels);
    if (said || base) lines.push(`- **${x.study}.** ${[said, base].filter(Boolean).join(" ")}`);
  }
  return lines.length ? ["## What each study shows", "", ...lines, ""] : [];
}

/**
 * The fidelity score of every paper table the preset's studies reproduce: Spearman's rho of the
 * cell means with the paper's numbers and its bootstrap interval over seeds (src/evidence/fidelity.ts).
 */
function fidelitySection(data: ReportData, o: FindingsMarkdownOptions): string[] {
  const rows = tableFidelity(data, o.preset);
  if (!rows.length) return [];
  const num = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : "-");
  return [
    "## Fidelity to the paper's tables",
    "",
    `Spearman's rank correlation between the study's cell means and the numbers the paper prints for the same cells (ties by average rank), with a 95% percentile bootstrap interval over seeds: ${FIDELITY_RESAMPLES} resamples of the seeds with replacement, bootstrap seed ${FIDELITY_BOOTSTRAP_SEED}; each resample recomputes the cell means and rho. With 4 to 8 cells rho takes few distinct values, so the interval is coarse and can end at the estimate itself. It describes how far this run ranks the cells as the paper does; nothing is tuned to raise it.`,
    "",
    "| paper table | study | Spearman rho | 95% bootstrap interval | cells | seeds | matched as |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      ({ study, f }) =>
        `| ${f.table} | ${study} | ${num(f.rho)} | ${f.ci ? `[${num(f.ci[0])}, ${num(f.ci[1])}]` : "-"} | ${f.cells} of ${f.of} | ${f.seeds} | ${mdEscape(f.note ?? "the same cells")} |`,
    ),
    "",
  ];
}

/** The protocol section (src/evidence/protocol-text.ts): searches, then deviations. */
function protocolSection(data: ReportData, o: FindingsMarkdownOptions): string[] {
  const { searches, deviations } = protocolLines(data, o.preset, o.studies);
  if (!searches.length && !deviations.length) return [];
  return [
    `## ${PROTOCOL_TITLE}`,
    "",
    ...(searches.length ? [SEARCHES_INTRO, "", ...searches, ""] : []),
    ...(deviations.length ? [DEVIATIONS_INTRO, "", ...deviations, ""] : []),
  ];
}

/** How the budget was split: the rationale, then per study its budget, seeds and runs. */
function budgetSection(data: ReportData, o: FindingsMarkdownOptions, claims: number): string[] {
  const studies =
    o.studies ?? data.sections.filter((x) => x.preset === o.preset).map((x) => x.study);
  if (!studies.length) return [];
  const compute = new Map(studyCompute(data, o.preset).map((c) => [c.study, c]));
  const lines = ["## How the budget was split", ""];
  const why = budgetRationale(o.preset, claims);
  if (why) lines.push(why, "");
  lines.push(
    "| study | budget per cell | cells | seeds per cell | runs planned | runs finished | run time |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const st of studies) {
    const seeds = [...seedsPerCell(st, o.preset).values()];
    const counts = [...new Set(seeds)].sort((a, b) => b - a);
    const split = counts
      .map((k) => `${k} (${seeds.filter((x) => x === k).length} cells)`)
      .join(", ");
    const c = compute.get(st.name);
    lines.push(
      // the budget as the study's runs ran it where it has runs (their evaluation may predate today's)
      `| ${st.name} | ${budgetFacts(studyOf(data, o, st.name) ?? st, o.preset).text} | ${seeds.length} | ${split} | ${seeds.reduce((a, b) => a + b, 0)} | ${c?.finished ?? 0} | ${c ? `${(c.runSeconds / 60).toFixed(1)} min` : "-"} |`,
    );
  }
  lines.push("");
  return lines;
}

function beforeAfterSection(
  o: FindingsMarkdownOptions,
  all: TableFindings,
  data: ReportData,
): string[] {
  if (!o.before) return [];
  const findings = all.flatMap((x) => {
    const st = studyOf(data, o, x.study);
    const budget = st ? budgetFacts(st, o.preset).text : "";
    return x.findings.map((finding) => ({ study: x.study, finding, budget }));
  });
  const rows = beforeAfterRows(o.before, findings);
  return [beforeAfterMarkdown(o.before, rows, tableFidelity(data, o.preset))];
}

/**
 * Whether the runs behind the findings came from clean trees: the git commits they were started
 * from (simclr.git_commit), and every run started from a tree with uncommitted changes, by name.
 */
function treeLines(sections: ReportData["sections"]): string[] {
  const runs = sections.flatMap((x) => latestFinished(x.runs));
  const commits = runs.map((r) => r.tags["simclr.git_commit"]).filter((c) => c !== undefined);
  if (!commits.length) return ["Git trees: the runs record no commit."];
  const dirty = runs.filter((r) => r.tags["simclr.git_commit"]?.endsWith("-dirty"));
  const unknown = runs.length - commits.length;
  const short = [...new Set(commits.map((c) => c.replace(/-dirty$/, "").slice(0, 7)))];
  return [
    dirty.length
      ? `**Git trees: ${dirty.length} of ${runs.length} runs started from a tree with uncommitted changes (-dirty): ${dirty.map((r) => r.runName).join(", ")}.**`
      : `Git trees: all ${commits.length} runs that record a commit started from a clean tree (commits ${short.join(", ")})${unknown ? `; ${unknown} record none` : ""}.`,
  ];
}

function codeVersionLines(data: ReportData, preset: string): string[] {
  const versions = data.sections.filter((x) => x.preset === preset);
  if (!versions.length) return [];
  const lines = [
    "Code versions (simclr.code_version: a hash of the sources that affect training):",
    "",
  ];
  for (const x of versions)
    lines.push(
      x.codeVersions.length > 1
        ? `- **${x.study.name}: runs from ${x.codeVersions.length} code versions (${x.codeVersions.join(", ")}): the evidence mixes code versions.**`
        : `- ${x.study.name}: ${x.codeVersions[0] ?? "no runs"}`,
    );
  lines.push("", ...treeLines(versions));
  const missing = (data as ReportData & { missingExperiments?: string[] }).missingExperiments ?? [];
  if (missing.length) lines.push("", `Not run yet: ${missing.join(", ")}.`);
  lines.push("");
  return lines;
}

function environmentLines(records: readonly NotebookRecord[] | undefined): string[] {
  const last = records?.[records.length - 1];
  if (!last) return [];
  const lines = [
    `Backend: ${last.backend} on ${last.device}${/thread/.test(last.device) ? "" : ` (${last.threads} threads)`}${last.onednn === undefined ? "" : `, oneDNN ${last.onednn ? "on" : "off"}`}. Hardware: ${JSON.stringify(last.hardware)}.`,
    `Versions: ${Object.entries(last.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    "",
    "| notebook | status | wall time (last execution) |",
    "| --- | --- | --- |",
  ];
  const latest = new Map<string, NotebookRecord>();
  for (const r of records ?? []) latest.set(r.notebook, r);
  for (const r of [...latest.values()].sort((a, b) => a.notebook.localeCompare(b.notebook)))
    lines.push(
      `| [${r.notebook}](${r.notebook}.ipynb) | ${r.ok ? "ok" : r.interrupted ? `interrupted (${r.interrupted})` : "failed"} | ${(r.wall_s / 60).toFixed(1)} min |`,
    );
  lines.push(
    "",
    "Wall time is that of each notebook's last execution; one executed again after its sweep finished reuses the tracked runs and takes seconds. The compute behind each study is summed from its runs below.",
    "",
  );
  return lines;
}

function computeLines(data: ReportData, preset: string): string[] {
  const compute = studyCompute(data, preset);
  if (!compute.length) return [];
  const lines = [
    "| study | finished runs | failed runs | run time (sum over runs) | per run | core time (run time x threads) |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const c of compute)
    lines.push(
      `| ${c.study} | ${c.finished} | ${c.failed} | ${(c.runSeconds / 60).toFixed(1)} min | ${c.finished ? (c.runSeconds / c.finished).toFixed(0) : "-"} s | ${coreCell(c.coreSeconds / 3600, c.noThreads)} |`,
    );
  if (compute.length > 1) {
    const sum = (f: (c: StudyCompute) => number): number => compute.reduce((a, c) => a + f(c), 0);
    const runs = sum((c) => c.finished);
    const seconds = sum((c) => c.runSeconds);
    lines.push(
      `| **all studies** | ${runs} | ${sum((c) => c.failed)} | ${(seconds / 3600).toFixed(1)} h | ${runs ? (seconds / runs).toFixed(0) : "-"} s | ${coreCell(
        sum((c) => c.coreSeconds) / 3600,
        sum((c) => c.noThreads),
      )} |`,
    );
  }
  lines.push(
    "",
    "Run time sums each run from start to end; runs that trained side by side (a ladder's two 1-thread cells at a time) count once each, so it can exceed the machine's wall time. Core time weighs each run by the TensorFlow threads it recorded (`env.threads`), the cores it was given, so it adds up across runs that shared a machine.",
    "",
  );
  return lines;
}

/** A core-time cell: core-hours, with the runs that recorded no thread count named. */
function coreCell(hours: number, noThreads: number): string {
  return `${hours.toFixed(1)} core-h${noThreads ? ` (${countOf(noThreads, "run")} without a thread count left out)` : ""}`;
}

/**
 * The CPU a run trained on, from the `env.*` params pretraining logs (its {@link CpuRecord}), as
 * {@link describeCpu} words it; "not recorded" for runs from before those params existed.
 */
function runCpu(params: Record<string, string>): string {
  const p = (k: keyof CpuRecord): string | undefined => params[`env.${k}`];
  const model = p("cpu_model");
  if (model === undefined) return "not recorded";
  return describeCpu({
    cpu_model: model,
    cpu_id: p("cpu_id") ?? "?",
    cpu_isa: p("cpu_isa") ?? "?",
    onednn: p("onednn") === "true",
    threads: runThreads(params) ?? NaN,
  });
}

/**
 * Which CPUs trained the runs behind the findings, with run counts per study: a resumed
 * reproduction can span machines, and its run times compare only within one CPU.
 */
function cpuLines(data: ReportData, preset: string): string[] {
  const byCpu = new Map<string, Map<string, number>>();
  for (const x of data.sections.filter((s) => s.preset === preset))
    for (const r of latestFinished(x.runs)) {
      const cpu = runCpu(r.params);
      const studies = byCpu.get(cpu) ?? new Map<string, number>();
      studies.set(x.experiment, (studies.get(x.experiment) ?? 0) + 1);
      byCpu.set(cpu, studies);
    }
  if (!byCpu.size) return [];
  const lines = ["CPUs behind the runs (a study's run times compare only within one CPU):", ""];
  for (const [cpu, studies] of byCpu) {
    const total = [...studies.values()].reduce((a, n) => a + n, 0);
    const each = [...studies].map(([study, n]) => `${study} ${n}`).join(", ");
    lines.push(`- ${cpu}: ${countOf(total, "run")} (${each})`);
  }
  lines.push("");
  return lines;
}

/** The findings table (results/<preset>/README.md), written from the tracked runs. */
export function findingsMarkdown(data: ReportData, o: FindingsMarkdownOptions): string {
  const all = tableFindings(data, o);
  return [
    `# SimCLR findings at the \`${o.preset}\` preset`,
    "",
    `Written by \`npm run reproduce\` from the runs on ${data.trackingUri} (${data.generatedAt}).`,
    "",
    ...(o.records?.length && o.reportFile
      ? [`The shareable report: [${o.reportFile}](${o.reportFile}).`, ""]
      : []),
    ...verdictTable(data, o, all),
    ...conclusionSection(data, o, all),
    ...fidelitySection(data, o),
    ...ladderMarkdown(data, o.preset),
    ...protocolSection(data, o),
    // the design's family: every claim but those shown as descriptions or left untested for seeds
    ...budgetSection(
      data,
      o,
      all.reduce(
        (a, x) =>
          a +
          x.findings.filter((f) => f.verdict !== "descriptive" && f.verdict !== "too few seeds")
            .length,
        0,
      ),
    ),
    ...beforeAfterSection(o, all, data),
    ...codeVersionLines(data, o.preset),
    "## Compute and environment",
    "",
    ...environmentLines(o.records),
    ...computeLines(data, o.preset),
    ...cpuLines(data, o.preset),
  ].join("\n");
}
