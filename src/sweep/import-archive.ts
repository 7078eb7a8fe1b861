/**
 * A sweep on a machine whose MLflow store was lost (a new clone, another workstation) imports the
 * results archive (`results/<preset>/runs.jsonl`, src/evidence/archive.ts) before it plans: every
 * archived run of this study and preset whose config hash one of the sweep's cells has, and that
 * the store does not hold yet, is recreated there as a FINISHED run with its params, final
 * metrics, code version and times, tagged as imported. The sweep then skips that cell like any
 * finished one, and the report counts it as evidence (issue 12, "evidence that outlives the
 * MLflow store"). A run already in the store (by its config hash) is never imported twice.
 */
import fs from "node:fs";
import { readArchive, type ArchivedRun } from "../evidence/archive";
import type { MlflowClient } from "../track/mlflow";
import { SWEEP_TAGS } from "./cell";
import { cellRunName, type CellPlan } from "../grid/study-grid";

/** What {@link importArchivedRuns} needs. */
export interface ArchiveImport {
  /** The archive file (JSON lines); a missing file imports nothing. */
  file: string;
  experimentId: string;
  study: string;
  preset: string;
  /** The sweep's plans: only runs of these config hashes are imported. */
  plans: readonly CellPlan<object>[];
}

/** Tag that marks a run recreated from an archive (its value: the archive file). */
export const IMPORTED_FROM_TAG = "simclr.imported_from";

/** The archived runs of this sweep's cells that the store lacks, one per config hash. */
async function missingRuns(client: MlflowClient, o: ArchiveImport): Promise<ArchivedRun[]> {
  const wanted = new Set(o.plans.map((p) => p.configHash));
  const archived = readArchive(o.file).filter(
    (r) =>
      r.study === o.study &&
      r.preset === o.preset &&
      r.configHash !== undefined &&
      wanted.has(r.configHash),
  );
  if (archived.length === 0) return [];
  const existing = await client.searchAllRuns({
    experimentIds: [o.experimentId],
    filter: `tags.\`${SWEEP_TAGS.study}\` = '${o.study.replace(/'/g, "\\'")}'`,
  });
  const have = new Set(
    existing.filter((r) => r.info.status === "FINISHED").map((r) => r.tags[SWEEP_TAGS.hash]),
  );
  const out = new Map<string, ArchivedRun>();
  for (const r of archived)
    if (r.configHash && !have.has(r.configHash) && !out.has(r.configHash)) out.set(r.configHash, r);
  return [...out.values()];
}

/** Recreates one archived run in the store as a FINISHED run. */
async function importRun(client: MlflowClient, o: ArchiveImport, r: ArchivedRun): Promise<void> {
  const info = await client.createRun({
    experimentId: o.experimentId,
    runName: cellRunName(r.label, r.seed, o.study),
    startTime: r.startTime,
    tags: {
      [SWEEP_TAGS.study]: o.study,
      [SWEEP_TAGS.preset]: o.preset,
      [SWEEP_TAGS.cell]: r.label,
      [SWEEP_TAGS.seed]: String(r.seed),
      [SWEEP_TAGS.hash]: r.configHash ?? "",
      "simclr.code_version": r.codeVersion,
      [IMPORTED_FROM_TAG]: o.file,
      "simclr.imported_run_id": r.runId,
      "mlflow.note.content": `imported from the results archive ${o.file} (run ${r.runId} of the store that produced it)`,
    },
  });
  if (Object.keys(r.params).length) await client.logParams(info.runId, r.params);
  if (Object.keys(r.metrics).length)
    await client.logMetrics(info.runId, r.metrics, 0, r.endTime ?? r.startTime);
  await client.terminateRun(info.runId, "FINISHED", r.endTime ?? r.startTime);
}

/**
 * Imports the archived runs of a sweep's cells that the store lacks; returns how many. Throws
 * (naming the file and line) on a malformed archive, before anything is written.
 */
export async function importArchivedRuns(client: MlflowClient, o: ArchiveImport): Promise<number> {
  if (!fs.existsSync(o.file)) return 0;
  const runs = await missingRuns(client, o);
  for (const r of runs) await importRun(client, o, r);
  return runs.length;
}
