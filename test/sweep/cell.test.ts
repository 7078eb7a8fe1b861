/**
 * The "run a cell" step (src/sweep/cell.ts) against an in-memory stand-in for the MLflow client
 * and scripted executors: the attempt's run is created SCHEDULED and tagged with the job id when
 * submitted, failures are retried and noted, rejected resources are not retried, a job left in
 * flight is re-attached, and the loopback-tracking check refuses remote workers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { runCell, type CellStep, type SweepClient } from "../../src/sweep/cell";
import {
  SubmitRejected,
  type CellOutcome,
  type CellTask,
  type Executor,
} from "../../src/sweep/executor";
import { checkTrackingReachable } from "../../src/sweep/reachable";
import { planStudy } from "../../src/grid/study-grid";
import type { Study } from "../../src/evidence/study";
import type { Run, RunInfo } from "../../src/track/mlflow";
import { trackingContextToEnv } from "../../src/track/context";
import { standIn } from "../support/stand-in";
import { tempDir } from "../support/tmp";

/** An in-memory run store with the calls a cell step makes. */
function fakeClient(): SweepClient & { runs: Map<string, Run>; statusLog: string[] } {
  const runs = new Map<string, Run>();
  const statusLog: string[] = [];
  let n = 0;
  const get = (id: string): Run => {
    const r = runs.get(id);
    if (!r) throw new Error(`no run ${id}`);
    return r;
  };
  const setStatus = (id: string, status: RunInfo["status"]): RunInfo => {
    get(id).info.status = status;
    statusLog.push(`${id}:${status}`);
    return get(id).info;
  };
  return {
    runs,
    statusLog,
    async createRun(o) {
      const info: RunInfo = {
        runId: `run${++n}`,
        experimentId: o.experimentId,
        runName: o.runName ?? "",
        status: "RUNNING",
        startTime: Date.now(),
        artifactUri: "",
        lifecycleStage: "active",
      };
      runs.set(info.runId, { info, metrics: {}, params: {}, tags: { ...o.tags } });
      return info;
    },
    async getRun(id) {
      return structuredClone(get(id));
    },
    async setTags(id, tags) {
      Object.assign(get(id).tags, tags);
    },
    async updateRun(id, u) {
      return u.status ? setStatus(id, u.status) : get(id).info;
    },
    async terminateRun(id, status) {
      return setStatus(id, status);
    },
    async logParams(id, params) {
      for (const [k, v] of Object.entries(params)) get(id).params[k] = String(v);
    },
    async logMetrics(id, metrics) {
      Object.assign(get(id).metrics, metrics);
    },
  };
}

const study: Study = {
  name: "s",
  description: "",
  base: {},
  grid: standIn({ x: [1] }),
  seeds: 1,
  metrics: ["score"],
};
const [plan] = planStudy(study, { preset: "tiny" });
const configDir = tempDir("cell-configs");

function step(client: SweepClient, executor: Executor, retries = 1, logModels = false): CellStep {
  return {
    client,
    executor,
    study,
    preset: "tiny",
    experimentId: "1",
    experiment: "s",
    parentRunId: "parent0123456789",
    trackingUri: "http://127.0.0.1:5000",
    resources: { cpus: 1, gpus: 0 },
    configDir,
    retries,
    signal: new AbortController().signal,
    logModels,
  };
}

/** An executor that plays the given outcomes in turn, "submitting" each as job N. */
function scripted(outcomes: (CellOutcome | Error)[], client: ReturnType<typeof fakeClient>) {
  const seen: { task: CellTask; statusAtSubmit: string }[] = [];
  const ex: Executor & { seen: typeof seen } = {
    name: "fake",
    seen,
    async run(task) {
      const next = outcomes.shift();
      if (next instanceof Error) throw next;
      await task.onSubmitted?.(`job${seen.length + 1}`);
      const runId = task.context.runId ?? "";
      seen.push({ task, statusAtSubmit: client.runs.get(runId)?.info.status ?? "?" });
      return next ?? { ok: false, exitCode: 1, stderrTail: "no script", seconds: 0 };
    },
  };
  return ex;
}

const ok = (score: number): CellOutcome => ({
  ok: true,
  exitCode: 0,
  stderrTail: "",
  seconds: 1,
  result: { score },
});
const failed: CellOutcome = { ok: false, exitCode: 3, stderrTail: "boom", seconds: 1 };

test("runCell: the run exists SCHEDULED with the job id before the cell runs; a silent cell's run gets params and metrics", async () => {
  const c = fakeClient();
  const ex = scripted([ok(42)], c);
  const r = await runCell(step(c, ex), plan, { priorAttempts: 0 });
  assert.equal(r.status, "FINISHED");
  assert.equal(r.metrics.score, 42);
  assert.equal(ex.seen[0].statusAtSubmit, "SCHEDULED");
  assert.equal(ex.seen[0].task.context.runId, r.runId);
  const run = c.runs.get(r.runId ?? "");
  assert.equal(run?.tags["simclr.job_id"], "job1");
  assert.equal(run?.tags["simclr.executor"], "fake");
  assert.equal(run?.tags["simclr.logged_by"], "sweep");
  assert.equal(run?.params.x, "1");
  assert.equal(run?.metrics.score, 42);
  assert.equal(run?.info.status, "FINISHED");
});

