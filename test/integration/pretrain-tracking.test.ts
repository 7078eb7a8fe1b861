import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import { resolveConfig } from "../../src/config/resolve";
import { pretrain } from "../../src/train/pretrain";
import { DivergenceError } from "../../src/train/divergence";
import { createMlflowClient } from "../../src/track/mlflow";
import { startRun } from "../../src/track/logger";
import { cpuInfo } from "../../src/track/cpu";
import { useMlflowServer } from "../support/mlflow";
import { syntheticDataset } from "../train/support";
import { tempDir } from "../support/tmp";

const mlflow = useMlflowServer();
const dataset = syntheticDataset(128, 32);
const small = {
  data: { trainLimit: 0, testLimit: 0, resolution: 16 },
  encoder: { widthMultiplier: 0.25 },
  head: { outDim: 16 },
  train: { batchSize: 32, maxSteps: 4 },
  eval: { linearEpochs: 5, knnK: 10 },
};

function journalDir(): string {
  return tempDir("journal");
}

test("a tracked run lands in MLflow with the whole config, per-step metrics, results and FINISHED", async () => {
  const logger = await startRun({
    trackingUri: mlflow.url,
    experiment: "pretrain-it",
    runName: "tiny-it",
    journalDir: journalDir(),
    useEnv: false,
  });
  const r = await pretrain(resolveConfig("tiny", small), { dataset, logger, progress: false });
  assert.equal(r.run_id, logger.runId);
  const client = createMlflowClient(mlflow.url);
  const run = await client.getRun(logger.runId as string);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.params["loss.temperature"], "0.2");
  assert.equal(run.params["train.batchSize"], "32");
  assert.equal(run.tags["simclr.preset"], "tiny");
  assert.equal(run.tags["simclr.backend"], r.backend.backend);
  // the CPU behind the run's figures (issue 16), from this machine's /proc/cpuinfo
  const cpu = cpuInfo();
  assert.equal(run.params["env.cpu_model"], cpu.model);
  assert.equal(run.params["env.cpu_isa"], cpu.isa.join(" ") || "none");
  assert.equal(run.params["env.onednn"], String(r.backend.onednn ?? false));
  assert.equal(run.params["env.threads"], String(r.backend.threads));
  assert.equal((await client.getMetricHistory(run.info.runId, "loss")).length, 4);
  assert.ok(Math.abs(run.metrics.linear_acc - r.linear_acc) < 1e-9);
  assert.ok("random_init_linear_acc" in run.metrics);
  // On the server every metric carries its group, so the run page sections them (issue 26).
  const raw = (await (
    await fetch(`${mlflow.url}/api/2.0/mlflow/runs/get?run_id=${run.info.runId}`)
  ).json()) as { run: { data: { metrics: { key: string }[] } } };
  const keys = raw.run.data.metrics.map((m) => m.key);
  const plain = keys.filter((k) => !/^(train|eval|time|system)\//.test(k));
  assert.deepEqual(plain, [], "every logged metric has a group");
  for (const k of [
    "train/loss",
    "eval/linear_acc",
    "eval/knn_acc",
    "time/eval_s",
    "time/feature_s",
  ])
    assert.ok(keys.includes(k), `${k} among ${keys.join(", ")}`);
  assert.equal(
    Object.keys(run.metrics).filter((k) => k.includes("/") && !k.startsWith("system/")).length,
    0,
  );
});

test("runs logged before the group prefixes read back under the same names", async () => {
  const client = createMlflowClient(mlflow.url);
  const experimentId = await client.getOrCreateExperiment("pretrain-it-old");
  const old = await client.createRun({ experimentId, runName: "plain-names" });
  // the way runs were logged before: plain names, straight through the REST API
  const metrics = [0, 1, 2].flatMap((step) => [
    { key: "loss", value: 3 - step, timestamp: Date.now(), step },
    { key: "linear_acc", value: 0.25, timestamp: Date.now(), step },
  ]);
  const res = await fetch(`${mlflow.url}/api/2.0/mlflow/runs/log-batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ run_id: old.runId, metrics }),
  });
  assert.equal(res.status, 200, await res.text());
  const run = await client.getRun(old.runId);
  assert.deepEqual(run.metrics, { loss: 1, linear_acc: 0.25 });
  const history = await client.getMetricHistory(old.runId, "loss");
  assert.deepEqual(
    history.map((m) => [m.key, m.step, m.value]),
    [
      ["loss", 0, 3],
      ["loss", 1, 2],
      ["loss", 2, 1],
    ],
  );
});

test("a diverging tracked run is marked FAILED with the step and value in its note", async () => {
  const logger = await startRun({
    trackingUri: mlflow.url,
    experiment: "pretrain-it",
    runName: "nan-it",
    journalDir: journalDir(),
    useEnv: false,
  });
  const cfg = resolveConfig("tiny", small, {
    optimizer: { kind: "sgd", learningRate: 1e30, warmupEpochs: 0 },
    train: { maxSteps: 20 },
  });
  await assert.rejects(pretrain(cfg, { dataset, logger, progress: false }), DivergenceError);
  const run = await createMlflowClient(mlflow.url).getRun(logger.runId as string);
  assert.equal(run.info.status, "FAILED");
  assert.match(run.tags["mlflow.note.content"] ?? "", /training diverged: loss is .* at step \d+/);
});
