import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend";
import type { PretrainConfig } from "../../src/config/pretrain-config";
import { pairable } from "../../src/evidence/pairing";
import { getStudy } from "../../src/sweep/registry";
import { projectConfigResolver } from "../../src/sweep/run-study";
import { planStudy } from "../../src/grid/study-grid";
import { createTrainingState } from "../../src/train/state";
import { createViewSource } from "../../src/train/views";
import { syntheticDataset } from "../train/support";

/** The resolved `small` config of a study cell at a seed. */
function configOf(study: string, label: string, seed: number): PretrainConfig {
  const plan = planStudy(getStudy(study), {
    preset: "small",
    resolveConfig: projectConfigResolver,
  }).find((p) => p.label === label && p.seed === seed);
  assert.ok(plan, `${study}/${label}/seed${seed} is not planned`);
  return plan.config as unknown as PretrainConfig;
}

/** The encoder's initial weights, as the trainer builds them. */
function initialWeights(config: PretrainConfig): number[][] {
  const state = createTrainingState(config, 600, 4);
  const w = state.encoder.params.map((p) => Array.from(p.variable.dataSync()));
  state.dispose();
  return w;
}

/** Image indices of the first `steps` training batches, as the trainer draws them. */
async function batchOrder(config: PretrainConfig, steps: number): Promise<number[][]> {
  const split = syntheticDataset(600, 8, config.data.resolution).train;
  const source = createViewSource(
    split,
    { ...config, data: { ...config.data, prefetch: 0 } },
    0,
    steps,
  );
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const b = await source.next();
    out.push(Array.from(b.indices));
  }
  await source.close();
  return out;
}

test("cells that differ only in the loss pair by seed: same initial weights and batch order", async () => {
  await initBackend();
  assert.ok(pairable(getStudy("losses"), "ntxent", "ntlogistic", "small"));
  for (const seed of [0, 2]) {
    const a = configOf("losses", "ntxent", seed);
    const b = configOf("losses", "ntlogistic", seed);
    assert.notEqual(a.loss.kind, b.loss.kind);
    assert.deepEqual(initialWeights(a), initialWeights(b));
    assert.deepEqual(await batchOrder(a, 3), await batchOrder(b, 3));
  }
  // Different seeds of one cell do not share them (the pairing is by seed, not by accident).
  const s0 = configOf("losses", "ntxent", 0);
  const s1 = configOf("losses", "ntxent", 1);
  assert.notDeepEqual(initialWeights(s0), initialWeights(s1));
  assert.notDeepEqual(await batchOrder(s0, 1), await batchOrder(s1, 1));
});

test("cells with different batch sizes are not paired: one image order, cut into different batches", async () => {
  await initBackend();
  const study = getStudy("batch-size");
  const cell = (b: number): Record<string, unknown> => ({
    "train.batchSize": b,
    "train.epochs": 2,
    "optimizer.lrScaling": "linear",
  });
  assert.equal(pairable(study, cell(512), cell(128), "small"), false);
  const label = (b: number): string =>
    planStudy(study, { preset: "small" }).find(
      (p) => p.overrides.train?.batchSize === b && p.overrides.train?.epochs === 2,
    )?.label ?? "";
  const a = configOf("batch-size", label(512), 0);
  const b = configOf("batch-size", label(128), 0);
  // The seed fixes one image order, but it is cut into different batches: a batch of 512 holds
  // what four batches of 128 do, so batch statistics and negatives differ and the runs do not
  // share their data order step by step.
  const big = (await batchOrder(a, 1))[0] ?? [];
  const small4 = await batchOrder(b, 4);
  assert.equal(big.length, 512);
  assert.deepEqual(small4.flat(), big);
  assert.notDeepEqual(small4[0], big);
  // A side that selects several cells is not a single cell to pair with.
  assert.equal(pairable(study, { "train.batchSize": 512 }, cell(128), "small"), false);
});
