/**
 * Report data rebuilt from the results archive (src/evidence/archive.ts) alone, without the
 * MLflow store that produced it: what `npm run reproduce -- --findings-only` and the findings
 * table's README digest are built from.
 */
import { evaluationAsRun } from "../evidence/budget";
import path from "node:path";
import { PROJECT_ROOT } from "../track/server";
import { getStudy } from "../sweep/registry";
import type { Study } from "../evidence/study";
import type { ArchivedRun } from "../evidence/archive";
import { evaluateClaims, type SeedResult } from "../evidence/claims";
import { withCpu } from "../evidence/blocks";
import { distinctEnvironments } from "./environment";
import {
  codeVersionsOf,
  type ReportData,
  type ReportRun,
  type ReportSection,
} from "../evidence/runs";

/**
 * Report data rebuilt from an archive alone (no tracking server): one section per study and
 * preset, studies from the registry unless given.
 */
export function reportDataFromArchive(
  runs: readonly ArchivedRun[],
  o: { source: string; studies?: readonly Study[]; title?: string },
): ReportData {
  const keys = [...new Set(runs.map((r) => `${r.study}\u0000${r.preset}`))].sort();
  const sections: ReportSection[] = keys.map((key) => {
    const [name, preset] = key.split("\u0000") as [string, string];
    const mine = runs.filter((r) => r.study === name && r.preset === preset);
    const declared = o.studies?.find((s) => s.name === name) ?? getStudy(name);
    const study = evaluationAsRun(declared, preset, mine);
    const reportRuns: ReportRun[] = mine.map((r) => ({
      runId: r.runId,
      runName: `${name}/${r.label}/seed${r.seed}`,
      label: r.label,
      seed: r.seed,
      status: "FINISHED",
      startTime: r.startTime,
      ...(r.endTime !== undefined ? { endTime: r.endTime } : {}),
      params: r.params,
      tags: {
        "simclr.code_version": r.codeVersion,
        ...(r.gitCommit ? { "simclr.git_commit": r.gitCommit } : {}),
      },
      metrics: r.metrics,
    }));
    const results: SeedResult[] = mine.map((r) => ({
      label: r.label,
      seed: r.seed,
      metrics: r.metrics,
      ...withCpu(r.params),
    }));
    return {
      experiment: mine[0]?.experiment ?? name,
      study,
      preset,
      runs: reportRuns,
      results,
      verdicts: evaluateClaims(study, results, { preset }),
      curves: [],
      codeVersions: codeVersionsOf(reportRuns),
    };
  });
  return {
    title: o.title ?? `SimCLR reproduction (from ${o.source})`,
    generatedAt: new Date().toISOString(),
    trackingUri: o.source,
    sections,
    missingExperiments: [],
    // what the runs recorded of where they ran: their env.* params and code versions
    environments: distinctEnvironments(sections.flatMap((s) => s.runs)),
  };
}

/**
 * The report data of one preset's archived runs (no MLflow), its source named by the archive's
 * path relative to the project root: what the findings table and its README digest are built from.
 */
export function presetDataFromArchive(
  runs: readonly ArchivedRun[],
  file: string,
  preset: string,
): ReportData {
  return reportDataFromArchive(
    runs.filter((r) => r.preset === preset),
    { source: path.relative(PROJECT_ROOT, file), title: `SimCLR reproduction at ${preset}` },
  );
}
