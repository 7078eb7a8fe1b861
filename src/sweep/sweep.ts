/**
 * Running a study as a resumable sweep tracked in MLflow: one parent run per (study, preset) and one
 * child run per cell x seed. Cells whose resolved config (sha256, tag simclr.config_hash) already
 * has a FINISHED run are skipped; failed cells are retried once and the sweep keeps going; a killed
 * sweep marks its running cells and itself KILLED, and a later run takes over what was left RUNNING
 * (re-attaching to cluster jobs that are still queued or running).
 *
 * `runSweep` is a sequence of named steps: plan the cells, lease the study (src/sweep/lease.ts),
 * check the workers can reach tracking (src/sweep/reachable.ts), open the parent run, then run the
 * cells `executor.concurrency` at a time through the one "run a cell" step (src/sweep/cell.ts),
 * and close the parent run with a summary and the study's figures.
 */
import os from "node:os";
import path from "node:path";
import { cpuInfo } from "../track/cpu";
import { cpuBlock } from "../evidence/blocks";
import { trackingSettings } from "../track/context";
import { PROJECT_ROOT } from "../track/server";
import { environmentTags } from "../track/environment";
import { isTransientError, MlflowClient, type Run } from "../track/mlflow";
import type { RunStatus } from "../track/types";
import { figureSvg } from "../plot/svg";
import { studyFigure } from "../plot/study";
import {
  failUnstartedCell,
  planFields,
  runCell,
  SWEEP_TAGS,
  type CellResult,
  type CellStep,
} from "./cell";
import { leaseStudy, type StudyState } from "./lease";
import {
  CELL_RESOURCE_DEFAULTS,
  createLocalExecutor,
  validateResources,
  type CellResources,
  type Executor,
} from "./executor";
import { terminalProgress, type SweepProgress } from "./progress";
import { isEvidence, nextAdaptivePlans } from "./adaptive";
import { importArchivedRuns } from "./import-archive";
import { checkTrackingReachable } from "./reachable";
import {
  planStudy,
  type CellPlan,
  type ConfigResolver,
  type TolerantPlanOptions,
} from "../grid/study-grid";
import type { Study } from "../evidence/study";
import type { PretrainConfigOverrides } from "../config/pretrain-config";

export { SWEEP_TAGS, type CellResult } from "./cell";

/** Options for {@link runSweep}. */
export interface SweepOptions {
  /** Preset name passed to the config resolver ("tiny", "small", "paper"). */
  preset: string;
  /** Seeds per cell; default the study's. */
  seeds?: number;
  /** Experiment name; default the study's name. */
  experiment?: string;
  /** Tracking server; default MLFLOW_TRACKING_URI (as the entry point read it), else the project's running local server. */
  trackingUri?: string;
  /** Runs the cells; default the local executor (`node bin/simclr-cell.cjs --config FILE --json`). */
  executor?: Executor;
  /** What each cell may use (CPUs, GPUs, memory, time limit, Slurm partition). */
  resources: CellResources;
  /**
   * Builds each cell's full config, once, when the study is planned: the project's
   * `resolveConfig` (a PretrainConfig, what `runStudy` passes), default a plain merge
   * ({preset, ...overrides}) for a stand-in cell command. The sweep and its cell step carry the
   * config as it is (they hash, log and write it; they read no field); executors get its file.
   */
  resolveConfig?: ConfigResolver<object>;
  /** Overrides under every cell's (and the study's base), e.g. a notebook's data set. */
  under?: PretrainConfigOverrides;
  /** Extra attempts for a failed cell within this sweep. */
  retries: number;
  /** Called after each cell (and when one starts). */
  onProgress?: (p: SweepProgress) => void;
  /** Draw a progress bar on stderr. */
  progressBar: boolean;
  /** Stops the sweep: the running cells are stopped and marked KILLED, the parent run too. */
  signal?: AbortSignal;
  /** Turn SIGINT/SIGTERM into an abort while the sweep runs (for CLI processes). */
  handleSignals: boolean;
  /** Resume a sweep that another host left RUNNING (its cells still RUNNING are marked KILLED). */
  takeOver: boolean;
  /**
   * A results archive (runs.jsonl, src/evidence/archive.ts) whose runs of this study's cells are
   * imported into the store when it lacks them, so their cells are skipped (src/sweep/import-archive.ts).
   */
  archive?: string;
  /**
   * Each cell logs its encoder as an MLflow logged model; default the study's `logModels`, else
   * off (a 200-run study needs its numbers, not 200 encoders; a single pretrain logs its own).
   */
  logModels?: boolean;
  /**
   * Folder of the random-init baselines the cells share (src/eval/baseline-cache.ts), one
   * subfolder per experiment: a baseline is measured by the first cell of its key (encoder, seed,
   * evaluation data and protocol) and read back by the other cells of the experiment, in this
   * sweep and its resumptions (a new experiment, e.g. after a change of the evaluation code,
   * measures afresh). On a cluster it must be on the shared filesystem, as the cells' configs are.
   */
  baselineCache: string;
  /**
   * Folder of the cells' resolved config files, one subfolder per study: the cell step writes
   * each cell's once and its executor hands the command the path. On a cluster it must be on the
   * shared filesystem.
   */
  configDir: string;
}

