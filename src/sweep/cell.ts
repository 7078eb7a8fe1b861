/**
 * The "run a cell" step of a sweep: one cell x seed, through whichever executor, with its retries.
 * The step writes the cell's resolved config file once (`configDir`, where every node sees it) and
 * hands the executor its path: executors run a file, they never see the config.
 * Each attempt gets its child run before it is submitted (status SCHEDULED, the engine's job id as
 * tag simclr.job_id), so a waiting cell is visible in MLflow and an orchestrator that dies can
 * re-attach to the job; the cell's process logs into that run (SIMCLR_RUN_ID). After the attempt
 * the run is reconciled with what the executor reported (status, metrics, failure note).
 */
import fs from "node:fs";
import path from "node:path";
import { failureNote, isDeterministic } from "./failure";
import { flattenParams, type MlflowClient, type Run } from "../track/mlflow";
import type { RunStatus } from "../track/types";
import {
  SubmitRejected,
  type CellOutcome,
  type CellResources,
  type CellTask,
  type Executor,
} from "./executor";
import type { CellPlan, Overrides, StudyGrid } from "../grid/study-grid";

/** The MLflow calls a cell step makes (a fake implements them in unit tests). */
export type SweepClient = Pick<
  MlflowClient,
  "createRun" | "getRun" | "setTags" | "updateRun" | "terminateRun" | "logParams" | "logMetrics"
>;

/** Tag values used by sweeps. */
/** The fields of a cell's result that come from its plan (which cell, seed and config). */
export function planFields(
  plan: CellPlan<object>,
): Pick<CellResult, "cellIndex" | "label" | "overrides" | "seed" | "configHash"> {
  const { cellIndex, label, overrides, seed, configHash } = plan;
  return { cellIndex, label, overrides, seed, configHash };
}

export const SWEEP_TAGS = Object.freeze({
  role: "simclr.role",
  study: "simclr.study",
  preset: "simclr.preset",
  hash: "simclr.config_hash",
  pid: "simclr.sweep_pid",
  host: "simclr.sweep_host",
  cell: "simclr.cell",
  seed: "simclr.seed",
  executor: "simclr.executor",
  jobId: "simclr.job_id",
  jobState: "simclr.job_state",
  jobNode: "simclr.job_node",
});

/** How one cell x seed ended. */
export interface CellResult {
  cellIndex: number;
  label: string;
  overrides: Overrides;
  seed: number;
  configHash: string;
  status: RunStatus | "SKIPPED";
  runId?: string;
  /** The study's metrics (and any other numeric result), from the cell's JSON or its MLflow run. */
  metrics: Record<string, number>;
  /** Attempts made in this sweep (0 when skipped). */
  attempts: number;
  seconds?: number;
  error?: string;
  /** The engine's job id of the last attempt. */
  jobId?: string;
  /** The engine refused the cell outright (bad resources): retrying cannot help. */
  rejected?: boolean;
  /** The failure is deterministic (src/sweep/failure.ts): it was not retried. */
  deterministic?: boolean;
}

/** What every cell of one sweep shares. */
export interface CellStep {
  client: SweepClient;
  executor: Executor;
  study: StudyGrid;
  preset: string;
  experimentId: string;
  experiment: string;
  parentRunId: string;
  trackingUri: string;
  resources: CellResources;
  /** Folder of the cells' resolved config files (SweepOptions.configDir). */
  configDir: string;
  /** Extra attempts for a failed cell. */
  retries: number;
  signal: AbortSignal;
  /** Each cell logs its encoder as an MLflow logged model (SweepOptions.logModels). */
  logModels: boolean;
  /** Folder of the random-init baseline cache the cells share (SweepOptions.baselineCache). */
  baselineCache?: string;
  /** An attempt starts ("label seed N", "(retry)" / "(re-attached)" appended). */
  onStart?: (name: string) => void;
  /** An attempt's command ended after this many seconds. */
  onEnd?: (seconds: number) => void;
  /** The engine accepted an attempt (after its job id was tagged). */
  onSubmitted?: () => void;
}

/** A job an earlier sweep submitted and left in flight: the cell's run and the engine's job id. */
export interface InFlight {
  runId: string;
  jobId: string;
}

/** How far this cell got before this sweep. */
export interface CellHistory {
  /** Attempts earlier sweeps made (child runs with this config hash under the parent). */
  priorAttempts: number;
  /** A job still queued or running, to re-attach to. */
  inFlight?: InFlight;
}

function numericMetrics(obj: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj ?? {}))
    if (typeof v === "number" && /^[A-Za-z0-9_./\- :]+$/.test(k)) out[k] = v;
  return out;
}