test("runCell: cells log no model unless the sweep asks (SIMCLR_LOG_MODEL reaches the cell)", async () => {
  for (const logModels of [false, true]) {
    const c = fakeClient();
    const ex = scripted([ok(1)], c);
    await runCell(step(c, ex, 1, logModels), plan, { priorAttempts: 0 });
    const env = trackingContextToEnv(ex.seen[0].task.context);
    assert.equal(env.SIMCLR_LOG_MODEL, logModels ? "1" : "0");
  }
});

test("runCell: the sweep's random-init baseline folder reaches the cell (SIMCLR_BASELINE_CACHE)", async () => {
  const c = fakeClient();
  const ex = scripted([ok(1), ok(1)], c);
  await runCell({ ...step(c, ex), baselineCache: "/shared/baselines/1" }, plan, {
    priorAttempts: 0,
  });
  await runCell(step(c, ex), plan, { priorAttempts: 0 });
  const [withCache, without] = ex.seen.map((s) => trackingContextToEnv(s.task.context));
  assert.equal(withCache.SIMCLR_BASELINE_CACHE, "/shared/baselines/1");
  assert.equal(without.SIMCLR_BASELINE_CACHE, undefined);
});

test("runCell: a failure is noted and retried in a new run; attempt keys differ", async () => {
  const c = fakeClient();
  const ex = scripted([failed, ok(7)], c);
  const r = await runCell(step(c, ex), plan, { priorAttempts: 0 });
  assert.equal(r.status, "FINISHED");
  assert.equal(r.attempts, 2);
  const [first, second] = [...c.runs.values()];
  assert.equal(first.info.status, "FAILED");
  assert.match(
    first.tags["mlflow.note.content"],
    /^boom\n\n\(cell failed: exit code 3, attempt 1\)/,
  );
  assert.equal(second.info.status, "FINISHED");
  assert.notEqual(ex.seen[0].task.attemptKey, ex.seen[1].task.attemptKey);
  // the executor gets the file the cell step wrote once: the plan's resolved config, as it is
  const [a, b] = ex.seen.map((s) => s.task.configFile);
  assert.equal(a, b);
  assert.deepEqual(JSON.parse(fs.readFileSync(a, "utf8")), plan.config);
});

test("runCell: resources the engine rejects are not retried", async () => {
  const c = fakeClient();
  const ex = scripted([new SubmitRejected("sbatch: error: invalid partition specified: x")], c);
  const r = await runCell(step(c, ex, 3), plan, { priorAttempts: 0 });
  assert.equal(r.status, "FAILED");
  assert.equal(r.rejected, true);
  assert.equal(r.attempts, 1);
  assert.match(r.error ?? "", /invalid partition/);
  assert.equal(c.runs.size, 1);
});

test("runCell: a job left in flight is re-attached instead of submitted again", async () => {
  const c = fakeClient();
  const left = await c.createRun({ experimentId: "1", tags: { "simclr.job_id": "77" } });
  const ex: Executor = {
    name: "fake",
    async run() {
      throw new Error("must not submit");
    },
    async attach(jobId) {
      return { ...ok(5), jobId, jobState: "COMPLETED" };
    },
  };
  const r = await runCell(step(c, ex), plan, {
    priorAttempts: 1,
    inFlight: { runId: left.runId, jobId: "77" },
  });
  assert.equal(r.status, "FINISHED");
  assert.equal(r.runId, left.runId);
  assert.equal(c.runs.size, 1);
  assert.equal(c.runs.get(left.runId)?.tags["simclr.job_state"], "COMPLETED");
});

test("runCell: a job the engine forgot is marked KILLED and the cell submitted again", async () => {
  const c = fakeClient();
  const left = await c.createRun({ experimentId: "1", tags: {} });
  const ex: Executor = { ...scripted([ok(1)], c), attach: async () => undefined };
  const r = await runCell(step(c, ex), plan, {
    priorAttempts: 1,
    inFlight: { runId: left.runId, jobId: "9" },
  });
  assert.equal(r.status, "FINISHED");
  assert.equal(c.runs.get(left.runId)?.info.status, "KILLED");
  assert.match(c.runs.get(left.runId)?.tags["simclr.terminated_by"] ?? "", /no longer knows job 9/);
});

test("checkTrackingReachable: loopback tracking with a worker on another host is refused with the basic-auth how-to", async () => {
  const remote: Executor = {
    name: "slurm",
    run: async () => failed,
    workerHosts: async () => ["10.1.2.3", "127.0.0.1"],
  };
  await assert.rejects(
    checkTrackingReachable("http://127.0.0.1:5000", remote),
    /loopback.*10\.1\.2\.3[\s\S]*--app-name basic-auth/,
  );
  await checkTrackingReachable("http://10.0.0.5:5000", remote); // a cluster address is fine
  const local: Executor = {
    name: "slurm",
    run: async () => failed,
    workerHosts: async () => ["127.0.0.1", "localhost"],
  };
  await checkTrackingReachable("http://localhost:5000", local);
});
