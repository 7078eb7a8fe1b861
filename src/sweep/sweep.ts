/**
 * Running a study as a resumable sweep tracked in MLflow: one parent run per (study, preset) and one
 * child run per cell x seed. Cells whose resolved config (sha256, tag simclr.config_hash) already
 * has a FINISHED run are skipped; failed cells are retried once and the sweep keeps going; a killed
 * sweep marks its running cell and itself KILLED, and a later run takes over what was left RUNNING.
 */
import os from "node:os";
import { trackingContextFromEnv, type TrackingContext } from "../track/context";
import { environmentTags } from "../track/environment";
import { flattenParams, isTransientError, MlflowClient, type Run } from "../track/mlflow";
import type { RunStatus } from "../track/types";
import { figurePage } from "../plot/artifacts";
import { studyFigure } from "../plot/study";
import { createLocalExecutor, type CellOutcome, type Executor } from "./executor";
import { terminalProgress, type SweepProgress } from "./progress";
import { isEvidence, nextAdaptivePlans } from "./adaptive";
import { planStudy, type CellPlan, type ConfigResolver, type Overrides, type Study } from "./study";
import { pidAlive } from "../util/process";

/** Options for {@link runSweep}. */
export interface SweepOptions {
  /** Preset name passed to the config resolver ("tiny", "small", "paper"). */
  preset: string;
  /** Seeds per cell; default the study's. */
  seeds?: number;
  /** Experiment name; default the study's name. */
  experiment?: string;
  /** Tracking server; default $MLFLOW_TRACKING_URI, else the project's local server. */
  trackingUri?: string;
  /** Runs the cells; default the local executor (`node bin/simclr.cjs pretrain --config FILE --json`). */
  executor?: Executor;
  /** Builds each cell's full config; default a plain merge ({preset, ...overrides}). */
  resolveConfig?: ConfigResolver;
  /** Extra attempts for a failed cell within this sweep. */
  retries: number;
  /** Called after each cell (and when one starts). */
  onProgress?: (p: SweepProgress) => void;
  /** Draw a progress bar on stderr. */
  progressBar: boolean;
  /** Stops the sweep: the running cell is stopped and marked KILLED, the parent run too. */
  signal?: AbortSignal;
  /** Turn SIGINT/SIGTERM into an abort while the sweep runs (for CLI processes). */
  handleSignals: boolean;
  /** Resume a sweep that another host left RUNNING (its cells still RUNNING are marked KILLED). */
  takeOver: boolean;
}

/** Defaults for {@link SweepOptions}. */
export const SWEEP_DEFAULTS: Readonly<Omit<SweepOptions, "preset">> = Object.freeze({
  retries: 1,
  progressBar: false,
  handleSignals: false,
  takeOver: false,
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
}

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
  seconds: number;
}

/** Tag values used by sweeps. */
export const SWEEP_TAGS = Object.freeze({
  role: "simclr.role",
  study: "simclr.study",
  preset: "simclr.preset",
  hash: "simclr.config_hash",
  pid: "simclr.sweep_pid",
  host: "simclr.sweep_host",
  cell: "simclr.cell",
  seed: "simclr.seed",
});

/** Seeds each cell of a plan runs, by label (in cell order). */
function seedsPerCell(plans: readonly CellPlan[]): Map<string, number> {
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

function numericMetrics(obj: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj ?? {}))
    if (typeof v === "number" && /^[A-Za-z0-9_./\- :]+$/.test(k)) out[k] = v;
  return out;
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

/** Uploads the study's figures to the parent run: plots/<metric>.json, and .html for the main metric. */
async function logStudyFigures(
  client: MlflowClient,
  runId: string,
  study: Study,
  preset: string,
  results: CellResult[],
): Promise<void> {
  const done = results.filter((r) => r.status === "FINISHED" || r.status === "SKIPPED");
  const main = study.plot?.metric ?? study.metrics[0];
  try {
    for (const metric of study.metrics) {
      if (!done.some((r) => typeof r.metrics[metric] === "number")) continue;
      const fig = studyFigure(study, done, metric, preset);
      const name = metric.replace(/[^A-Za-z0-9_.-]/g, "_");
      await client.uploadArtifact(runId, `plots/${name}.json`, JSON.stringify(fig));
      if (metric === main)
        await client.uploadArtifact(
          runId,
          `plots/${name}.html`,
          figurePage(fig, `${study.name}: ${metric}`),
        );
    }
  } catch (err) {
    process.stderr.write(
      `simclr sweep: could not upload the study's figures: ${(err as Error).message}\n`,
    );
  }
}

