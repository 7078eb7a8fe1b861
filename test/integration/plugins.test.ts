/**
 * Plugins against a real MLflow server: a run with a plugin logs the plugin file as an artifact and
 * its path and sha256 as params; a broken plugin fails the run on the dry batch, before training,
 * with the reason in MLflow; and a sweep whose plugin was edited re-runs that plugin's cells only
 * (real `simclr pretrain` cell processes at tiny, on CIFAR-10 where it is configured, else on the
 * generated image folder of test/support/e2e-data.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import "@tensorflow/tfjs-node";
import { resolveConfig } from "../../src/config/resolve";
import { pretrain } from "../../src/train/pretrain";
import { createMlflowClient } from "../../src/track/mlflow";
import { startRun } from "../../src/track/logger";
import { PROJECT_ROOT } from "../../src/track/server";
import { sha256 } from "../../src/plugins/load";
import { loadedPlugins, unregisterPluginFile } from "../../src/plugins/registry";
import { runStudy } from "../../src/sweep/run-study";
import type { Study } from "../../src/evidence/study";
import { e2eData } from "../support/e2e-data";
import { useMlflowServer } from "../support/mlflow";
import { syntheticDataset } from "../train/support";
import { tempDir } from "../support/tmp";

const mlflow = useMlflowServer();
const dataset = syntheticDataset(64, 32);
const FIX = "test/plugins/fixtures";
const small = {
  data: { trainLimit: 0, testLimit: 0, resolution: 16 },
  encoder: { widthMultiplier: 0.25 },
  head: { outDim: 16 },
  train: { batchSize: 16, maxSteps: 2 },
  eval: { linearEpochs: 2, knnK: 5, randomInit: false },
};
const journal = (): string => tempDir("journal");

async function logger(runName: string) {
  return startRun({
    trackingUri: mlflow.url,
    experiment: "plugins-it",
    runName,
    journalDir: journal(),
    useEnv: false,
  });
}

test("a run with plugins logs each plugin file as an artifact and its path and sha256 as params", async () => {
  const cfg = resolveConfig("tiny", small, {
    plugins: [`${FIX}/invert.ts`, `${FIX}/twin-a.ts`],
    augment: { ops: ["crop", "flip", "invert"], options: { invert: { p: 0.5 } } },
    loss: { kind: "twin" as never },
    data: { prefetch: 1 }, // the view worker thread loads the augmentation plugin too
  });
  const log = await logger("with-plugins");
  const r = await pretrain(cfg, { dataset, logger: log, progress: false });
  assert.ok(Number.isFinite(r.final_loss));
  const c = createMlflowClient(mlflow.url);
  const run = await c.getRun(log.runId as string);
  assert.equal(run.info.status, "FINISHED");
  const source = fs.readFileSync(path.join(PROJECT_ROOT, FIX, "invert.ts"), "utf8");
  assert.equal(run.params["plugins.0.path"], `${FIX}/invert.ts`);
  assert.equal(run.params["plugins.0.sha256"], cfg.plugins?.[0].sha256);
  assert.equal(run.params["plugins.1.path"], `${FIX}/twin-a.ts`);
  assert.equal(run.params["augment.options.invert.p"], "0.5");
  assert.equal(run.params["loss.kind"], "twin");
  const listed = (await c.listArtifacts(run.info.runId, `plugins/${FIX}`)).map((a) => a.path);
  assert.deepEqual(listed.sort(), [`plugins/${FIX}/invert.ts`, `plugins/${FIX}/twin-a.ts`]);
  assert.equal(await c.downloadArtifactText(run.info.runId, `plugins/${FIX}/invert.ts`), source);
});

test("a plugin loss that returns NaN fails the run on the dry batch, before any step, with the reason in MLflow", async () => {
  const cfg = resolveConfig("tiny", small, {
    plugins: [`${FIX}/nan.ts`],
    loss: { kind: "nanloss" as never },
  });
  const log = await logger("nan-loss");
  await assert.rejects(
    pretrain(cfg, { dataset, logger: log, progress: false }),
    /plugin test\/plugins\/fixtures\/nan\.ts: loss 'nanloss' returned NaN on a dry batch of 4 images before training/,
  );
  const c = createMlflowClient(mlflow.url);
  const run = await c.getRun(log.runId as string);
  assert.equal(run.info.status, "FAILED");
  assert.match(run.tags["mlflow.note.content"] ?? "", /nan\.ts: loss 'nanloss' returned NaN/);
  assert.equal(run.params["plugins.0.path"], `${FIX}/nan.ts`, "what was logged before is kept");
  assert.deepEqual(await c.getMetricHistory(run.info.runId, "loss"), [], "no training step ran");
});

test(
  "editing a plugin re-runs its sweep cells and reuses the others",
  { timeout: 10 * 60_000 },
  async (t) => {
    // The cell processes inherit this environment: CIFAR-10 where configured, else the generated folder.
    const data = e2eData();
    Object.assign(process.env, data.env);
    t.after(() => {
      for (const k of Object.keys(data.env)) delete process.env[k];
      if (data.tempDir) fs.rmSync(data.tempDir, { recursive: true, force: true });
    });
    for (const p of loadedPlugins()) unregisterPluginFile(p.file); // 'invert' is this copy's now
    fs.mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, "build", "plugins-sweep-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, FIX, "invert.ts"), path.join(dir, "invert.ts"));
    const rel = path.relative(PROJECT_ROOT, path.join(dir, "invert.ts"));
    const study: Study = {
      name: "plugin-edit",
      description: "the default against a plugin augmentation, edited between two sweeps",
      base: {
        data: { dataset: data.env.SIMCLR_DATASET ?? "cifar10", trainLimit: 200, testLimit: 100 },
        train: { batchSize: 32, maxSteps: 2 },
        eval: { linearEpochs: 2, knnK: 5, randomInit: false },
      },
      cells: [
        { label: "default", overrides: {} },
        {
          label: "invert",
          overrides: { plugins: [rel], augment: { ops: ["crop", "flip", "color", "invert"] } },
        },
      ],
      seeds: 1,
      metrics: ["linear_acc"],
    };
    const opts = {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(dir, "cfg"),
      onProgress: () => undefined,
    };
    const first = await runStudy(study, opts);
    assert.deepEqual(
      [first.finished, first.skipped, first.failed],
      [2, 0, 0],
      JSON.stringify(first.cells),
    );
    const again = await runStudy(study, opts);
    assert.deepEqual([again.finished, again.skipped], [0, 2], "nothing changed: all reused");
    fs.appendFileSync(path.join(dir, "invert.ts"), "\n// edited: a new idea\n");
    const edited = await runStudy(study, opts);
    const status = Object.fromEntries(edited.cells.map((c) => [c.label, c.status]));
    assert.deepEqual(status, { default: "SKIPPED", invert: "FINISHED" });
    const before = first.cells.find((c) => c.label === "invert");
    const after = edited.cells.find((c) => c.label === "invert");
    assert.notEqual(after?.configHash, before?.configHash);
    assert.notEqual(after?.runId, before?.runId);
    const run = await createMlflowClient(mlflow.url).getRun(after?.runId as string);
    assert.equal(
      run.params["plugins.0.sha256"],
      sha256(fs.readFileSync(path.join(dir, "invert.ts"))),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  },
);

test(
  "a sweep records plugin failures as FAILED runs once, with the error first, and runs the other cells",
  { timeout: 10 * 60_000 },
  async (t) => {
    const data = e2eData();
    Object.assign(process.env, data.env);
    for (const p of loadedPlugins()) unregisterPluginFile(p.file);
    fs.mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, "build", "plugins-fail-"));
    const outside = tempDir("own-loss");
    t.after(() => {
      for (const k of Object.keys(data.env)) delete process.env[k];
      if (data.tempDir) fs.rmSync(data.tempDir, { recursive: true, force: true });
      for (const p of loadedPlugins()) unregisterPluginFile(p.file);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    });
    fs.writeFileSync(path.join(dir, "broken.ts"), "export default { augmentations: [\n");
    const broken = path.relative(PROJECT_ROOT, path.join(dir, "broken.ts"));
    const own = path.join(outside, "scaled.ts");
    fs.writeFileSync(
      own,
      `import * as tf from "@tensorflow/tfjs";
import { contrastiveLoss, type LossPlugin, type Plugin } from "simclr-workbook";
const scaled: LossPlugin<{ beta: number }> = {
  name: "scaledxent",
  defaults: { beta: 1 },
  loss(z1, z2, o) {
    const out = contrastiveLoss(z1, z2, { ...o, kind: "ntxent" });
    const loss = tf.tidy((): tf.Scalar => tf.mul(out.loss, o.beta));
    out.loss.dispose();
    return { ...out, loss };
  },
};
export default { losses: [scaled] } satisfies Plugin;
`,
    );
    const study: Study<{ loss: { beta: number } }> = {
      name: "plugin-failures",
      description:
        "a valid cell, a plugin with a syntax error, one that breaks its contract, and an own loss with an option",
      base: {
        data: { dataset: data.env.SIMCLR_DATASET ?? "cifar10", trainLimit: 200, testLimit: 100 },
        train: { batchSize: 32, maxSteps: 2 },
        eval: { linearEpochs: 2, knnK: 5, randomInit: false },
      },
      cells: [
        { label: "default", overrides: {} },
        { label: "broken", overrides: { plugins: [broken], augment: { ops: ["crop", "flip"] } } },
        {
          label: "dropper",
          overrides: { plugins: [`${FIX}/bad-shape.ts`], augment: { ops: ["crop", "dropper"] } },
        },
        {
          label: "own loss",
          overrides: { plugins: [own], loss: { kind: "scaledxent", beta: 0.25 } },
        },
      ],
      seeds: 1,
      metrics: ["linear_acc"],
    };
    const r = await runStudy(study, {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(dir, "cfg"),
      onProgress: () => undefined,
    });
    const by = Object.fromEntries(r.cells.map((c) => [c.label, c]));
    const status = Object.fromEntries(r.cells.map((c) => [c.label, [c.status, c.attempts]]));
    assert.deepEqual(
      status,
      {
        default: ["FINISHED", 1],
        broken: ["FAILED", 1],
        dropper: ["FAILED", 1],
        "own loss": ["FINISHED", 1],
      },
      JSON.stringify(r.cells, null, 1),
    );
    const c = createMlflowClient(mlflow.url);
    const note = async (label: string): Promise<string> =>
      (await c.getRun(by[label].runId as string)).tags["mlflow.note.content"] ?? "";
    assert.match(await note("broken"), new RegExp(`^plugins: plugin ${broken} failed to load`));
    const dropper = await note("dropper");
    assert.match(
      dropper,
      /^plugin test\/plugins\/fixtures\/bad-shape\.ts: augmentation 'dropper' returned shape/,
    );
    assert.match(dropper, /not retried/);
    assert.doesNotMatch(dropper, /I0000|oneDNN|absl/);
    const runs = await c.searchAllRuns({
      experimentIds: [r.experimentId],
      filter: "tags.`simclr.cell` = 'dropper'",
    });
    assert.equal(runs.length, 1, "a deterministic failure is not retried");
    const mine = await c.getRun(by["own loss"].runId as string);
    assert.equal(mine.params["loss.beta"], "0.25");
    const listed = (await c.listArtifacts(mine.info.runId, "plugins/outside")).map((a) => a.path);
    assert.equal(
      listed.length,
      1,
      "the outside plugin's artifact is under plugins/outside/<folder hash>",
    );
    const files = (await c.listArtifacts(mine.info.runId, listed[0])).map((a) => a.path);
    assert.deepEqual(files, [`${listed[0]}/scaled.ts`]);
  },
);