/** Defaults for {@link SweepOptions}. */
export const SWEEP_DEFAULTS: Readonly<Omit<SweepOptions, "preset">> = Object.freeze({
  resources: CELL_RESOURCE_DEFAULTS,
  baselineCache: path.join(PROJECT_ROOT, ".simclr", "baselines"),
  configDir: path.join(PROJECT_ROOT, ".simclr", "sweeps"),
  retries: 1,
  progressBar: false,
  handleSignals: false,
  takeOver: false,
});

/** Summary of a sweep. */
export interface SweepResult {
  study: string;
  preset: string;
  experiment: string;
  experimentId: string;
  parentRunId: string;
  cells: CellResult[];
  finished: number;
  skipped: number;
  failed: number;
  /** True when the sweep was stopped (signal or abort). */
  interrupted: boolean;
  /** Runs imported from `archive` into the store before planning (their cells were skipped). */
  imported: number;
  /**
   * Finished runs that did not count as done because they trained on another CPU model than this
   * machine's: a budget ladder whose cells run on this host (local executor) keeps its claim's
   * cells on one CPU model (issue 24), so their cells ran again here.
   */
  otherCpu: number;
  seconds: number;
}

/** Seeds each cell of a plan runs, by label (in cell order). */
function seedsPerCell(plans: readonly CellPlan<object>[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const p of plans) n.set(p.label, (n.get(p.label) ?? 0) + 1);
  return n;
}

/** "3", or "1 (3 for crop, 3 for color)" when some cells run more seeds than most. */
function describeSeeds(perCell: ReadonlyMap<string, number>): string {
  const freq = new Map<number, number>();
  for (const n of perCell.values()) freq.set(n, (freq.get(n) ?? 0) + 1);
  const common = [...freq].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const extra = [...perCell]
    .filter(([, n]) => n !== common)
    .map(([label, n]) => `${n} for ${label}`)
    .join(", ");
  return extra ? `${common} (${extra})` : String(common);
}

/**
 * The client with every call retried while the server is unreachable or restarting (transient
 * errors), for up to `waitMs`, so a tracking-server restart does not end a long sweep.
 */
export function retryingClient(client: MlflowClient, waitMs = 120_000): MlflowClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return async (...args: unknown[]) => {
        const deadline = Date.now() + waitMs;
        for (let attempt = 0; ; attempt++) {
          try {
            return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (err) {
            if (!isTransientError(err) || Date.now() > deadline) throw err;
            if (attempt === 0)
              process.stderr.write(
                `simclr sweep: ${(err as Error).message}; retrying for up to ${waitMs / 1000} s\n`,
              );
            await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt)));
          }
        }
      };
    },
  });
}

