/**
 * Sweeps on a real two-node Ray cluster (test/support/ray.ts) through the Jobs REST API, tracked
 * in a real MLflow server: cells land as child runs with their submission ids on both nodes, the
 * credentials reach jobs through the nodes' environment and never show in Ray's job info, a
 * re-run submits nothing, a stopped job is retried by the next run, a killed orchestrator is
 * re-attached, and more GPUs than any node has fail at once.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useMlflowServer } from "../support/mlflow";
import {
  childrenByCell,
  spawnSweepCli,
  waitForScore as waitForCellScore,
  type SweepProcess,
} from "../support/sweep-runs";
import { useRayCluster } from "../support/ray";
import type { Run } from "../../src/track/mlflow";
import { createRayExecutor, dashboardRequest } from "../../src/sweep/ray";
import { runSweep } from "../../src/sweep/sweep";
import type { Study } from "../../src/evidence/study";
import { tempDir } from "../support/tmp";
import { standIn } from "../support/stand-in";

const PASSWORD = "s3cret-only-on-the-nodes";
const ray = useRayCluster({
  MLFLOW_TRACKING_USERNAME: "simclr",
  MLFLOW_TRACKING_PASSWORD: PASSWORD,
});
const mlflow = useMlflowServer();
const ROOT = path.resolve(__dirname, "..", "..");
const tmp = tempDir("ray-sweep");
/**
 * A Ray job's environment is its node's plus the runtime_env the executor sends (the tracking
 * context), so the fixture's switches travel on its command line.
 */
const cell = (...vars: string[]): string[] => [
  "env",
  `SIMCLR_JOURNAL_DIR=${path.join(tmp, "journal")}`,
  `CELL_MARKER_DIR=${tmp}`,
  ...vars,
  process.execPath,
  "--import",
  "tsx",
  path.join(ROOT, "test/sweep/fixtures/cell.ts"),
];
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const skip = ray.skip;
if (skip) console.log(`# skipping the Ray tests: ${skip}`);

function study(name: string, x = [1, 2, 3]): Study {
  return {
    name,
    description: "ray test",
    base: {},
    grid: standIn({ x }),
    seeds: 1,
    metrics: ["score"],
  };
}

const executor = (command = cell()): ReturnType<typeof createRayExecutor> =>
  createRayExecutor({
    address: ray.dashboard,
    command,
    cwd: ROOT,
    pollSeconds: 0.5,
  });

const children = (experiment: string): Promise<Map<string, Run[]>> =>
  childrenByCell(mlflow.url, experiment);

async function rayJobs(): Promise<{ submission_id: string; status: string }[]> {
  const r = await fetch(`${ray.dashboard}/api/jobs/`);
  return (await r.json()) as { submission_id: string; status: string }[];
}

const waitForScore = (experiment: string, label: string): Promise<Run> =>
  waitForCellScore(mlflow.url, experiment, label, 120_000);

test(
  "ray: every cell is a job on one of two nodes and a child run tagged with its submission id; credentials stay out of job info; a re-run submits nothing",
  { skip },
  async () => {
    await ray.ready;
    const r1 = await runSweep(study("ray-basic", [1, 2, 3, 4]), {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(tmp, "cfg"),
      executor: executor(),
    });
    assert.deepEqual(
      r1.cells.map((c) => c.status),
      ["FINISHED", "FINISHED", "FINISHED", "FINISHED"],
      r1.cells.map((c) => c.error ?? "").join("\n"),
    );
    assert.deepEqual(
      r1.cells.map((c) => c.metrics.score),
      [10, 20, 30, 40],
    );
    const kids = await children("ray-basic");
    const nodes = new Set<string>();
    for (const [label, runs] of kids) {
      assert.equal(runs.length, 1, label);
      const [run] = runs;
      assert.equal(run.info.status, "FINISHED");
      assert.equal(run.tags["simclr.executor"], "ray");
      assert.equal(run.tags["simclr.job_state"], "SUCCEEDED");
      assert.match(run.tags["simclr.job_id"], /^simclr-/);
      assert.equal(run.params.credentials, "true", "the job got the credentials from its node");
      nodes.add(run.tags["simclr.job_node"]);
      const info = await (
        await fetch(`${ray.dashboard}/api/jobs/${run.tags["simclr.job_id"]}`)
      ).text();
      assert.ok(!info.includes(PASSWORD), "Ray's job info does not carry the password");
      assert.match(info, /SIMCLR_RUN_ID/);
    }
    assert.equal(kids.size, 4);
    assert.equal(nodes.size, 2, `cells ran on ${[...nodes].join(", ")}`);
    const before = (await rayJobs()).length;
    const r2 = await runSweep(study("ray-basic", [1, 2, 3, 4]), {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(tmp, "cfg"),
      executor: executor(),
    });
    assert.deepEqual(
      r2.cells.map((c) => c.status),
      ["SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED"],
    );
    assert.equal((await rayJobs()).length, before, "no new job submitted");
  },
);

