/**
 * Sweeps on a real single-node Slurm cluster (test/support/slurm.ts) tracked in a real MLflow
 * server: cells land as child runs with their job ids, a re-run submits nothing, a cancelled job
 * is retried by the next run, a killed orchestrator is re-attached, bad resources fail at once.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { useMlflowServer } from "../support/mlflow";
import {
  childrenByCell,
  spawnSweepCli,
  waitForScore as waitForCellScore,
  type SweepProcess,
} from "../support/sweep-runs";
import { useSlurmCluster } from "../support/slurm";
import type { Run } from "../../src/track/mlflow";
import { createSlurmExecutor } from "../../src/sweep/slurm";
import { runSweep } from "../../src/sweep/sweep";
import { runStudy } from "../../src/sweep/run-study";
import { e2eData } from "../support/e2e-data";
import type { Study } from "../../src/evidence/study";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir } from "../support/tmp";
import { standIn } from "../support/stand-in";

const slurm = useSlurmCluster();
const mlflow = useMlflowServer();
const ROOT = path.resolve(__dirname, "..", "..");
const CELL = [process.execPath, "--import", "tsx", path.join(ROOT, "test/sweep/fixtures/cell.ts")];
const tmp = tempDir("slurm-sweep");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);
process.env.CELL_MARKER_DIR = tmp;
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const skip = slurm.skip;
if (skip) console.log(`# skipping the Slurm tests: ${skip}`);

function study(name: string): Study {
  return {
    name,
    description: "slurm test",
    base: {},
    grid: standIn({ x: [1, 2, 3] }),
    seeds: 1,
    metrics: ["score"],
  };
}

const executor = (): ReturnType<typeof createSlurmExecutor> =>
  createSlurmExecutor({
    command: CELL,
    cwd: ROOT,
    logDir: path.join(tmp, "logs"),
    pollSeconds: 0.5,
  });

const children = (experiment: string): Promise<Map<string, Run[]>> =>
  childrenByCell(mlflow.url, experiment);

/** Job ids Slurm has seen so far (scontrol keeps ended jobs for MinJobAge). */
function slurmJobIds(): string[] {
  const r = spawnSync("scontrol", ["show", "job", "-o"], { encoding: "utf8" });
  return [...r.stdout.matchAll(/JobId=(\d+)/g)].map((m) => m[1]);
}

const waitForScore = (experiment: string, label: string): Promise<Run> =>
  waitForCellScore(mlflow.url, experiment, label, 90_000);

test(
  "slurm: every cell is a job and a child run tagged with its job id; a re-run submits nothing",
  { skip },
  async () => {
    await slurm.ready;
    const r1 = await runSweep(study("slurm-basic"), {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(tmp, "cfg"),
      executor: executor(),
    });
    assert.deepEqual(
      r1.cells.map((c) => c.status),
      ["FINISHED", "FINISHED", "FINISHED"],
    );
    assert.deepEqual(
      r1.cells.map((c) => c.metrics.score),
      [10, 20, 30],
    );
    const kids = await children("slurm-basic");
    const jobIds = new Set<string>();
    for (const label of ["x=1", "x=2", "x=3"]) {
      const runs = kids.get(label) ?? [];
      assert.equal(runs.length, 1, label);
      const [run] = runs;
      assert.equal(run.info.status, "FINISHED");
      assert.equal(run.tags["simclr.executor"], "slurm");
      assert.equal(run.tags["simclr.job_state"], "COMPLETED");
      assert.match(run.tags["simclr.job_id"], /^\d+$/);
      assert.equal(run.tags["mlflow.parentRunId"], r1.parentRunId);
      assert.equal(run.params.x, label.slice(2)); // logged by the cell itself, into the sweep's run
      jobIds.add(run.tags["simclr.job_id"]);
    }
    assert.equal(jobIds.size, 3);
    for (const id of jobIds) assert.ok(slurmJobIds().includes(id), `job ${id} known to Slurm`);
    const before = slurmJobIds().length;
    const r2 = await runSweep(study("slurm-basic"), {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(tmp, "cfg"),
      executor: executor(),
    });
    assert.deepEqual(
      r2.cells.map((c) => c.status),
      ["SKIPPED", "SKIPPED", "SKIPPED"],
    );
    assert.equal(slurmJobIds().length, before, "no new job submitted");
  },
);

test(
  "slurm: a job cancelled mid-run ends FAILED/KILLED and the next run retries it",
  { skip },
  async () => {
    await slurm.ready;
    process.env.CELL_SLEEP_X = "2";
    process.env.CELL_SLEEP_ONCE = "1";
    process.env.CELL_SLEEP_SECONDS = "60";
    try {
      const sweep = runSweep(study("slurm-cancel"), {
        preset: "tiny",
        trackingUri: mlflow.url,
        configDir: path.join(tmp, "cfg"),
        executor: executor(),
        retries: 0,
      });
      const running = await waitForScore("slurm-cancel", "x=2");
      const jobId = running.tags["simclr.job_id"];
      assert.match(jobId, /^\d+$/);
      assert.equal(spawnSync("scancel", [jobId]).status, 0);
      const r1 = await sweep;
      const x2 = r1.cells.find((c) => c.label === "x=2");
      assert.equal(x2?.status, "FAILED");
      assert.match(x2?.error ?? "", /CANCELLED/);
      const after1 = (await children("slurm-cancel")).get("x=2") ?? [];
      assert.ok(
        ["FAILED", "KILLED"].includes(after1[0]?.info.status ?? ""),
        after1[0]?.info.status,
      );
      const r2 = await runSweep(study("slurm-cancel"), {
        preset: "tiny",
        trackingUri: mlflow.url,
        configDir: path.join(tmp, "cfg"),
        executor: executor(),
      });
      assert.deepEqual(
        r2.cells.map((c) => c.status),
        ["SKIPPED", "FINISHED", "SKIPPED"],
      );
      const runs = (await children("slurm-cancel")).get("x=2") ?? [];
      assert.deepEqual(runs.map((r) => r.info.status).sort(), ["FAILED", "FINISHED"]);
    } finally {
      delete process.env.CELL_SLEEP_X;
      delete process.env.CELL_SLEEP_ONCE;
    }
  },
);