/**
 * Uploads the study's figures to the parent run: plots/<metric>.json (the plotly spec, for notebooks
 * and reports) and plots/<metric>.svg (a few kB; MLflow's artifact viewer shows it as an image).
 */
async function logStudyFigures(
  client: MlflowClient,
  runId: string,
  study: Study,
  preset: string,
  results: CellResult[],
): Promise<void> {
  const done = results.filter((r) => r.status === "FINISHED" || r.status === "SKIPPED");
  try {
    for (const metric of study.metrics) {
      if (!done.some((r) => typeof r.metrics[metric] === "number")) continue;
      const fig = studyFigure(study, done, metric, preset);
      const name = metric.replace(/[^A-Za-z0-9_.-]/g, "_");
      await client.uploadArtifact(runId, `plots/${name}.json`, JSON.stringify(fig));
      await client.uploadArtifact(runId, `plots/${name}.svg`, figureSvg(fig));
    }
  } catch (err) {
    process.stderr.write(
      `simclr sweep: could not upload the study's figures: ${(err as Error).message}\n`,
    );
  }
}

/**
 * A plugin load failure makes only its cell fail (a FAILED run with the reason, the other cells
 * run); any other config error stops the sweep before it starts (a mistake in the study itself).
 */
function isPluginLoadError(e: unknown): boolean {
  return e instanceof Error && (e as { field?: string }).field === "plugins";
}

/** Plans the sweep's cells (grid x seeds, each with its resolved config and hash). */
function planOptions(o: SweepOptions): TolerantPlanOptions {
  const planOpts: TolerantPlanOptions = { preset: o.preset, tolerate: isPluginLoadError };
  if (o.seeds !== undefined) planOpts.seeds = o.seeds;
  if (o.under) planOpts.under = o.under;
  if (o.resolveConfig) planOpts.resolveConfig = o.resolveConfig;
  return planOpts;
}

function planCells(study: Study, o: SweepOptions): CellPlan<object>[] {
  return planStudy(study, planOptions(o));
}

/** Reuses the study's newest parent run (RUNNING again, owned by this process) or creates one. */
async function openParentRun(
  client: MlflowClient,
  o: SweepOptions,
  ctx: {
    study: Study;
    experimentId: string;
    plans: CellPlan<object>[];
    state: StudyState;
    executor: Executor;
  },
): Promise<string> {
  const { study, plans } = ctx;
  const sweepTags: Record<string, string> = {
    [SWEEP_TAGS.pid]: String(process.pid),
    [SWEEP_TAGS.host]: os.hostname(),
    "simclr.sweep_cells": String(plans.length),
  };
  let parentRunId: string;
  const previous = ctx.state.parents[0];
  if (previous) {
    parentRunId = previous.info.runId;
    await client.updateRun(parentRunId, { status: "RUNNING" });
    await client.setTags(parentRunId, sweepTags);
  } else {
    const info = await client.createRun({
      experimentId: ctx.experimentId,
      runName: `${study.name}-${o.preset}`,
      tags: {
        ...environmentTags(),
        [SWEEP_TAGS.role]: "sweep",
        [SWEEP_TAGS.study]: study.name,
        [SWEEP_TAGS.preset]: o.preset,
        "mlflow.note.content": study.description,
        ...sweepTags,
      },
    });
    parentRunId = info.runId;
    const perCell = seedsPerCell(plans);
    await client.logParams(parentRunId, {
      study: study.name,
      preset: o.preset,
      seeds: describeSeeds(perCell),
      cells: perCell.size,
      executor: ctx.executor.name,
    });
  }
  // the definition this sweep ran (reports read it when the study is not registered where they run)
  await client.uploadArtifact(parentRunId, "study.json", JSON.stringify(study, null, 2));
  return parentRunId;
}

