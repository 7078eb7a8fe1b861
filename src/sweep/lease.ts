/**
 * A sweep's lease on its study, taken before sweeping it: the ownership lock (a parent run
 * RUNNING under a live process, or on another host, belongs to that sweep), the cleanup of cells a
 * dead sweep left RUNNING or SCHEDULED (KILLED, unless their job is still known to the executor:
 * those are re-attached), and what is already done (FINISHED runs by config hash). "Lease", not
 * "claim": a claim is a paper's claim (src/evidence/).
 */
import os from "node:os";
import { cpuModelOf } from "../evidence/blocks";
import type { MlflowClient, Run } from "../track/mlflow";
import { pidAlive } from "../util/process";
import { SWEEP_TAGS, type CellHistory } from "./cell";
import type { Executor } from "./executor";
import type { CellPlan, StudyGrid } from "../grid/study-grid";

/** What earlier sweeps of the study left. */
export interface StudyState {
  /** Parent runs of this (study, preset), newest first. */
  parents: Run[];
  /** A FINISHED child run per config hash (on the required CPU model, where one is required). */
  finishedByHash: Map<string, Run>;
  /** FINISHED runs that did not count because they trained on another CPU model. */
  otherCpu: number;
  /** Per config hash: attempts made so far and a job still in flight. */
  history: Map<string, CellHistory>;
}

/** Quotes a value for an MLflow filter string. */
export function q(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Throws when another live sweep owns the study (same host, live pid; or another host). */
function checkOwnership(parents: Run[], study: StudyGrid, preset: string, takeOver: boolean): void {
  const host = os.hostname();
  for (const p of parents) {
    if (p.info.status !== "RUNNING") continue;
    const pid = Number(p.tags[SWEEP_TAGS.pid]);
    const owner = p.tags[SWEEP_TAGS.host];
    if (owner === host && pid && pid !== process.pid && pidAlive(pid))
      throw new Error(
        `study '${study.name}' (preset ${preset}) is already being swept by process ${pid} (parent run ${p.info.runId})`,
      );
    if (owner && owner !== host && !takeOver)
      throw new Error(
        `study '${study.name}' (preset ${preset}) is marked RUNNING by a sweep on host ${owner} ` +
          `(pid ${p.tags[SWEEP_TAGS.pid]}, parent run ${p.info.runId}); if that sweep is gone, run again with takeOver (--take-over)`,
      );
  }
}

/** Whether this executor can re-attach to the run's job. */
function reattachable(r: Run, executor: Executor): boolean {
  return (
    executor.attach !== undefined &&
    Boolean(r.tags[SWEEP_TAGS.jobId]) &&
    r.tags[SWEEP_TAGS.executor] === executor.name
  );
}

/**
 * Reads the study's runs, enforces the ownership lock, and marks cells a dead sweep left open
 * KILLED unless their job can be re-attached. Throws when another live sweep owns the study.
 */
export async function leaseStudy(
  client: MlflowClient,
  opts: {
    experimentId: string;
    study: StudyGrid;
    preset: string;
    plans: readonly CellPlan<object>[];
    executor: Executor;
    takeOver: boolean;
    /**
     * Where set, a FINISHED run counts as done only when it did not train on another CPU model
     * (its `cpuModelOf` block: name and generation), so its cell runs again here: a budget
     * ladder's cells run on one CPU model (issue 24), and the same config and seed differ by up to
     * 1.45 points across models.
     */
    cpuModel?: string;
  },
): Promise<StudyState> {
  const existing = await client.searchAllRuns({
    experimentIds: [opts.experimentId],
    filter: `tags.${SWEEP_TAGS.study} = ${q(opts.study.name)}`,
  });
  const parents = existing
    .filter((r) => r.tags[SWEEP_TAGS.role] === "sweep" && r.tags[SWEEP_TAGS.preset] === opts.preset)
    .sort((a, b) => b.info.startTime - a.info.startTime);
  checkOwnership(parents, opts.study, opts.preset, opts.takeOver);
  const parentIds = new Set(parents.map((p) => p.info.runId));
  const children = existing.filter(
    (r) => r.tags[SWEEP_TAGS.role] !== "sweep" && parentIds.has(r.tags["mlflow.parentRunId"]),
  );
  const history = new Map<string, CellHistory>();
  const finishedByHash = new Map<string, Run>();
  for (const r of children) {
    const h = r.tags[SWEEP_TAGS.hash];
    if (!h) continue;
    const entry = history.get(h) ?? { priorAttempts: 0 };
    entry.priorAttempts++;
    history.set(h, entry);
    const open = r.info.status === "RUNNING" || r.info.status === "SCHEDULED";
    if (open && reattachable(r, opts.executor) && !entry.inFlight)
      entry.inFlight = { runId: r.info.runId, jobId: r.tags[SWEEP_TAGS.jobId] };
    else if (open) {
      // no live process owns it any more
      const plan = opts.plans.find((pl) => pl.configHash === h);
      const cell: Record<string, string> = plan
        ? { [SWEEP_TAGS.cell]: plan.label, [SWEEP_TAGS.seed]: String(plan.seed) }
        : {};
      await client.setTags(r.info.runId, {
        ...cell,
        "simclr.terminated_by": "sweep resume: the process running it is gone",
      });
      await client.terminateRun(r.info.runId, "KILLED");
      r.info.status = "KILLED";
    }
  }
  // any finished run of this config counts, also one whose parent run is gone
  let otherCpu = 0;
  for (const r of existing) {
    const h = r.tags[SWEEP_TAGS.hash];
    if (!h || r.info.status !== "FINISHED" || r.tags[SWEEP_TAGS.role] === "sweep") continue;
    const cpu = cpuModelOf(r.params); // unrecorded (a stand-in cell): not shown to be elsewhere
    if (opts.cpuModel !== undefined && cpu !== undefined && cpu !== opts.cpuModel) otherCpu++;
    else if (!finishedByHash.has(h)) finishedByHash.set(h, r);
  }
  return { parents, finishedByHash, history, otherCpu };
}
