/**
 * The encoder as an MLflow logged model (issue 26, item 3), against the real MLflow server: a tiny
 * tracked pretrain logs its encoder and head; the model is READY, linked to the run's outputs, and
 * the evaluation metrics carry its id; loadEncoder rebuilds an encoder whose features equal, bit
 * for bit, those of the trained encoder (read back from the run's local checkpoint); `simclr eval
 * --model` evaluates it through the real command line; a run with model logging off logs none.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-node";
import { resolveConfig } from "../../src/config/resolve";
import { loadDataset } from "../../src/data/load";
import { prepareSplits } from "../../src/train/splits";
import { pretrain } from "../../src/train/pretrain";
import { createTrainingState } from "../../src/train/state";
import { loadCheckpoint, restoreVariables } from "../../src/train/checkpoint";
import { loadEncoder } from "../../src/train/logged-model";
import { modelIdOfUri } from "../../src/track/model-uri";
import { extractFeatures } from "../../src/eval/features";
import { createMlflowClient } from "../../src/track/mlflow";
import { startRun } from "../../src/track/logger";
import { useMlflowServer } from "../support/mlflow";
import { writePatternFolder } from "../support/image-folder";
import { tempDir } from "../support/tmp";

const ROOT = path.resolve(__dirname, "..", "..");
const mlflow = useMlflowServer();
const folder = path.join(tempDir("logged-model-data"), "patterns");
writePatternFolder(folder, { trainPerClass: 16, testPerClass: 8, side: 16 });
const small = {
  data: { dataset: folder, trainLimit: 0, testLimit: 0, resolution: 16 },
  encoder: { widthMultiplier: 0.25 },
  head: { outDim: 16 },
  train: { batchSize: 32, maxSteps: 3 },
  eval: { linearEpochs: 3, knnK: 5 },
};

/** Runs bin/simclr.cjs with the fixture's server; resolves with exit code and output. */
function simclr(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "simclr.cjs"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SIMCLR_NO_DOWNLOAD: "1", MLFLOW_TRACKING_URI: mlflow.url },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("a pretrain logs its encoder as a READY model linked to the run; loadEncoder and simclr eval use it", async () => {
  const checkpointDir = tempDir("logged-model-ckpt");
  const config = resolveConfig("tiny", small, { train: { checkpointDir } });
  const logger = await startRun({
    trackingUri: mlflow.url,
    experiment: "logged-model-it",
    runName: "tiny-model",
    journalDir: tempDir("journal"),
    useEnv: false,
  });
  const t0 = performance.now();
  const r = await pretrain(config, { logger, progress: false });
  const runS = (performance.now() - t0) / 1000;
  const client = createMlflowClient(mlflow.url);
  const run = await client.getRun(r.run_id as string);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.models?.length, 1, "one logged model linked to the run's outputs");
  const link = run.models[0];
  assert.equal(link.step, r.steps);
  const model = await client.getLoggedModel(link.modelId);
  assert.equal(model.status, "LOGGED_MODEL_READY");
  assert.equal(model.sourceRunId, r.run_id);
  assert.equal(model.modelType, "simclr-encoder");
  assert.equal(model.params["encoder.widthMultiplier"], "0.25");
  // the final evaluation metrics carry the model's id (metrics' model_id)
  assert.ok(
    Math.abs(model.metrics.knn_acc - r.knn_acc) < 1e-12,
    "knn_acc is a metric of the model",
  );
  assert.ok(!("loss" in model.metrics), "training-step metrics are the run's, not the model's");

  // loadEncoder: the trained encoder's features, bit for bit (the trained one from the checkpoint)
  const loaded = await loadEncoder(`models:/${model.modelId}`, { client });
  const splits = prepareSplits(await loadDataset(folder), config);
  const trained = createTrainingState(config, splits.train.n, 6);
  try {
    const ckpt = loadCheckpoint(checkpointDir);
    assert.equal(ckpt.step, r.steps);
    const vars = new Map<string, tf.Variable>();
    for (const p of [...trained.encoder.params, ...trained.head.params])
      vars.set(`var:${p.name}`, p.variable);
    restoreVariables(ckpt, vars, checkpointDir);
    const a = extractFeatures((x) => trained.encoder.apply(x, false), splits.test);
    const b = extractFeatures((x) => loaded.encoder.apply(x, false), splits.test);
    assert.equal(a.dim, b.dim);
    assert.deepEqual(Buffer.from(b.data.buffer), Buffer.from(a.data.buffer));
    const ga = tf.tidy(() =>
      trained.head.apply(tf.tensor2d(a.data, [a.n, a.dim]), false).dataSync(),
    );
    const gb = tf.tidy(() =>
      loaded.head.apply(tf.tensor2d(b.data, [b.n, b.dim]), false).dataSync(),
    );
    assert.deepEqual(Buffer.from(gb.buffer), Buffer.from(ga.buffer), "the head too");
  } finally {
    trained.dispose();
    loaded.dispose();
  }

  // simclr eval --model: a re-evaluation without re-training reproduces the run's kNN accuracy
  const t1 = performance.now();
  const out = await simclr(["eval", "--model", `models:/${model.modelId}`, "--json"]);
  const evalS = (performance.now() - t1) / 1000;
  assert.equal(out.code, 0, out.stderr);
  const res = JSON.parse(out.stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
  assert.equal(res.model_id, model.modelId);
  assert.equal(res.source_run_id, r.run_id);
  assert.equal(res.test_images, 48);
  assert.equal(res.knn_acc, r.knn_acc);
  const bytes = (await client.downloadModelArtifact(model, "weights/tensors.bin")).byteLength;
  console.log(
    `# logged model: ${bytes} bytes of weights; pretrain+log ${runS.toFixed(1)} s, simclr eval ${evalS.toFixed(1)} s`,
  );
});

test("a run with model logging off logs no model; bad model URIs are named", async () => {
  const logger = await startRun({
    trackingUri: mlflow.url,
    experiment: "logged-model-it",
    runName: "no-model",
    journalDir: tempDir("journal"),
    useEnv: false,
  });
  const r = await pretrain(resolveConfig("tiny", small, { train: { maxSteps: 1 } }), {
    logger,
    progress: false,
    logModel: false,
  });
  const run = await createMlflowClient(mlflow.url).getRun(r.run_id as string);
  assert.equal(run.info.status, "FINISHED");
  assert.deepEqual(run.models, []);
  assert.throws(() => modelIdOfUri("runs:/abc/model"), /models:\/<model_id>/);
  const bad = await simclr(["eval", "--model", "runs:/abc"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--model: expected models:\/<model_id>, got 'runs:\/abc'/);
  const missing = await simclr(["eval", "--model", "models:/m-doesnotexist"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /m-doesnotexist/);
});