/** The tags that place a run as this cell's run under the sweep's parent. */
function cellTags(s: CellStep, plan: CellPlan<object>): Record<string, string> {
  return {
    "mlflow.parentRunId": s.parentRunId,
    [SWEEP_TAGS.hash]: plan.configHash,
    [SWEEP_TAGS.study]: s.study.name,
    [SWEEP_TAGS.preset]: s.preset,
    [SWEEP_TAGS.cell]: plan.label,
    [SWEEP_TAGS.seed]: String(plan.seed),
  };
}

/** Where the cell's resolved config file is: `<configDir>/<study>/<config hash, 16>.json`. */
export function cellConfigFile(configDir: string, study: string, plan: CellPlan<object>): string {
  return path.join(configDir, study, `${plan.configHash.slice(0, 16)}.json`);
}

/**
 * Writes the cell's resolved config (as its plan holds it, resolved once when the study was
 * planned) to {@link cellConfigFile}, whole or not at all (renamed into place: a process reading
 * the same cell's file never sees it half-written); returns the path.
 */
export function writeCellConfig(configDir: string, study: string, plan: CellPlan<object>): string {
  const file = cellConfigFile(configDir, study, plan);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, `${JSON.stringify(plan.config, null, 2)}\n`);
  fs.renameSync(partial, file);
  return file;
}

function taskFor(
  s: CellStep,
  plan: CellPlan<object>,
  run: { runId: string; attempt: number; configFile: string },
): CellTask {
  const { runId, attempt, configFile } = run;
  return {
    configFile,
    label: plan.label,
    seed: plan.seed,
    study: s.study.name,
    preset: s.preset,
    resources: s.resources,
    attemptKey: `${s.parentRunId.slice(0, 12)}-${plan.configHash.slice(0, 12)}-s${plan.seed}-a${attempt}`,
    context: {
      trackingUri: s.trackingUri,
      experiment: s.experiment,
      parentRunId: s.parentRunId,
      configHash: plan.configHash,
      study: s.study.name,
      runName: plan.runName,
      preset: s.preset,
      runId,
      logModel: s.logModels ? "1" : "0",
      ...(s.baselineCache === undefined ? {} : { baselineCache: s.baselineCache }),
    },
    onSubmitted: async (jobId) => {
      await s.client.setTags(runId, { [SWEEP_TAGS.jobId]: jobId });
      s.onSubmitted?.();
    },
  };
}

/** Creates the attempt's child run, SCHEDULED until the cell's process starts logging into it. */
async function createCellRun(s: CellStep, plan: CellPlan<object>): Promise<string> {
  const info = await s.client.createRun({
    experimentId: s.experimentId,
    runName: plan.runName,
    tags: { ...cellTags(s, plan), [SWEEP_TAGS.executor]: s.executor.name },
  });
  await s.client.updateRun(info.runId, { status: "SCHEDULED" });
  return info.runId;
}

/** The run the attempt logged into: the one it printed (a command that made its own), else ours. */
async function attemptRun(s: CellStep, runId: string, outcome: CellOutcome): Promise<Run> {
  const printed = outcome.result?.run_id ?? outcome.result?.runId;
  if (typeof printed === "string" && printed && printed !== runId) {
    try {
      const own = await s.client.getRun(printed);
      await s.client.terminateRun(runId, "KILLED");
      await s.client.setTags(runId, { "simclr.superseded_by": printed });
      return own;
    } catch {
      /* not a run of this server: keep ours */
    }
  }
  return s.client.getRun(runId);
}

/** Reconciles the attempt's run with its outcome; returns the cell's result for this attempt. */
async function settle(
  s: CellStep,
  plan: CellPlan<object>,
  runId: string,
  outcome: CellOutcome,
  attempt: number,
): Promise<CellResult> {
  const base: CellResult = {
    ...planFields(plan),
    status: "FAILED",
    metrics: {},
    attempts: attempt,
    seconds: outcome.seconds,
  };
  if (outcome.jobId) base.jobId = outcome.jobId;
  const run = await attemptRun(s, runId, outcome);
  const id = run.info.runId;
  base.runId = id;
  const tags: Record<string, string> = { ...cellTags(s, plan) };
  if (outcome.jobState) tags[SWEEP_TAGS.jobState] = outcome.jobState;
  if (outcome.node) tags[SWEEP_TAGS.jobNode] = outcome.node;
  const open = run.info.status === "RUNNING" || run.info.status === "SCHEDULED";
  if (s.signal.aborted && !outcome.ok) {
    await s.client.setTags(id, { ...tags, "simclr.terminated_by": "sweep interrupted" });
    if (open) await s.client.terminateRun(id, "KILLED");
    return { ...base, status: "KILLED" };
  }
  const fromJson = numericMetrics(outcome.result);
  if (run.info.status === "SCHEDULED") {
    // the command never logged into its run: record what the sweep knows, so no cell is silent
    tags["simclr.logged_by"] = "sweep";
    await s.client.logParams(id, flattenParams(plan.config));
  }
  if (outcome.ok) {
    const missing: Record<string, number> = {};
    for (const [m, v] of Object.entries(fromJson)) if (!(m in run.metrics)) missing[m] = v;
    if (Object.keys(missing).length) await s.client.logMetrics(id, missing, 0);
    await s.client.setTags(id, tags);
    if (run.info.status !== "FINISHED") await s.client.terminateRun(id, "FINISHED");
    return { ...base, status: "FINISHED", metrics: { ...run.metrics, ...fromJson } };
  }
  const note = failureNote(outcome, attempt);
  await s.client.setTags(id, { ...tags, "mlflow.note.content": note });
  if (run.info.status !== "FAILED") await s.client.terminateRun(id, "FAILED");
  const deterministic = isDeterministic(outcome);
  return { ...base, status: "FAILED", metrics: fromJson, error: note, deterministic };
}