test(
  "ray: a job stopped mid-run ends FAILED/KILLED and the next run retries it",
  { skip },
  async () => {
    await ray.ready;
    {
      const ex = executor(cell("CELL_SLEEP_X=2", "CELL_SLEEP_ONCE=1", "CELL_SLEEP_SECONDS=60"));
      const sweep = runSweep(study("ray-stop"), {
        preset: "tiny",
        trackingUri: mlflow.url,
        configDir: path.join(tmp, "cfg"),
        executor: ex,
        retries: 0,
      });
      const running = await waitForScore("ray-stop", "x=2");
      const id = running.tags["simclr.job_id"];
      const stop = await dashboardRequest("POST", `${ray.dashboard}/api/jobs/${id}/stop`);
      assert.equal(stop.status, 200);
      const r1 = await sweep;
      const x2 = r1.cells.find((c) => c.label === "x=2");
      assert.equal(x2?.status, "FAILED");
      assert.match(x2?.error ?? "", /STOPPED/);
      const r2 = await runSweep(study("ray-stop"), {
        preset: "tiny",
        trackingUri: mlflow.url,
        configDir: path.join(tmp, "cfg"),
        executor: ex,
      });
      assert.deepEqual(
        r2.cells.map((c) => c.status),
        ["SKIPPED", "FINISHED", "SKIPPED"],
      );
      const runs = (await children("ray-stop")).get("x=2") ?? [];
      assert.equal(runs.length, 2);
      assert.ok(
        ["FAILED", "KILLED"].includes(
          runs.find((r) => r.info.runId === running.info.runId)?.info.status ?? "",
        ),
      );
      assert.ok(runs.some((r) => r.info.status === "FINISHED"));
    }
  },
);

test(
  "ray: an orchestrator killed mid-sweep is re-attached to its jobs, no duplicates",
  { skip },
  async () => {
    await ray.ready;
    const file = path.join(tmp, "ray-reattach.json");
    fs.writeFileSync(file, JSON.stringify(study("ray-reattach")));
    const cellCommand = cell("CELL_SLEEP_X=2", "CELL_SLEEP_SECONDS=6").join(" ");
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
          "ray",
          "--ray-address",
          ray.dashboard,
          "--cell-command",
          cellCommand,
        ],
        { MLFLOW_TRACKING_URI: mlflow.url },
      );
    const first = cli();
    const running = await waitForScore("ray-reattach", "x=2");
    process.kill(-first.pid, "SIGKILL");
    await first.done;
    const jobs = (await rayJobs()).length;
    const again = cli();
    assert.equal(await again.done, 0, again.out());
    const kids = await children("ray-reattach");
    for (const label of ["x=1", "x=2", "x=3"])
      assert.equal(kids.get(label)?.length, 1, `${label}: one run`);
    const x2 = kids.get("x=2")?.[0];
    assert.equal(x2?.info.runId, running.info.runId, "the same run, re-attached");
    assert.equal(x2?.tags["simclr.job_id"], running.tags["simclr.job_id"]);
    assert.equal(x2?.info.status, "FINISHED");
    // x=3 may have been submitted by the first or the second orchestrator, never by both
    assert.ok((await rayJobs()).length - jobs <= 1);
    const ids = (await rayJobs())
      .map((j) => j.submission_id)
      .filter((s) => s.includes(x2?.tags["mlflow.parentRunId"].slice(0, 12) ?? "?"));
    assert.equal(ids.length, new Set(ids).size);
  },
);

test(
  "ray: more GPUs than any node has fail at once, naming what the cluster has",
  { skip },
  async () => {
    await ray.ready;
    const t0 = Date.now();
    const before = (await rayJobs()).length;
    const r = await runSweep(study("ray-bad-gpus"), {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(tmp, "cfg"),
      executor: executor(),
      resources: { cpus: 1, gpus: 2 },
    });
    assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
    assert.equal(r.cells.length, 1);
    assert.equal(r.cells[0].status, "FAILED");
    assert.match(
      r.cells[0].error ?? "",
      /no node of the cluster .* has CPU=1, GPU=2 .*largest node: CPU=1, GPU=0/,
    );
    assert.equal((await rayJobs()).length, before, "nothing submitted");
  },
);
