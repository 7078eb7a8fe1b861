import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { useMlflowServer } from "../support/mlflow";
import { createMlflowClient } from "../../src/track/mlflow";
import { startRun } from "../../src/track/logger";
import { Journal, syncJournals } from "../../src/track/journal";
import { retryingClient } from "../../src/sweep/sweep";
import { tempDir } from "../support/tmp";

const mlflow = useMlflowServer();

function tmpDir(): string {
  return tempDir("journal");
}

test("metrics logged while the server restarts reach it in order and without duplicates", async () => {
  const journalDir = tmpDir();
  const logger = await startRun({
    experiment: "journal-it",
    trackingUri: mlflow.url,
    journalDir,
    flushIntervalMs: 100,
    useEnv: false,
  });
  const runId = logger.runId;
  assert.ok(runId);
  await logger.logParams({ lr: 0.5 });
  for (let step = 0; step < 50; step++) logger.logMetrics({ loss: step }, step);
  await logger.flush();
  await mlflow.server.stop();
  // the server is down: logging goes on and nothing throws
  for (let step = 50; step < 120; step++) logger.logMetrics({ loss: step }, step);
  await logger.setTags({ "simclr.phase": "during-outage" });
  assert.ok(logger.pending() > 0);
  // a sweep's client waits for the server instead of failing
  const waiting = retryingClient(createMlflowClient(mlflow.url), 120_000).getRun(runId);
  await mlflow.restart();
  assert.equal((await waiting).info.runId, runId);
  for (let step = 120; step < 150; step++) logger.logMetrics({ loss: step }, step);
  await logger.finish("FINISHED");
  const c = createMlflowClient(mlflow.url);
  const hist = await c.getMetricHistory(runId, "loss");
  assert.deepEqual(
    hist.map((m) => m.step),
    Array.from({ length: 150 }, (_, i) => i),
  );
  assert.deepEqual(
    hist.map((m) => m.value),
    Array.from({ length: 150 }, (_, i) => i),
  );
  const run = await c.getRun(runId);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.tags["simclr.phase"], "during-outage");
  assert.equal(logger.pending(), 0);
  assert.deepEqual(fs.readdirSync(journalDir), []);
});

test("a run started while the server is down is created later by simclr mlflow sync, once", async () => {
  const journalDir = tmpDir();
  const deadUri = "http://127.0.0.1:9"; // nothing listens on the discard port
  const logger = await startRun({
    experiment: "journal-offline",
    runName: "offline",
    trackingUri: deadUri,
    journalDir,
    finishTimeoutMs: 200,
    useEnv: false,
  });
  assert.equal(logger.runId, undefined);
  await logger.logParams({ seed: 3 });
  for (let step = 0; step < 30; step++) logger.logMetrics({ acc: step / 30 }, step);
  await logger.logArtifact("notes.txt", "offline artifact");
  await logger.finish("FINISHED", "logged offline");
  assert.ok(fs.existsSync(logger.journalFile));
  // replay through the CLI against the real server, twice: the second run must change nothing
  for (let i = 0; i < 2; i++) {
    const r = spawnSync(
      process.execPath,
      ["bin/simclr.cjs", "mlflow", "sync", "--dir", journalDir, "--uri", mlflow.url, "--json"],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
  }
  assert.deepEqual(fs.readdirSync(journalDir), []);
  const c = createMlflowClient(mlflow.url);
  const runs = await c.searchAllRuns({ experimentNames: ["journal-offline"] });
  assert.equal(runs.length, 1);
  const run = runs[0];
  assert.equal(run.info.runName, "offline");
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.params.seed, "3");
  assert.equal(run.tags["mlflow.note.content"], "logged offline");
  assert.equal((await c.getMetricHistory(run.info.runId, "acc")).length, 30);
  assert.equal(await c.downloadArtifactText(run.info.runId, "notes.txt"), "offline artifact");
});

test("replaying a journal whose offset was lost does not duplicate metric rows", async () => {
  const journalDir = tmpDir();
  const logger = await startRun({
    experiment: "journal-dup",
    trackingUri: mlflow.url,
    journalDir,
    finishTimeoutMs: 5000,
    useEnv: false,
  });
  for (let step = 0; step < 20; step++) logger.logMetrics({ loss: 1 / (step + 1) }, step);
  await logger.flush();
  const runId = logger.runId;
  assert.ok(runId);
  // simulate a crash between a successful request and the offset write: reopen with offset 1
  const j = Journal.open(logger.journalFile);
  j.state.replayed = 1;
  j.state.ownerPid = undefined;
  j.saveState();
  const out = await syncJournals({ dir: journalDir, uri: mlflow.url, markOrphansKilled: false });
  assert.equal(out.length, 1);
  assert.equal(out[0].runId, runId);
  const c = createMlflowClient(mlflow.url);
  assert.equal((await c.getMetricHistory(runId, "loss")).length, 20);
  await logger.finish("FINISHED");
});

test("sync marks the run of a journal whose process died KILLED instead of leaving it RUNNING", async () => {
  const journalDir = tmpDir();
  const script = `
    const { startRun } = require(${JSON.stringify(path.resolve("src/track/logger.ts"))});
    startRun({ experiment: "journal-orphan", trackingUri: process.argv[1], journalDir: process.argv[2], useEnv: false }).then(async (l) => {
      l.logMetrics({ loss: 1 }, 0);
      await l.flush();
      console.log(l.runId);
      process.exit(0); // dies without finish()
    });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script, mlflow.url, journalDir], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const runId = r.stdout.trim().split("\n").pop() ?? "";
  const c = createMlflowClient(mlflow.url);
  assert.equal((await c.getRun(runId)).info.status, "RUNNING");
  const out = await syncJournals({ dir: journalDir, uri: mlflow.url });
  assert.equal(out[0].complete, true);
  const run = await c.getRun(runId);
  assert.equal(run.info.status, "KILLED");
  assert.match(run.tags["simclr.terminated_by"], /owner process gone/);
});

test("a model logged while the server is down becomes one READY logged model on sync, files intact", async () => {
  const journalDir = tmpDir();
  const logger = await startRun({
    experiment: "journal-model",
    runName: "offline-model",
    trackingUri: "http://127.0.0.1:9",
    journalDir,
    finishTimeoutMs: 200,
    useEnv: false,
  });
  const weights = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) % 256);
  await logger.logModel({
    name: "encoder",
    modelType: "simclr-encoder",
    step: 7,
    params: { "encoder.arch": "resnet18" },
    tags: {},
    files: [
      { path: "weights/tensors.bin", content: weights },
      { path: "config.json", content: '{"seed":1}' },
    ],
  });
  logger.logMetrics({ knn_acc: 0.5 }, 7, { ofModel: true });
  logger.logMetrics({ train_s: 3 }, 7);
  await logger.finish("FINISHED");
  const r = spawnSync(
    process.execPath,
    ["bin/simclr.cjs", "mlflow", "sync", "--dir", journalDir, "--uri", mlflow.url, "--json"],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(journalDir), []);
  const c = createMlflowClient(mlflow.url);
  const [run] = await c.searchAllRuns({ experimentNames: ["journal-model"] });
  assert.deepEqual(
    run.models?.map((m) => m.step),
    [7],
  );
  const model = await c.getLoggedModel(run.models?.[0]?.modelId as string);
  assert.equal(model.status, "LOGGED_MODEL_READY");
  assert.equal(model.sourceRunId, run.info.runId);
  assert.deepEqual(model.metrics, { knn_acc: 0.5 });
  assert.deepEqual(await c.downloadModelArtifact(model, "weights/tensors.bin"), weights);
});
