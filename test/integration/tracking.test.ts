import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { useMlflowServer } from "../support/mlflow";
import { createMlflowClient, MlflowError } from "../../src/track/mlflow";
import { startRun } from "../../src/track/logger";
import { lineChart } from "../../src/plot/figures";
import { logFigure } from "../../src/plot/artifacts";
import { tempDir } from "../support/tmp";

const mlflow = useMlflowServer();
const journalDir = tempDir("journal");

test("a run is created, logged in batches over the server's limits, terminated and found by search", async () => {
  const c = createMlflowClient(mlflow.url);
  const exp = await c.getOrCreateExperiment("tracking-it");
  assert.equal(await c.getOrCreateExperiment("tracking-it"), exp);
  const run = await c.createRun({
    experimentId: exp,
    runName: "r-<1>",
    tags: { "simclr.study": "s1" },
  });
  assert.equal(run.status, "RUNNING");
  // 250 params (limit 100 per request), 2500 metric values (limit 1000), nested config flattened
  const config: Record<string, unknown> = { optim: { lr: 0.3, kind: "lars" }, crops: [0.08, 1] };
  for (let i = 0; i < 248; i++) config[`p${i}`] = i;
  await c.logParams(run.runId, config);
  const metrics = Array.from({ length: 2500 }, (_, i) => ({
    key: "loss",
    value: i === 7 ? NaN : 1 / (i + 1),
    step: i,
    timestamp: 1000 + i,
  }));
  await c.logBatch(run.runId, { metrics });
  await c.terminateRun(run.runId, "FINISHED");
  const got = await c.getRun(run.runId);
  assert.equal(got.info.status, "FINISHED");
  assert.equal(got.params["optim.lr"], "0.3");
  assert.equal(got.params["crops"], "0.08,1"); // arrays are joined with "," (src/util/flatten.ts)
  assert.equal(Object.keys(got.params).length, 251);
  const hist = await c.getMetricHistory(run.runId, "loss");
  assert.equal(hist.length, 2500);
  assert.ok(Number.isNaN(hist[7].value));
  assert.equal(hist[2499].value, 1 / 2500);
  const other = await c.createRun({
    experimentId: exp,
    runName: "other",
    tags: { "simclr.study": "s2" },
  });
  await c.terminateRun(other.runId, "FAILED");
  const t = await c.searchRunsTable({
    experimentNames: ["tracking-it"],
    filter: "tags.simclr.study = 's1' and attributes.status = 'FINISHED'",
  });
  assert.equal(t.numRows(), 1);
  assert.equal(t.get("run_name", 0), "r-<1>");
  assert.equal(t.get("params.optim.kind", 0), "lars");
  const ordered = await c.searchAllRuns({
    experimentIds: [exp],
    orderBy: ["attributes.run_name ASC"],
  });
  assert.deepEqual(
    ordered.map((r) => r.info.runName),
    ["other", "r-<1>"],
  );
});

test("artifacts go up and come back byte for byte through the artifact proxy", async () => {
  const c = createMlflowClient(mlflow.url);
  const exp = await c.getOrCreateExperiment("tracking-it");
  const run = await c.createRun({ experimentId: exp });
  const bin = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
  await c.uploadArtifact(run.runId, "plots/fig.html", "<div>é</div>");
  await c.uploadArtifact(run.runId, "checkpoints/w.bin", bin);
  assert.equal(await c.downloadArtifactText(run.runId, "plots/fig.html"), "<div>é</div>");
  assert.deepEqual(await c.downloadArtifact(run.runId, "checkpoints/w.bin"), bin);
  const top = await c.listArtifacts(run.runId);
  assert.deepEqual(top.map((e) => [e.path, e.isDir]).sort(), [
    ["checkpoints", true],
    ["plots", true],
  ]);
  const plots = await c.listArtifacts(run.runId, "plots");
  assert.deepEqual(
    plots.map((e) => [e.path, e.fileSize]),
    [["plots/fig.html", 13]],
  );
  await assert.rejects(
    c.uploadArtifact(run.runId, "../escape.txt", "x"),
    /relative path inside the run/,
  );
});

