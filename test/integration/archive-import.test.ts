/**
 * A sweep whose MLflow store lost a study's runs (here: a fresh experiment on the same real
 * server) imports them from the results archive and skips their cells; a second sweep imports
 * nothing more, and the report built from the store shows the archived numbers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { useMlflowServer } from "../support/mlflow";
import { createMlflowClient } from "../../src/track/mlflow";
import { createLocalExecutor } from "../../src/sweep/executor";
import { runSweep } from "../../src/sweep/sweep";
import type { Study } from "../../src/evidence/study";
import { collectReport } from "../../src/report/collect";
import { archiveRuns, readArchive, writeArchive } from "../../src/evidence/archive";
import { IMPORTED_FROM_TAG } from "../../src/sweep/import-archive";
import { getStudy } from "../../src/sweep/registry";
import { inProcessExecutor } from "../support/in-process";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir } from "../support/tmp";
import { standIn } from "../support/stand-in";

const mlflow = useMlflowServer();
const ROOT = path.resolve(__dirname, "..", "..");
const CELL = ["node", "--import", "tsx", path.join(ROOT, "test/sweep/fixtures/cell.ts")];
const tmp = tempDir("archive");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);
process.env.CELL_MARKER_DIR = tmp;

const study: Study = {
  name: "archived-study",
  description: "two cells, two seeds",
  base: {},
  cells: [standIn({ x: 1 }), standIn({ x: 2 })],
  seeds: 2,
  metrics: ["score"],
};

test("a sweep on a lost store imports the archive's runs and skips their cells", async () => {
  const executor = createLocalExecutor({
    command: CELL,
    cwd: ROOT,
  });
  const common = {
    preset: "tiny",
    trackingUri: mlflow.url,
    configDir: path.join(tmp, "cfg"),
    executor,
  };
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
  for (const r of imported) {
    // named like the sweep's own cell runs, the cell first
    assert.equal(
      r.info.runName,
      `${r.tags["simclr.cell"]}/seed${r.tags["simclr.seed"]} (${study.name})`,
    );
    // the archive's plain metric names read back the same from the prefixed names on the server
    assert.ok(
      Object.keys(r.metrics).length > 0 && Object.keys(r.metrics).every((k) => !k.includes("/")),
    );
  }

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
    cwd: ROOT,
  });
  await assert.rejects(
    runSweep(study, {
      preset: "tiny",
      trackingUri: mlflow.url,
      configDir: path.join(tmp, "cfg"),
      executor,
      experiment: "store-c",
      archive: file,
    }),
    (err: Error) => err.message.includes(file),
  );
});

test("`reproduce --archive-only` merges the store's finished runs into runs.jsonl and rebuilds the findings", async () => {
  // Two seeds of every losses cell on the server (measured in-process: NT-Xent ahead).
  const acc: Record<string, number> = { ntxent: 0.5, ntlogistic: 0.4, margin: 0.45 };
  const executor = inProcessExecutor(async (run, _config, task) => {
    const linear_acc = (acc[task.label] ?? 0.3) + 0.002 * task.seed;
    run.logMetrics({ linear_acc }, 0);
    return { linear_acc };
  });
  // The comparison alone (its search stage is beside the point here: the archive's merge).
  const { search: _search, ...losses } = getStudy("losses");
  const sweep = await runSweep(losses, {
    preset: "small",
    seeds: 2,
    trackingUri: mlflow.url,
    configDir: path.join(tmp, "cfg"),
    executor,
  });
  assert.equal(sweep.finished, 10);
  // The archive already holds a run of a study this store never ran: it must stay.
  const dir = fs.mkdtempSync(path.join(tmp, "archive-only-"));
  const other = {
    study: "temperature",
    preset: "small",
    experiment: "temperature",
    label: "l2 tau=0.5",
    seed: 0,
    runId: "elsewhere-0",
    startTime: 0,
    endTime: 60_000,
    codeVersion: "aaaaaaaaaaaa",
    params: {},
    metrics: { linear_acc: 0.42 },
  };
  writeArchive(path.join(dir, "runs.jsonl"), [other]);
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/reproduce.ts",
      "--archive-only",
      "--preset",
      "small",
      "--out",
      dir,
    ],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, MLFLOW_TRACKING_URI: mlflow.url } },
  );
  assert.equal(r.status, 0, r.stderr);
  const archived = readArchive(path.join(dir, "runs.jsonl"));
  assert.equal(archived.filter((x) => x.study === "losses").length, 10);
  assert.ok(
    archived.some((x) => x.runId === "elsewhere-0"),
    "the other study's run is kept",
  );
  const md = fs.readFileSync(path.join(dir, "README.md"), "utf8");
  assert.match(
    md,
    /\| NT-Xent beats NT-Logistic \(Table 4\) \| losses \| \*\*[a-z ]+\*\* \| 2 \/ 2 \|/,
  );
  assert.match(fs.readFileSync(path.join(dir, "report.html"), "utf8"), /<h2>Findings<\/h2>/);
});