test(
  "slurm: an orchestrator killed mid-sweep is re-attached to its queued/running jobs, no duplicates",
  { skip },
  async () => {
    await slurm.ready;
    const file = path.join(tmp, "slurm-reattach.json");
    fs.writeFileSync(file, JSON.stringify(study("slurm-reattach")));
    const cli = (): SweepProcess =>
      spawnSweepCli(
        ROOT,
        [
          file,
          "--preset",
          "tiny",
          "--quiet",
          "--json",
          "--executor",
          "slurm",
          "--log-dir",
          path.join(tmp, "logs"),
          "--cell-command",
          CELL.join(" "),
        ],
        { MLFLOW_TRACKING_URI: mlflow.url, CELL_SLEEP_X: "2", CELL_SLEEP_SECONDS: "6" },
      );
    const first = cli();
    const running = await waitForScore("slurm-reattach", "x=2");
    process.kill(-first.pid, "SIGKILL"); // the orchestrator dies; its jobs live on under slurmd
    await first.done;
    const jobs = slurmJobIds().length;
    const again = cli();
    assert.equal(await again.done, 0, again.out());
    const summary = JSON.parse(again.out().trim().split("\n").pop() ?? "{}") as {
      cells: { status: string }[];
    };
    assert.ok(
      summary.cells.every((c) => c.status === "FINISHED" || c.status === "SKIPPED"),
      again.out(),
    );
    const kids = await children("slurm-reattach");
    for (const label of ["x=1", "x=2", "x=3"])
      assert.equal(kids.get(label)?.length, 1, `${label}: one run`);
    const x2 = kids.get("x=2")?.[0];
    assert.equal(x2?.info.runId, running.info.runId, "the same run, re-attached");
    assert.equal(x2?.tags["simclr.job_id"], running.tags["simclr.job_id"]);
    assert.equal(x2?.info.status, "FINISHED");
    assert.equal(slurmJobIds().length, jobs, "nothing resubmitted");
  },
);

test(
  "slurm: more GPUs than the cluster has, or an unknown partition, fail at once with sbatch's message",
  { skip },
  async () => {
    await slurm.ready;
    for (const [resources, message] of [
      [{ cpus: 1, gpus: 2 }, /Invalid generic resource/],
      [{ cpus: 1, gpus: 0, partition: "nosuchpartition" }, /invalid partition/i],
    ] as const) {
      const t0 = Date.now();
      const r = await runSweep(study(`slurm-bad-${resources.gpus}`), {
        preset: "tiny",
        trackingUri: mlflow.url,
        configDir: path.join(tmp, "cfg"),
        executor: executor(),
        resources,
      });
      assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
      assert.equal(r.cells.length, 1, "the sweep stops after the engine rejects a cell");
      assert.equal(r.cells[0].status, "FAILED");
      assert.equal(r.cells[0].attempts, 1);
      assert.match(r.cells[0].error ?? "", message);
    }
  },
);

test(
  "slurm: a tiny study's real `simclr pretrain` cells run as Slurm jobs and land in MLflow",
  { skip },
  async () => {
    await slurm.ready;
    // The generated image folder where CIFAR-10 is not configured (a fresh clone), else CIFAR-10;
    // the jobs inherit this process's environment (sbatch --export=ALL).
    const data = e2eData();
    Object.assign(process.env, data.env);
    try {
      const real: Study = {
        name: "slurm-real-cells",
        description: "two temperatures, real pretrain cells",
        base: {},
        cells: [{ loss: { temperature: 0.5 } }, { loss: { temperature: 1 } }],
        seeds: 1,
        metrics: ["linear_acc"],
      };
      const r = await runStudy(real, {
        preset: "tiny",
        trackingUri: mlflow.url,
        configDir: path.join(tmp, "cfg"),
        executor: "slurm",
        executorOptions: {
          slurm: {
            logDir: path.join(tmp, "logs"),
            pollSeconds: 0.5,
          },
        },
        overrides: { data: { dataset: data.env.SIMCLR_DATASET ?? "cifar10" } },
        onProgress: () => {},
      });
      assert.deepEqual(
        r.cells.map((c) => c.status),
        ["FINISHED", "FINISHED"],
        r.cells.map((c) => c.error ?? "").join("\n"),
      );
      const runs = await children("slurm-real-cells");
      for (const c of r.cells) {
        const [run] = runs.get(c.label) ?? [];
        assert.ok(run, `a child run for ${c.label}`);
        assert.match(run.tags["simclr.job_id"] ?? "", /^\d+$/);
        const acc = run.metrics.linear_acc;
        assert.ok(acc > 0 && acc <= 1, `linear_acc of ${c.label}: ${acc}`);
      }
    } finally {
      for (const k of Object.keys(data.env)) delete process.env[k];
      if (data.tempDir) fs.rmSync(data.tempDir, { recursive: true, force: true });
    }
  },
);
