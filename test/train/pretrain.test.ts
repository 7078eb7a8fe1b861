import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { resolveConfig } from "../../src/config/resolve";
import type { PretrainConfigOverrides } from "../../src/config/pretrain-config";
import { pretrain } from "../../src/train/pretrain";
import { DivergenceError } from "../../src/train/divergence";
import { loadCheckpoint } from "../../src/train/checkpoint";
import type { StepMetrics } from "../../src/train/metrics";
import { recordingLogger, small, syntheticDataset } from "./support";
import { tempDir } from "../support/tmp";

const dataset = syntheticDataset(256, 64);

/** Tensors left behind by a run of `steps` steps (model construction only, never per step). */
async function leftBehind(steps: number): Promise<number> {
  const before = tf.memory().numTensors;
  await pretrain(resolveConfig("tiny", small, { train: { maxSteps: steps } }), {
    dataset,
    progress: false,
  });
  return tf.memory().numTensors - before;
}

test("a run logs its config and per-step metrics and returns the result fields", async () => {
  const logger = recordingLogger();
  const steps: StepMetrics[] = [];
  const r = await pretrain(resolveConfig("tiny", small), {
    dataset,
    logger,
    progress: false,
    onStep: (m) => steps.push(m),
  });
  assert.equal(steps.length, 6);
  assert.deepEqual(
    steps.map((m) => m.step),
    [0, 1, 2, 3, 4, 5],
  );
  for (const m of steps) {
    assert.ok(Number.isFinite(m.loss) && m.loss > 0);
    assert.ok(m.contrastiveAccuracy >= 0 && m.contrastiveAccuracy <= 1);
    assert.ok(m.entropy > 0 && m.viewsPerSecond > 0 && m.views === 64);
  }
  assert.equal(steps[0].learningRate, 0, "warm-up starts at 0 (official schedule)");
  for (const key of ["loss", "contrastive_acc", "entropy", "lr", "views_per_s"]) {
    assert.equal(logger.metrics.filter((x) => x.key === key && x.step < 6).length, 6, key);
  }
  assert.equal(logger.params["loss.temperature"], 0.2);
  assert.equal(logger.params["encoder.arch"], "convnet");
  assert.equal(logger.tags["simclr.preset"], "tiny");
  assert.equal(logger.tags["simclr.backend"], r.backend.backend);
  assert.match(logger.tags["simclr.config_hash"], /^[0-9a-f]{64}$/);
  assert.equal(logger.status, "FINISHED");
  assert.equal(r.steps, 6);
  assert.ok(r.knn_acc >= 0 && r.knn_acc <= 1);
  assert.ok(r.train_s > 0 && r.views_per_s > 0 && r.eval_s > 0);
  assert.equal(r.history.length, 1);
});

test("tensor memory does not grow with the number of steps", async () => {
  assert.equal(await leftBehind(6), await leftBehind(2));
});

test("a run with every evaluation leaves no tensor behind (a notebook kernel can run many)", async () => {
  const everything: PretrainConfigOverrides = {
    train: { maxSteps: 4, epochs: 2, knnEveryEpochs: 1 },
    eval: { linear: true, linearEpochs: 2, randomInit: true, transformProbe: "mlp", knnK: 10 },
  };
  const run = (): Promise<unknown> =>
    pretrain(resolveConfig("tiny", small, everything), { dataset, progress: false });
  await run(); // first run: lazily built kernels and caches
  const before = tf.memory().numTensors;
  await run();
  assert.equal(tf.memory().numTensors - before, 0);
});

test("a resumed run reproduces an uninterrupted run step for step", async () => {
  const dir = tempDir("ckpt");
  const straightDir = path.join(dir, "straight");
  const resumedDir = path.join(dir, "resumed");
  const cfg = (d: string) =>
    resolveConfig("tiny", small, { train: { maxSteps: 10, checkpointDir: d } });
  const straight: number[] = [];
  await pretrain(cfg(straightDir), {
    dataset,
    progress: false,
    onStep: (m) => straight.push(m.loss),
  });
  // Stop after 7 steps (mid-epoch: 8 steps per epoch), then resume from the checkpoint.
  const ac = new AbortController();
  const first: number[] = [];
  const logger = recordingLogger();
  await pretrain(cfg(resumedDir), {
    dataset,
    logger,
    progress: false,
    signal: ac.signal,
    onStep: (m) => {
      first.push(m.loss);
      if (m.step === 6) ac.abort();
    },
  });
  assert.equal(logger.status, "KILLED");
  assert.equal(loadCheckpoint(resumedDir).step, 7);
  const rest: number[] = [];
  const r = await pretrain(cfg(resumedDir), {
    dataset,
    progress: false,
    onStep: (m) => rest.push(m.loss),
  });
  assert.equal(r.steps, 10);
  assert.deepEqual([...first, ...rest], straight);
  const a = loadCheckpoint(straightDir);
  const b = loadCheckpoint(resumedDir);
  assert.equal(a.tensors.size, b.tensors.size);
  for (const [name, t] of a.tensors) assert.deepEqual(b.tensors.get(name)?.data, t.data, name);
  assert.ok(
    [...a.tensors.keys()].some((k) => k.includes("movingMean")),
    "BN statistics are saved",
  );
  assert.ok(
    [...a.tensors.keys()].some((k) => k.startsWith("opt:")),
    "optimizer slots are saved",
  );
  assert.equal(r.history.length, 2, "history survives the resume");
});

test("a checkpoint of another config is refused, naming both configs", async () => {
  const dir = tempDir("ckpt");
  await pretrain(resolveConfig("tiny", small, { train: { maxSteps: 2, checkpointDir: dir } }), {
    dataset,
    progress: false,
  });
  await assert.rejects(
    pretrain(
      resolveConfig("tiny", small, {
        train: { maxSteps: 2, checkpointDir: dir },
        loss: { temperature: 0.9 },
      }),
      {
        dataset,
        progress: false,
      },
    ),
    /belongs to config/,
  );
});

test("a NaN or infinite loss stops the run with DivergenceError and marks it FAILED", async () => {
  const logger = recordingLogger();
  const cfg = resolveConfig("tiny", small, {
    optimizer: { kind: "sgd", learningRate: 1e30, warmupEpochs: 0 },
    train: { maxSteps: 20 },
  });
  const normal = await leftBehind(2);
  const before = tf.memory().numTensors;
  await assert.rejects(pretrain(cfg, { dataset, logger, progress: false }), (e: unknown) => {
    assert.ok(e instanceof DivergenceError);
    assert.ok(e.step >= 1 && e.step < 20);
    assert.ok(!Number.isFinite(e.value));
    assert.match(e.message, new RegExp(`at step ${e.step}`));
    return true;
  });
  assert.equal(logger.status, "FAILED");
  assert.match(logger.note ?? "", /diverged: loss is (NaN|-?Infinity) at step/);
  assert.ok(
    tf.memory().numTensors - before <= normal,
    "a failed run frees what a finished run frees",
  );
});

test("the supervised baseline trains the same encoder with labels and reports its accuracy", async () => {
  const r = await pretrain(
    resolveConfig("tiny", small, {
      mode: "supervised",
      train: { maxSteps: 16 },
      eval: { linear: true, linearEpochs: 20 },
    }),
    {
      dataset,
      progress: false,
    },
  );
  assert.ok(
    r.supervised_acc !== undefined && r.supervised_acc > 0.5,
    `supervised ${r.supervised_acc}`,
  );
  assert.ok(r.linear_acc > 0.5);
});
