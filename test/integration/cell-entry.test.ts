/**
 * A sweep cell's config path (issue 23 item 3): the study's plan resolves the cell's config once
 * into a typed PretrainConfig, the cell step writes it as it is, and the cell entry
 * (bin/simclr-cell.cjs) reads it, validates it once and trains on exactly that config (the same
 * config and config hash come back), without resolving it again: a resolved config that lacks a
 * field or holds a bad value is refused naming the file and the field, not filled from defaults.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { planStudy, type CellPlan, type StudyGrid } from "../../src/grid/study-grid";
import { resolveConfig } from "../../src/config/resolve";
import type { PretrainConfig } from "../../src/config/pretrain-config";
import { writeCellConfig } from "../../src/sweep/cell";
import { PROJECT_ROOT } from "../../src/track/server";
import { e2eData } from "../support/e2e-data";
import { tempDir } from "../support/tmp";

const CELL = path.join(PROJECT_ROOT, "bin", "simclr-cell.cjs");
const data = e2eData();

const study: StudyGrid = {
  name: "cell-entry",
  description: "one cell whose temperature is its own",
  base: {
    data: { dataset: data.env.SIMCLR_DATASET ?? "cifar10", trainLimit: 200, testLimit: 100 },
    train: { batchSize: 32, maxSteps: 2 },
    eval: { linearEpochs: 2, knnK: 5, randomInit: false },
  },
  cells: [{ label: "tau", overrides: { loss: { temperature: 0.37 } } }],
  seeds: 1,
  metrics: ["linear_acc"],
};

/** Tracking context variables: the cell runs untracked here, so none reach it. */
const TRACKING =
  /^(MLFLOW_|SIMCLR_(EXPERIMENT|PARENT_RUN_ID|RUN_ID|CONFIG_HASH|STUDY|RUN_NAME|PRESET)$)/;

/** The environment of a cell without tracking: this one's, the data set's, no tracking context. */
function cellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...data.env };
  for (const k of Object.keys(env)) if (TRACKING.test(k)) delete env[k];
  return env;
}

/** Runs the cell entry on a config file: its exit code, its last JSON line and its stderr. */
function runCellEntry(file: string): {
  status: number | null;
  result: Record<string, unknown>;
  stderr: string;
} {
  const r = spawnSync(process.execPath, [CELL, "--config", file, "--json"], {
    cwd: PROJECT_ROOT,
    env: cellEnv(),
    encoding: "utf8",
    timeout: 300_000,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return {
    status: r.status,
    result: last.startsWith("{") ? (JSON.parse(last) as Record<string, unknown>) : {},
    stderr: r.stderr,
  };
}

/** What the cell step writes for a plan (its own writer, writeCellConfig). */
function writePlan(dir: string, plan: CellPlan<object>): string {
  return writeCellConfig(dir, study.name, plan);
}

const [plan] = planStudy(study, { preset: "tiny", resolveConfig });
// The plan's config is typed from the study on: this line compiles only for a PretrainConfig.
const planned: PretrainConfig = plan.config;

test("the cell entry trains on exactly the config the study's plan resolved", () => {
  assert.equal(planned.loss.temperature, 0.37);
  const file = writePlan(tempDir("cell-entry"), plan);
  const r = runCellEntry(file);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.result.config, JSON.parse(JSON.stringify(planned)));
  assert.equal(r.result.config_hash, plan.configHash);
});

test("the cell entry refuses a resolved config with a missing field or a bad value, naming both", () => {
  const dir = tempDir("cell-entry-bad");
  const missing = structuredClone(planned) as unknown as { loss: Record<string, unknown> };
  delete missing.loss.temperature;
  const noTau = path.join(dir, "missing.json");
  fs.writeFileSync(noTau, JSON.stringify(missing));
  const a = runCellEntry(noTau);
  assert.equal(a.status, 1);
  assert.equal(a.result.deterministic, true);
  assert.match(String(a.result.error), /missing\.json: 'loss\.temperature' is missing/);

  const bad = path.join(dir, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ ...planned, loss: { ...planned.loss, temperature: -1 } }));
  const b = runCellEntry(bad);
  assert.equal(b.status, 1);
  assert.equal(b.result.deterministic, true);
  assert.match(String(b.result.error), /bad\.json: 'loss\.temperature' must be > 0, got -1/);
});
