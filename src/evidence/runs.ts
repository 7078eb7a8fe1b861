/**
 * The runs behind the evidence, as a report and a findings table read them: per study and preset,
 * the child runs, their per-seed results and claim verdicts, training curves and the code versions
 * behind them. Gathered from MLflow by src/report/collect.ts or from a results archive by
 * src/evidence/archive.ts; read by the findings table, digest and summary here.
 */
import type { ClaimVerdict } from "./claims";
import type { SeedResult, Study } from "./study";

/** One child run as the report lists it. */
export interface ReportRun {
  runId: string;
  runName: string;
  label: string;
  seed: number;
  status: string;
  startTime: number;
  endTime?: number;
  note?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
}

/** One training curve. */
export interface ReportCurve {
  label: string;
  seed: number;
  metric: string;
  points: { step: number; value: number; timestamp: number }[];
}

/** The report section of one study at one preset. */
export interface ReportSection {
  experiment: string;
  study: Study;
  preset: string;
  parent?: { runId: string; status: string; note?: string };
  /** All child runs (any status). */
  runs: ReportRun[];
  /** Finished runs as per-seed results. */
  results: SeedResult[];
  verdicts: ClaimVerdict[];
  curves: ReportCurve[];
  /** Plugin files behind the results that are gone or changed since (src/plugins/provenance.ts). */
  pluginNotes?: string[];
  /**
   * Distinct code versions (simclr.code_version) of the runs behind the results, "unknown" for
   * runs that predate the tag: more than one means the evidence mixes code versions.
   */
  codeVersions: string[];
}

/** Everything a report shows. */
export interface ReportData {
  title: string;
  generatedAt: string;
  trackingUri: string;
  mlflowVersion?: string;
  sections: ReportSection[];
  /** Experiments asked for that do not exist on the server (studies not run yet). */
  missingExperiments: string[];
  /** Distinct environments recorded by the runs (backend, hardware, versions, git commit). */
  environments: Record<string, string>[];
}

/**
 * The runs behind a study's results: one per (cell, seed), the latest finished one (runs are in
 * start order), so a cell re-run after a change of protocol supersedes the earlier run.
 */
export function latestFinished(runs: readonly ReportRun[]): ReportRun[] {
  const latest = new Map<string, ReportRun>();
  for (const r of runs) if (r.status === "FINISHED") latest.set(`${r.label}\u0000${r.seed}`, r);
  return [...latest.values()];
}

/** Distinct code versions of runs, in first-seen order ("unknown" where a run has no tag). */
export function codeVersionsOf(runs: readonly { tags: Record<string, string> }[]): string[] {
  return [...new Set(runs.map((r) => r.tags["simclr.code_version"] ?? "unknown"))];
}