/** An outcome for an executor that threw (could not start the command, lost the engine). */
function thrownOutcome(err: unknown, since: number): CellOutcome {
  return {
    ok: false,
    exitCode: null,
    stderrTail: (err as Error).message,
    seconds: (Date.now() - since) / 1000,
  };
}

/** Re-attaches to a job an earlier sweep left in flight; undefined when the engine forgot it. */
async function reattach(
  s: CellStep,
  plan: CellPlan<object>,
  job: InFlight,
  attempt: number,
): Promise<CellResult | undefined> {
  const outcome = s.executor.attach
    ? await s.executor
        .attach(
          job.jobId,
          taskFor(s, plan, {
            runId: job.runId,
            attempt,
            // the job was submitted with it: its path, not written again under a running job
            configFile: cellConfigFile(s.configDir, s.study.name, plan),
          }),
          s.signal,
        )
        .catch((err: unknown) => thrownOutcome(err, Date.now()))
    : undefined;
  if (!outcome) {
    await s.client.setTags(job.runId, {
      "simclr.terminated_by": `sweep resume: ${s.executor.name} no longer knows job ${job.jobId}`,
    });
    await s.client.terminateRun(job.runId, "KILLED");
    return undefined;
  }
  s.onEnd?.(outcome.seconds);
  return settle(s, plan, job.runId, { jobId: job.jobId, ...outcome }, attempt);
}

/**
 * Runs one cell x seed to its end: re-attaches to its job if an earlier sweep left one in flight,
 * else submits it, retrying a failure up to `retries` times. A cell the engine rejects outright
 * (`rejected`) or that fails deterministically (`deterministic`) is not retried; an aborted sweep
 * leaves the attempt's run KILLED.
 */
export async function runCell(
  s: CellStep,
  plan: CellPlan<object>,
  history: CellHistory,
): Promise<CellResult> {
  const name = `${plan.label} seed ${plan.seed}`;
  let last: CellResult | undefined;
  let attempt = 0;
  if (history.inFlight) {
    attempt++;
    s.onStart?.(`${name} (re-attached)`);
    last = await reattach(s, plan, history.inFlight, history.priorAttempts);
    if (last && (last.status !== "FAILED" || last.deterministic)) return last;
  }
  let configFile: string | undefined;
  for (; attempt <= s.retries && !s.signal.aborted; attempt++) {
    s.onStart?.(attempt > 0 ? `${name} (retry)` : name);
    const runId = await createCellRun(s, plan);
    const since = Date.now();
    let outcome: CellOutcome;
    try {
      // written once, for all attempts (a failure to write fails the attempt like the command's)
      configFile ??= writeCellConfig(s.configDir, s.study.name, plan);
      const n = history.priorAttempts + attempt + 1;
      outcome = await s.executor.run(taskFor(s, plan, { runId, attempt: n, configFile }), s.signal);
    } catch (err) {
      outcome = thrownOutcome(err, since);
      if (err instanceof SubmitRejected) {
        const r = await settle(s, plan, runId, outcome, attempt + 1);
        return { ...r, rejected: true };
      }
    }
    s.onEnd?.(outcome.seconds);
    last = await settle(s, plan, runId, outcome, attempt + 1);
    if (last.status !== "FAILED" || last.deterministic) return last;
  }
  if (last) return last;
  // aborted before the first attempt started
  return {
    ...planFields(plan),
    status: "KILLED",
    metrics: {},
    attempts: 0,
  };
}

/**
 * Records a cell that cannot start (its config did not resolve: a plugin failed to load) as a
 * FAILED run with the reason, without running it or retrying it.
 */
export async function failUnstartedCell(
  s: CellStep,
  plan: CellPlan<object>,
  reason: string,
): Promise<CellResult> {
  s.onStart?.(`${plan.label} seed ${plan.seed}`);
  const runId = await createCellRun(s, plan);
  const outcome: CellOutcome = {
    ok: false,
    exitCode: null,
    stderrTail: "",
    error: reason,
    deterministic: true,
    seconds: 0,
  };
  s.onEnd?.(0);
  return settle(s, plan, runId, outcome, 1);
}
