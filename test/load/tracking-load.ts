/**
 * The tracking load test (issue 26, `npm run test:load`, run by .ci/run and not by `npm test`):
 * two training processes keep both cores busy for SIMCLR_LOAD_MINUTES (default 10) while logging
 * at the quickstart's rate to an MLflow server started the way `npm start` starts it, and not one
 * send may fall back to the journal. Before the keep-alive fix (test/load/keepalive-race.ts) each
 * kNN monitor that blocked the event loop past uvicorn's 5 s keep-alive cost one fallback.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { locateDataset } from "../../src/data/load";
import { createMlflowClient } from "../../src/track/mlflow";
import { startMlflowServer } from "../../src/track/server";
import { writePatternFolder } from "../support/image-folder";
import type { WorkerArgs, WorkerRun } from "./train-worker";

const minutes = Number(process.env.SIMCLR_LOAD_MINUTES ?? "10");
const WORKERS = 2;

function runWorker(args: WorkerArgs): Promise<WorkerRun[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        // an entry point like every test process: the harness hands the environment to the toolkit
        "--import",
        path.join(__dirname, "..", "support", "environment.cjs"),
        path.join(__dirname, "train-worker.ts"),
        JSON.stringify(args),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`worker ${args.worker} exited ${code}: ${last}`));
      resolve((JSON.parse(last) as { runs: WorkerRun[] }).runs);
    });
  });
}

test(`${minutes} min of training on ${WORKERS} processes logs to MLflow with no journal fallback`, async (t) => {
  assert.ok(minutes > 0, `SIMCLR_LOAD_MINUTES must be a positive number, got '${minutes}'`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "simclr-load-"));
  const server = await startMlflowServer({ storeDir: path.join(tmp, "mlflow"), port: 0 });
  t.after(async () => {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  // CIFAR-10 where configured (as the quickstart), else a generated folder of the same image size.
  let dataset = "cifar10";
  if (!locateDataset("cifar10")) {
    dataset = path.join(tmp, "patterns");
    writePatternFolder(dataset, { trainPerClass: 1024, testPerClass: 200 });
  }
  const deadline = Date.now() + minutes * 60_000;
  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, worker) =>
      runWorker({
        trackingUri: server.url,
        journalDir: path.join(tmp, `journal${worker}`),
        dataset,
        deadline,
        // 20 steps of 256 per epoch: a kNN monitor (which blocks the event loop for seconds) about
        // every half minute on two busy cores, more often than the quickstart's once per 195 steps.
        trainLimit: 5120,
        epochs: 3,
        worker,
      }),
    ),
  );
  const runs = results.flat();
  const fallbacks = runs.reduce((s, r) => s + r.fallbacks, 0);
  console.log(
    `load: ${runs.length} runs, ${runs.reduce((s, r) => s + r.steps, 0)} steps in ${minutes} min, ` +
      `${fallbacks} journal fallbacks`,
  );
  assert.ok(runs.length >= WORKERS, "each worker finished at least one run");
  assert.equal(fallbacks, 0, `journal fallbacks: ${JSON.stringify(runs)}`);
  const client = createMlflowClient(server.url);
  for (const r of runs) {
    assert.equal(r.pending, 0, `run ${r.runId} left entries in its journal`);
    const run = await client.getRun(r.runId as string);
    assert.ok(
      ["FINISHED", "KILLED"].includes(run.info.status),
      `run ${r.runId}: ${run.info.status}`,
    );
  }
});