function q(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * Runs a study as a sweep. Resolves with a summary (also when interrupted: `interrupted` is true).
 * Throws when tracking cannot be reached at the start or another live sweep owns the same study.
 */
export async function runSweep(
  study: Study,
  options: Partial<SweepOptions> & { preset: string },
): Promise<SweepResult> {
  const o: SweepOptions = { ...SWEEP_DEFAULTS, ...options };
  const t0 = Date.now();
  const env: TrackingContext = trackingContextFromEnv();
  const direct = new MlflowClient(o.trackingUri ?? env.trackingUri);
  const uri = await direct.uri();
  const client = retryingClient(direct);
  const planOpts: { preset: string; seeds?: number; resolveConfig?: ConfigResolver } = {
    preset: o.preset,
  };
  if (o.seeds !== undefined) planOpts.seeds = o.seeds;
  if (o.resolveConfig) planOpts.resolveConfig = o.resolveConfig;
  const plans = planStudy(study, planOpts);
  const experiment = o.experiment ?? study.name;
  const experimentId = await direct.getOrCreateExperiment(experiment); // fail fast when the server is down at the start
  const executor = o.executor ?? createLocalExecutor();

  // what is already there ----------------------------------------------------------------------
  const existing = await client.searchAllRuns({
    experimentIds: [experimentId],
    filter: `tags.${SWEEP_TAGS.study} = ${q(study.name)}`,
  });
  const parents = existing
    .filter((r) => r.tags[SWEEP_TAGS.role] === "sweep" && r.tags[SWEEP_TAGS.preset] === o.preset)
    .sort((a, b) => b.info.startTime - a.info.startTime);
  const host = os.hostname();
  for (const p of parents) {
    const pid = Number(p.tags[SWEEP_TAGS.pid]);
    if (
      p.info.status === "RUNNING" &&
      p.tags[SWEEP_TAGS.host] === host &&
      pid &&
      pid !== process.pid &&
      pidAlive(pid)
    ) {
      throw new Error(
        `study '${study.name}' (preset ${o.preset}) is already being swept by process ${pid} (parent run ${p.info.runId})`,
      );
    }
    if (
      p.info.status === "RUNNING" &&
      p.tags[SWEEP_TAGS.host] &&
      p.tags[SWEEP_TAGS.host] !== host &&
      !o.takeOver
    ) {
      throw new Error(
        `study '${study.name}' (preset ${o.preset}) is marked RUNNING by a sweep on host ${p.tags[SWEEP_TAGS.host]} ` +
          `(pid ${p.tags[SWEEP_TAGS.pid]}, parent run ${p.info.runId}); if that sweep is gone, run again with takeOver (--take-over)`,
      );
    }
  }
  // cells left RUNNING by a sweep that died: no live process owns them any more
  const parentIds = new Set(parents.map((p) => p.info.runId));
  for (const r of existing) {
    if (
      r.info.status === "RUNNING" &&
      r.tags[SWEEP_TAGS.role] !== "sweep" &&
      parentIds.has(r.tags["mlflow.parentRunId"])
    ) {
      const plan = plans.find((pl) => pl.configHash === r.tags[SWEEP_TAGS.hash]);
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
  const finishedByHash = new Map<string, Run>();
  for (const r of existing) {
    const h = r.tags[SWEEP_TAGS.hash];
    if (
      h &&
      r.info.status === "FINISHED" &&
      r.tags[SWEEP_TAGS.role] !== "sweep" &&
      !finishedByHash.has(h)
    )
      finishedByHash.set(h, r);
  }

  // the parent run -----------------------------------------------------------------------------
  const sweepTags: Record<string, string> = {
    [SWEEP_TAGS.pid]: String(process.pid),
    [SWEEP_TAGS.host]: host,
    "simclr.sweep_cells": String(plans.length),
  };
  let parentRunId: string;
  if (parents[0]) {
    parentRunId = parents[0].info.runId;
    await client.updateRun(parentRunId, { status: "RUNNING" });
    await client.setTags(parentRunId, sweepTags);
  } else {
    const info = await client.createRun({
      experimentId,
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
      executor: executor.name,
    });
  }
  // the definition this sweep ran (reports read it when the study is not registered where they run)
  await client.uploadArtifact(parentRunId, "study.json", JSON.stringify(study, null, 2));

  // abort handling -----------------------------------------------------------------------------
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
      `\nsimclr sweep: ${sig}: stopping the running cell and marking runs KILLED (again to force)\n`,
    );
    controller.abort();
  };
  if (o.handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }

  const progressFns: ((p: SweepProgress) => void)[] = [];
  if (o.onProgress) progressFns.push(o.onProgress);
  if (o.progressBar) progressFns.push(terminalProgress());
  const results: CellResult[] = [];
  const executedSeconds: number[] = [];
  const report = (running?: string): void => {
    const done = results.length;
    const mean = executedSeconds.length
      ? executedSeconds.reduce((a, b) => a + b, 0) / executedSeconds.length
      : undefined;
    const p: SweepProgress = {
      study: study.name,
      total: plans.length,
      done,
      skipped: results.filter((r) => r.status === "SKIPPED").length,
      failed: results.filter((r) => r.status === "FAILED").length,
      elapsedSeconds: (Date.now() - t0) / 1000,
    };
    if (running) p.running = running;
    if (executedSeconds.length) p.lastCellSeconds = executedSeconds[executedSeconds.length - 1];
    if (mean !== undefined) {
      p.meanCellSeconds = mean;
      const left = plans.slice(done).filter((pl) => !finishedByHash.has(pl.configHash)).length;
      p.etaSeconds = mean * left;
    }
    for (const f of progressFns) f(p);
  };

  const contextFor = (plan: CellPlan): TrackingContext => ({
    trackingUri: uri,
    experiment,
    parentRunId,
    configHash: plan.configHash,
    study: study.name,
    runName: plan.runName,
    preset: o.preset,
  });

  /** The cell's run for this attempt: by the run_id it printed, else by hash under this parent. */
  const findCellRun = async (
    plan: CellPlan,
    outcome: CellOutcome | undefined,
    since: number,
  ): Promise<Run | undefined> => {
    const printed = outcome?.result?.run_id ?? outcome?.result?.runId;
    if (typeof printed === "string" && printed) {
      try {
        return await client.getRun(printed);
      } catch {
        /* fall through to the search */
      }
    }
    const runs = await client.searchAllRuns({
      experimentIds: [experimentId],
      filter: `tags.${SWEEP_TAGS.hash} = ${q(plan.configHash)} and tags.\`mlflow.parentRunId\` = ${q(parentRunId)}`,
      orderBy: ["attributes.start_time DESC"],
    });
    return runs.find((r) => r.info.startTime >= since - 2000);
  };

  const cellTags = (plan: CellPlan): Record<string, string> => ({
    "mlflow.parentRunId": parentRunId,
    [SWEEP_TAGS.hash]: plan.configHash,
    [SWEEP_TAGS.study]: study.name,
    [SWEEP_TAGS.preset]: o.preset,
    [SWEEP_TAGS.cell]: plan.label,
    [SWEEP_TAGS.seed]: String(plan.seed),
  });

  /** A run for a cell whose command did not track itself (so the cell is never silent). */
  const createRunFor = async (
    plan: CellPlan,
    status: RunStatus,
    metrics: Record<string, number>,
    note: string,
  ): Promise<string> => {
    const info = await client.createRun({
      experimentId,
      runName: plan.runName,
      tags: { ...cellTags(plan), "simclr.logged_by": "sweep", "mlflow.note.content": note },
    });
    await client.logParams(info.runId, flattenParams(plan.config));
    if (Object.keys(metrics).length) await client.logMetrics(info.runId, metrics, 0);
    await client.terminateRun(info.runId, status);
    return info.runId;
  };

  // --- adaptive seeds (issue 12; logic in src/sweep/adaptive.ts): after the plan's last cell, plan
  // more seeds for the cells of undecided claims; the loop below runs them (and looks again).
  const adaptive = (plan: CellPlan): void => {
    if (plan === plans[plans.length - 1])
      plans.push(...nextAdaptivePlans(study, planOpts, results.filter(isEvidence)).plans);
  };
  let interrupted = false;
  try {
    report();
    for (const plan of plans) {
      if (controller.signal.aborted) {
        interrupted = true;
        break;
      }
      const base = {
        cellIndex: plan.cellIndex,
        label: plan.label,
        overrides: plan.overrides,
        seed: plan.seed,
        configHash: plan.configHash,
      };
      const done = finishedByHash.get(plan.configHash);
      if (done) {
        results.push({
          ...base,
          status: "SKIPPED",
          runId: done.info.runId,
          metrics: done.metrics,
          attempts: 0,
          // The earlier run's own duration, so a resumed sweep's table still shows every cell's cost.
          ...(done.info.endTime !== undefined
            ? { seconds: (done.info.endTime - done.info.startTime) / 1000 }
            : {}),
        });
        report();
        adaptive(plan);
        continue;
      }
      const cellName = `${plan.label} seed ${plan.seed}`;
      let result: CellResult | undefined;
      for (let attempt = 1; attempt <= 1 + o.retries; attempt++) {
        report(attempt > 1 ? `${cellName} (retry)` : cellName);
        const since = Date.now();
        let outcome: CellOutcome;
        try {
          outcome = await executor.run(
            { plan, study: study.name, preset: o.preset, context: contextFor(plan) },
            controller.signal,
          );
        } catch (err) {
          outcome = {
            ok: false,
            exitCode: null,
            stderrTail: (err as Error).message,
            seconds: (Date.now() - since) / 1000,
          };
        }
        const run = await findCellRun(plan, outcome, since);
        if (controller.signal.aborted) {
          interrupted = true;
          if (run)
            await client.setTags(run.info.runId, {
              ...cellTags(plan),
              "simclr.terminated_by": "sweep interrupted",
            });
          if (run && run.info.status === "RUNNING")
            await client.terminateRun(run.info.runId, "KILLED");
          result = {
            ...base,
            status: "KILLED",
            metrics: {},
            attempts: attempt,
            seconds: outcome.seconds,
          };
          if (run) result.runId = run.info.runId;
          break;
        }
        executedSeconds.push(outcome.seconds);
        const fromJson = numericMetrics(outcome.result);
        if (outcome.ok) {
          let runId: string;
          if (!run)
            runId = await createRunFor(
              plan,
              "FINISHED",
              fromJson,
              "logged by the sweep from the cell's JSON result",
            );
          else {
            runId = run.info.runId;
            const missing: Record<string, number> = {};
            for (const m of study.metrics)
              if (m in fromJson && !(m in run.metrics)) missing[m] = fromJson[m];
            if (Object.keys(missing).length) await client.logMetrics(runId, missing, 0);
            const tags = cellTags(plan);
            const absent = Object.fromEntries(
              Object.entries(tags).filter(([k]) => !(k in run.tags)),
            );
            if (Object.keys(absent).length) await client.setTags(runId, absent);
            if (run.info.status !== "FINISHED") await client.terminateRun(runId, "FINISHED");
          }
          result = {
            ...base,
            status: "FINISHED",
            runId,
            metrics: { ...(run?.metrics ?? {}), ...fromJson },
            attempts: attempt,
            seconds: outcome.seconds,
          };
          break;
        }
        const why = outcome.signal
          ? `killed by ${outcome.signal}`
          : `exit code ${outcome.exitCode}`;
        const note = `cell failed (${why}, attempt ${attempt}):\n${outcome.stderrTail}`.slice(
          0,
          7900,
        );
        let runId: string;
        if (!run) runId = await createRunFor(plan, "FAILED", fromJson, note);
        else {
          runId = run.info.runId;
          await client.setTags(runId, { "mlflow.note.content": note, ...cellTags(plan) });
          if (run.info.status !== "FAILED") await client.terminateRun(runId, "FAILED");
        }
        result = {
          ...base,
          status: "FAILED",
          runId,
          metrics: fromJson,
          attempts: attempt,
          seconds: outcome.seconds,
          error: note,
        };
      }
      if (result) results.push(result);
      report();
      if (interrupted) break;
      adaptive(plan);
    }
  } finally {
    if (o.handleSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    o.signal?.removeEventListener("abort", onOuterAbort);
  }

  const finished = results.filter((r) => r.status === "FINISHED").length;
  const skipped = results.filter((r) => r.status === "SKIPPED").length;
  const failed = results.filter((r) => r.status === "FAILED").length;
  const parentStatus: RunStatus = interrupted ? "KILLED" : failed > 0 ? "FAILED" : "FINISHED";
  const summary =
    `${study.description}\n\nlast sweep: ${finished} cells run, ${skipped} skipped (already finished), ${failed} failed` +
    (interrupted ? ", interrupted" : "");
  await client.setTags(parentRunId, { "mlflow.note.content": summary.slice(0, 7900) });
  await client.logMetrics(
    parentRunId,
    { cells_finished: finished, cells_skipped: skipped, cells_failed: failed },
    0,
  );
  await logStudyFigures(client, parentRunId, study, o.preset, results);
  await client.terminateRun(parentRunId, parentStatus);
  return {
    study: study.name,
    preset: o.preset,
    experiment,
    experimentId,
    parentRunId,
    cells: results,
    finished,
    skipped,
    failed,
    interrupted,
    seconds: (Date.now() - t0) / 1000,
  };
}