test("server errors carry MLflow's error_code and bad input names the field", async () => {
  const c = createMlflowClient(mlflow.url);
  await assert.rejects(c.getRun("0123456789abcdef0123456789abcdef"), (err: unknown) => {
    assert.ok(err instanceof MlflowError);
    assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
    assert.equal(err.status, 404);
    return true;
  });
  const exp = await c.getOrCreateExperiment("tracking-it");
  await assert.rejects(
    c.searchRuns({ experimentIds: [exp], filter: "nonsense ~~" }),
    /INVALID_PARAMETER_VALUE: Invalid clause/,
  );
  const run = await c.createRun({ experimentId: exp });
  await assert.rejects(
    c.logParams(run.runId, { "lr!": 1 }),
    /param key "lr!" has characters MLflow rejects/,
  );
  await assert.rejects(
    c.logParams(run.runId, { big: "x".repeat(6001) }),
    /param 'big' value is 6001 characters; MLflow keeps at most 6000/,
  );
  await c.logParams(run.runId, { lr: 1 });
  await assert.rejects(
    c.logParams(run.runId, { lr: 2 }),
    (err: unknown) => err instanceof MlflowError && /Changing param values/.test(err.message),
  );
  assert.throws(
    () => createMlflowClient("file:///tmp/mlruns"),
    /uses 'file:'.*needs http:\/\/host:port/,
  );
  assert.throws(() => createMlflowClient("not a url"), /tracking URI "not a url" is not a URL/);
  await assert.rejects(
    createMlflowClient("http://127.0.0.1:9").getOrCreateExperiment("x"),
    (err: unknown) => {
      assert.ok(err instanceof MlflowError);
      assert.equal(err.errorCode, "UNREACHABLE");
      assert.match(err.message, /cannot reach the MLflow server at http:\/\/127\.0\.0\.1:9/);
      return true;
    },
  );
});

test("startRun logs params, metrics, tags, a note and an artifact and removes its journal when done", async () => {
  const logger = await startRun({
    experiment: "logger-it",
    runName: "cell",
    trackingUri: mlflow.url,
    journalDir,
    tags: { "simclr.preset": "tiny" },
    useEnv: false,
  });
  assert.ok(logger.runId);
  await logger.logParams({ "optim.lr": 0.3, arch: "convnet" });
  for (let step = 0; step < 1500; step++)
    logger.logMetrics({ loss: 10 - step / 1000, acc: step / 1500 }, step);
  await logger.setTags({ "simclr.backend": "tensorflow" });
  await logger.logArtifact("config.json", '{"a":1}', "config");
  await logFigure(
    logger,
    "acc",
    lineChart({ title: "acc", series: [], xTitle: "step", yTitle: "acc" }),
  );
  await logger.finish("FINISHED", "all <good>");
  const c = createMlflowClient(mlflow.url);
  const run = await c.getRun(logger.runId);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.info.runName, "cell");
  assert.equal(run.tags["mlflow.note.content"], "all <good>");
  assert.equal(run.tags["simclr.backend"], "tensorflow");
  assert.equal(run.tags["simclr.preset"], "tiny");
  assert.ok(run.tags["simclr.hardware"]);
  assert.equal(run.params["optim.lr"], "0.3");
  const loss = await c.getMetricHistory(logger.runId, "loss");
  assert.equal(loss.length, 1500);
  assert.deepEqual(
    loss.map((m) => m.step),
    Array.from({ length: 1500 }, (_, i) => i),
  );
  assert.equal(await c.downloadArtifactText(logger.runId, "config/config.json"), '{"a":1}');
  // a figure as its plotly spec and as a picture the artifact viewer shows
  assert.deepEqual((await c.listArtifacts(logger.runId, "plots")).map((a) => a.path).sort(), [
    "plots/acc.json",
    "plots/acc.svg",
  ]);
  assert.match(await c.downloadArtifactText(logger.runId, "plots/acc.svg"), /<svg xmlns=/);
  assert.equal(fs.existsSync(logger.journalFile), false);
});