/**
 * An abort controller fed by the caller's signal and, with `handleSignals`, by SIGINT/SIGTERM (a
 * second signal exits at once). `release` removes the handlers.
 */
function abortScope(o: SweepOptions): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  if (o.signal) {
    if (o.signal.aborted) controller.abort();
    else o.signal.addEventListener("abort", onOuterAbort, { once: true });
  }
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(sig === "SIGINT" ? 130 : 143);
    process.stderr.write(
      `\nsimclr sweep: ${sig}: stopping the running cells and marking runs KILLED (again to force)\n`,
    );
    controller.abort();
  };
  if (o.handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  return {
    signal: controller.signal,
    release: () => {
      if (o.handleSignals) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      o.signal?.removeEventListener("abort", onOuterAbort);
    },
  };
}

/** Progress bookkeeping: cells running now, executed cell times, and the callbacks to tell. */
function progressReporter(
  study: Study,
  o: SweepOptions,
  plans: CellPlan<object>[],
  results: (CellResult | undefined)[],
  finishedByHash: ReadonlyMap<string, unknown>,
): { start(name: string): void; end(name: string, seconds?: number): void; report(): void } {
  const t0 = Date.now();
  const fns: ((p: SweepProgress) => void)[] = [];
  if (o.onProgress) fns.push(o.onProgress);
  if (o.progressBar) fns.push(terminalProgress());
  const running: string[] = [];
  const executed: number[] = [];
  const report = (): void => {
    const got = results.filter((r): r is CellResult => r !== undefined);
    const p: SweepProgress = {
      study: study.name,
      total: plans.length,
      done: got.length,
      skipped: got.filter((r) => r.status === "SKIPPED").length,
      failed: got.filter((r) => r.status === "FAILED").length,
      elapsedSeconds: (Date.now() - t0) / 1000,
    };
    if (running.length) p.running = running.join(", ");
    if (executed.length) {
      p.lastCellSeconds = executed[executed.length - 1];
      p.meanCellSeconds = executed.reduce((a, b) => a + b, 0) / executed.length;
      const left = plans.filter((pl, i) => !results[i] && !finishedByHash.has(pl.configHash));
      p.etaSeconds = (p.meanCellSeconds * left.length) / Math.max(1, running.length || 1);
    }
    for (const f of fns) f(p);
  };
  return {
    start(name) {
      running.push(name);
      report();
    },
    end(name, seconds) {
      const i = running.indexOf(name);
      if (i >= 0) running.splice(i, 1);
      if (seconds !== undefined) executed.push(seconds);
    },
    report,
  };
}

/** A SKIPPED result for a cell that already has a FINISHED run. */
function skippedResult(plan: CellPlan<object>, done: Run): CellResult {
  return {
    ...planFields(plan),
    status: "SKIPPED",
    runId: done.info.runId,
    metrics: done.metrics,
    attempts: 0,
    // The earlier run's own duration, so a resumed sweep's table still shows every cell's cost.
    ...(done.info.endTime !== undefined
      ? { seconds: (done.info.endTime - done.info.startTime) / 1000 }
      : {}),
  };
}

/**
 * Runs the plans `concurrency` at a time through {@link runCell}; results stay in plan order. Stops
 * taking new cells when the sweep is aborted or the engine rejected a cell's resources. On a
 * cluster (executors that can re-attach) the others wait until the engine accepted the first
 * submission, so resources the engine rejects fail once, not once per slot.
 */
