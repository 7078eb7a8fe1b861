/**
 * A sweep whose MLflow store lost a study's runs (here: a fresh experiment on the same real
 * server) imports them from the results archive and skips their cells; a second sweep imports
 * nothing more, and the report built from the store shows the archived numbers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { useMlflowServer } from "../support/mlflow";
import { createMlflowClient } from "../../src/track/mlflow";
import { createLocalExecutor } from "../../src/sweep/executor";
import { runSweep } from "../../src/sweep/sweep";
import type { Study } from "../../src/sweep/study";
import { collectReport } from "../../src/report/collect";
import { archiveRuns, readArchive, writeArchive } from "../../src/report/archive";
import { IMPORTED_FROM_TAG } from "../../src/sweep/import-archive";

const mlflow = useMlflowServer();
const ROOT = path.resolve(__dirname, "..", "..");
const CELL = ["node", "--import", "tsx", path.join(ROOT, "test/sweep/fixtures/cell.ts")];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "simclr-archive-"));
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
process.env.CELL_MARKER_DIR = tmp;

const study: Study = {
  name: "archived-study",
  description: "two cells, two seeds",
  base: {},
  cells: [{ x: 1 }, { x: 2 }],
  seeds: 2,
  metrics: ["score"],
};

test("a sweep on a lost store imports the archive's runs and skips their cells", async () => {
  const executor = createLocalExecutor({
    command: CELL,
    configDir: path.join(tmp, "cfg"),
    cwd: ROOT,
  });
  const common = { preset: "tiny", trackingUri: mlflow.url, executor };
  const first = await runSweep(study, { ...common, experiment: "store-a" });
  assert.equal(first.finished, 4);

  const data = await collectReport({
    experiments: ["store-a"],
    trackingUri: mlflow.url,
    studies: [study],
  });
  const file = path.join(tmp, "runs.jsonl");
  writeArchive(file, archiveRuns(data));
  assert.equal(readArchive(file).length, 4);

  // "store-b" has none of these runs: the sweep imports all four and runs no cell.
  const second = await runSweep(study, { ...common, experiment: "store-b", archive: file });
  assert.deepEqual([second.imported, second.finished, second.skipped], [4, 0, 4]);
  const c = createMlflowClient(mlflow.url);
  const imported = (await c.searchAllRuns({ experimentIds: [second.experimentId] })).filter(
    (r) => r.tags[IMPORTED_FROM_TAG] === file,
  );
  assert.equal(imported.length, 4);
  assert.ok(imported.every((r) => r.info.status === "FINISHED"));

  // Nothing is imported twice.
  const third = await runSweep(study, { ...common, experiment: "store-b", archive: file });
  assert.deepEqual([third.imported, third.finished, third.skipped], [0, 0, 4]);

  const fromB = await collectReport({
    experiments: ["store-b"],
    trackingUri: mlflow.url,
    studies: [study],
  });
  const scores = (d: typeof data): number[] =>
    d.sections[0].results.map((r) => r.metrics.score).sort((a, b) => a - b);
  assert.deepEqual(scores(fromB), scores(data));
});

test("a malformed archive fails the sweep before anything is imported, naming the file", async () => {
  const file = path.join(tmp, "broken.jsonl");
  fs.writeFileSync(file, "{not json}\n");
  const executor = createLocalExecutor({
    command: CELL,
    configDir: path.join(tmp, "cfg"),
    cwd: ROOT,
  });
  await assert.rejects(
    runSweep(study, {
      preset: "tiny",
      trackingUri: mlflow.url,
      executor,
      experiment: "store-c",
      archive: file,
    }),
    (err: Error) => err.message.includes(file),
  );
});
