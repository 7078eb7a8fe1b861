/**
 * The results archive, `results/<preset>/runs.jsonl`: one JSON line per finished run behind the
 * findings (study, preset, cell, seed, params, final metrics, code version, config hash, times),
 * so the findings table and the report can be rebuilt without the MLflow store that produced
 * them (`npm run reproduce -- --findings-only`) and a sweep on a new machine can see which cells
 * already ran. Its file format lives here, below the sweep that reads it; rebuilding report data
 * from it (which looks studies up in the registry) is src/report/archive.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../track/server";
import { latestFinished, type ReportData, type ReportRun, type ReportSection } from "./runs";

/** The committed archive of a preset: `results/<preset>/runs.jsonl` in the project. */
export function archiveFile(preset: string, root: string = PROJECT_ROOT): string {
  return path.join(root, "results", preset, "runs.jsonl");
}

/** One archived run. */
export interface ArchivedRun {
  study: string;
  preset: string;
  experiment: string;
  label: string;
  seed: number;
  runId: string;
  startTime: number;
  endTime?: number;
  /** simclr.code_version of the run ("unknown" when it predates the tag). */
  codeVersion: string;
  /** simclr.config_hash of the run, when tagged. */
  configHash?: string;
  /** simclr.git_commit of the run: the checkout's commit, "-dirty" when its tree had changes. */
  gitCommit?: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

/**
 * Tag of a run that a sweep recreated from an archive (src/sweep/import-archive.ts sets it): the
 * id the run had in the store that produced it.
 */
export const IMPORTED_RUN_ID_TAG = "simclr.imported_run_id";

/** A run's place in the archive: study, preset, cell and seed. */
const runKey = (r: { study: string; preset: string; label: string; seed: number }): string =>
  [r.study, r.preset, r.label, String(r.seed)].join("\u0000");

/** One finished run of a report section as an archive line. */
function archivedRun(s: ReportSection, r: ReportRun): ArchivedRun {
  return {
    study: s.study.name,
    preset: s.preset,
    experiment: s.experiment,
    label: r.label,
    seed: r.seed,
    runId: r.runId,
    startTime: r.startTime,
    ...(r.endTime !== undefined ? { endTime: r.endTime } : {}),
    codeVersion: r.tags["simclr.code_version"] ?? "unknown",
    ...(r.tags["simclr.config_hash"] ? { configHash: r.tags["simclr.config_hash"] } : {}),
    ...(r.tags["simclr.git_commit"] ? { gitCommit: r.tags["simclr.git_commit"] } : {}),
    params: r.params,
    metrics: r.metrics,
  };
}

/**
 * The archive lines of a report's data: the latest finished run of every cell and seed, merged
 * with the archive written before (`previous`) so that writing it never drops evidence. A run the
 * store holds only as an import of an archived run keeps its archived line (the run id and git
 * commit of the store that produced it), and every archived run of a cell and seed the store
 * lacks (a study not re-run on this machine, a store that was lost) stays.
 */
export function archiveRuns(
  data: ReportData,
  previous: readonly ArchivedRun[] = [],
): ArchivedRun[] {
  const byId = new Map(previous.map((r) => [r.runId, r]));
  const current = data.sections.flatMap((s) =>
    latestFinished(s.runs).map((r) => {
      const imported = r.tags[IMPORTED_RUN_ID_TAG];
      return (imported !== undefined ? byId.get(imported) : undefined) ?? archivedRun(s, r);
    }),
  );
  const held = new Set(current.map(runKey));
  return [...current, ...previous.filter((r) => !held.has(runKey(r)))];
}

/** Writes the archive (one JSON object per line, sorted by study, cell and seed). */
export function writeArchive(file: string, runs: readonly ArchivedRun[]): void {
  const sorted = [...runs].sort(
    (a, b) =>
      a.study.localeCompare(b.study) ||
      a.preset.localeCompare(b.preset) ||
      a.label.localeCompare(b.label) ||
      a.seed - b.seed,
  );
  fs.writeFileSync(
    file,
    sorted.map((r) => JSON.stringify(r)).join("\n") + (sorted.length ? "\n" : ""),
  );
}

/** Reads an archive; throws naming the file and line of a malformed entry. */
export function readArchive(file: string): ArchivedRun[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const out: ArchivedRun[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let r: ArchivedRun;
    try {
      r = JSON.parse(line) as ArchivedRun;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    for (const k of ["study", "preset", "label", "runId"] as const)
      if (typeof r[k] !== "string")
        throw new Error(
          `${file}:${i + 1}: field '${k}' must be a string, got ${JSON.stringify(r[k])}`,
        );
    if (!Number.isInteger(r.seed))
      throw new Error(
        `${file}:${i + 1}: field 'seed' must be an integer, got ${JSON.stringify(r.seed)}`,
      );
    if (!r.metrics || typeof r.metrics !== "object")
      throw new Error(`${file}:${i + 1}: field 'metrics' must be an object`);
    out.push(r);
  });
  return out;
}

/** The (cell, seed) pairs of a study at a preset that an archive holds: a sweep can skip them. */
export function archivedCells(
  runs: readonly ArchivedRun[],
  study: string,
  preset: string,
): Set<string> {
  return new Set(
    runs
      .filter((r) => r.study === study && r.preset === preset)
      .map((r) => `${r.label}\u0000${r.seed}`),
  );
}