async function runCells(
  plans: CellPlan<object>[],
  step: Omit<CellStep, "onStart" | "onEnd">,
  state: StudyState,
  progress: ReturnType<typeof progressReporter>,
  results: (CellResult | undefined)[],
): Promise<void> {
  let next = 0;
  let rejected = false;
  let openGate: () => void = () => {};
  const gate = new Promise<void>((r) => (openGate = r));
  if (!step.executor.attach) openGate();
  const worker = async (_: unknown, slot: number): Promise<void> => {
    if (slot > 0) await gate;
    while (next < plans.length && !step.signal.aborted && !rejected) {
      const i = next++;
      const plan = plans[i];
      const done = state.finishedByHash.get(plan.configHash);
      if (done) {
        results[i] = skippedResult(plan, done);
        progress.report();
        continue;
      }
      if (plan.unstartable !== undefined) {
        results[i] = await failUnstartedCell(step, plan, plan.unstartable);
        progress.report();
        continue;
      }
      let current = "";
      const r = await runCell(
        {
          ...step,
          onStart: (name) => {
            if (current) progress.end(current);
            current = name;
            progress.start(name);
          },
          onEnd: (seconds) => {
            progress.end(current, seconds);
            current = "";
          },
          onSubmitted: openGate,
        },
        plan,
        state.history.get(plan.configHash) ?? { priorAttempts: 0 },
      );
      if (current) progress.end(current);
      openGate();
      results[i] = r;
      if (r.rejected) rejected = true;
      progress.report();
    }
    openGate(); // nothing left for this slot (all skipped, or the sweep stopped)
  };
  const n = Math.max(1, Math.min(step.executor.concurrency ?? 1, plans.length));
  await Promise.all(Array.from({ length: n }, worker));
}

/**
 * Adaptive seeds (issue 12, src/sweep/adaptive.ts): while the study's seed policy at this preset
 * asks for more seeds of the cells of undecided claims, plans them and runs them like the first
 * plan (resumable: a seed finished before is skipped by its config hash). Stops when the policy is
 * done, the sweep was aborted or the engine rejected a cell. A study without a policy runs none.
 */
async function runAdaptiveRounds(
  study: Study,
  o: SweepOptions,
  plans: CellPlan<object>[],
  slots: (CellResult | undefined)[],
  signal: AbortSignal,
  run: (more: CellPlan<object>[], extra: (CellResult | undefined)[]) => Promise<void>,
): Promise<void> {
  for (;;) {
    if (signal.aborted || slots.some((r) => r?.rejected)) return;
    const evidence = slots.filter((r): r is CellResult => r !== undefined && isEvidence(r));
    const more = nextAdaptivePlans(study, planOptions(o), evidence).plans;
    if (more.length === 0) return;
    const extra = new Array<CellResult | undefined>(more.length);
    plans.push(...more);
    await run(more, extra);
    slots.push(...extra);
    if (extra.some((r) => r === undefined)) return; // stopped part-way
  }
}

/** Ends the sweep: summary note and counts on the parent run, the study's figures, its status. */
async function closeSweep(
  client: MlflowClient,
  study: Study,
  o: SweepOptions,
  parentRunId: string,
  results: CellResult[],
  interrupted: boolean,
): Promise<{ finished: number; skipped: number; failed: number }> {
  const finished = results.filter((r) => r.status === "FINISHED").length;
  const skipped = results.filter((r) => r.status === "SKIPPED").length;
  const failed = results.filter((r) => r.status === "FAILED").length;
  const parentStatus: RunStatus = interrupted ? "KILLED" : failed > 0 ? "FAILED" : "FINISHED";
  const rejected = results.find((r) => r.rejected);
  const summary =
    `${study.description}\n\nlast sweep: ${finished} cells run, ${skipped} skipped (already finished), ${failed} failed` +
    (interrupted ? ", interrupted" : "") +
    (rejected ? `; stopped: the engine rejected a cell: ${rejected.error ?? ""}` : "");
  await client.setTags(parentRunId, { "mlflow.note.content": summary.slice(0, 7900) });
  await client.logMetrics(
    parentRunId,
    { cells_finished: finished, cells_skipped: skipped, cells_failed: failed },
    0,
  );
  await logStudyFigures(client, parentRunId, study, o.preset, results);
  await client.terminateRun(parentRunId, parentStatus);
  return { finished, skipped, failed };
}

/** This machine's CPU model as the findings table blocks runs by it ({@link cpuBlock}). */
function thisCpuBlock(): string {
  const cpu = cpuInfo();
  return cpuBlock(cpu.model, cpu.id);
}

/**
 * Runs a study as a sweep. Resolves with a summary (also when interrupted: `interrupted` is true).
 * Throws when tracking cannot be reached at the start, another live sweep owns the same study, or
 * the executor's workers could not reach the tracking server.
 */
export async function runSweep(
  study: Study,
  options: Partial<SweepOptions> & { preset: string },
): Promise<SweepResult> {
  if (study.search)
    throw new Error(
      `study '${study.name}' has a search stage ('${study.search.name}'): run it with sweepWithSearch (runStudy, simclr sweep), which plans its cells at the choice of the search's runs`,
    );
  const o: SweepOptions = { ...SWEEP_DEFAULTS, ...options };
  const t0 = Date.now();
  const resources = validateResources({ ...CELL_RESOURCE_DEFAULTS, ...o.resources });
  const { credentials, context } = trackingSettings();
  const direct = new MlflowClient(
    o.trackingUri ?? context.trackingUri,
    credentials ? { credentials } : {},
  );
  const uri = await direct.uri();
  const client = retryingClient(direct);
  // Runs of these plans in `o.archive` are imported before leasing (so they count as finished);
  // adaptive seeds extend the plans after the first round (runAdaptiveRounds).
  const plans = planCells(study, o);
  const experiment = o.experiment ?? study.name;
  const experimentId = await direct.getOrCreateExperiment(experiment); // fail fast when the server is down at the start
  // The experiment page's description (MLflow reads the experiment tag mlflow.note.content).
  await direct.setExperimentTag(experimentId, "mlflow.note.content", study.description);
  const executor = o.executor ?? createLocalExecutor();
  await checkTrackingReachable(uri, executor);
  const imported = o.archive
    ? await importArchivedRuns(client, {
        file: o.archive,
        experimentId,
        study: study.name,
        preset: o.preset,
        plans,
      })
    : 0;
  const state = await leaseStudy(client, {
    experimentId,
    study,
    preset: o.preset,
    plans,
    executor,
    takeOver: o.takeOver,
    // a ladder's cells on this host keep to its CPU model (on a cluster, the report blocks by CPU)
    ...(study.ladderOf && !executor.workerHosts ? { cpuModel: thisCpuBlock() } : {}),
  });
  const parentRunId = await openParentRun(client, o, {
    study,
    experimentId,
    plans,
    state,
    executor,
  });
  const abort = abortScope(o);
  const slots: (CellResult | undefined)[] = new Array<CellResult | undefined>(plans.length);
  const progress = progressReporter(study, o, plans, slots, state.finishedByHash);
  try {
    progress.report();
    const step = {
      client,
      executor,
      study,
      preset: o.preset,
      experimentId,
      experiment,
      parentRunId,
      trackingUri: uri,
      resources,
      configDir: o.configDir,
      retries: o.retries,
      signal: abort.signal,
      logModels: o.logModels ?? study.logModels ?? false,
      baselineCache: path.join(o.baselineCache, experimentId),
    };
    await runCells(plans, step, state, progress, slots);
    await runAdaptiveRounds(study, o, plans, slots, abort.signal, (more, extra) =>
      runCells(more, step, state, progress, extra),
    );
  } finally {
    abort.release();
  }
  const interrupted = abort.signal.aborted;
  const results = slots.filter((r): r is CellResult => r !== undefined);
  const counts = await closeSweep(client, study, o, parentRunId, results, interrupted);
  return {
    study: study.name,
    preset: o.preset,
    experiment,
    experimentId,
    parentRunId,
    cells: results,
    ...counts,
    interrupted,
    imported,
    otherCpu: state.otherCpu,
    seconds: (Date.now() - t0) / 1000,
  };
}
