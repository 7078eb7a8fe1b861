import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useMlflowServer } from "../support/mlflow";
import { spawnSweepCli, type SweepProcess } from "../support/sweep-runs";
import { createMlflowClient, type Run } from "../../src/track/mlflow";
import { createLocalExecutor } from "../../src/sweep/executor";
import { runSweep } from "../../src/sweep/sweep";
import type { Study } from "../../src/evidence/study";
import type { SweepProgress } from "../../src/sweep/progress";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir } from "../support/tmp";
import { standIn } from "../support/stand-in";

const mlflow = useMlflowServer();
const ROOT = path.resolve(__dirname, "..", "..");
const CELL = ["node", "--import", "tsx", path.join(ROOT, "test/sweep/fixtures/cell.ts")];
const tmp = tempDir("sweep");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);
process.env.CELL_MARKER_DIR = tmp;

function childrenByLabel(runs: Run[]): Map<string, Run[]> {
  const m = new Map<string, Run[]>();
  for (const r of runs) {
    if (r.tags["simclr.role"] === "sweep") continue;
    const k = r.tags["simclr.cell"] ?? r.info.runName.split("/")[1]; // the sweep tags the cell when it ends
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

test("a sweep runs every cell, retries a failure once, keeps going, and a re-run skips finished cells", async () => {
  const study: Study = {
    name: "retry-study",
    description: "cells that pass, fail once, fail always",
    base: {},
    cells: [
      standIn({ x: 1 }),
      standIn({ x: 2 }),
      { label: "flaky", overrides: standIn({ x: 3, fail: "once" }) },
      { label: "broken", overrides: standIn({ x: 4, fail: "always" }) },
    ],
    seeds: 1,
    metrics: ["score"],
  };
  const executor = createLocalExecutor({
    command: CELL,
    cwd: ROOT,
  });
  const progress: SweepProgress[] = [];
  const r1 = await runSweep(study, {
    preset: "tiny",
    trackingUri: mlflow.url,
    configDir: path.join(tmp, "cfg"),
    executor,
    onProgress: (p) => progress.push(p),
  });
  const byLabel = new Map(r1.cells.map((c) => [c.label, c]));
  assert.equal(byLabel.get("x=1")?.status, "FINISHED");
  assert.equal(byLabel.get("x=2")?.metrics.score, 20);
  assert.equal(byLabel.get("flaky")?.status, "FINISHED");
  assert.equal(byLabel.get("flaky")?.attempts, 2);
  assert.equal(byLabel.get("broken")?.status, "FAILED");
  assert.equal(byLabel.get("broken")?.attempts, 2);
  assert.match(byLabel.get("broken")?.error ?? "", /simulated crash/);
  assert.deepEqual([r1.finished, r1.skipped, r1.failed, r1.interrupted], [3, 0, 1, false]);
  const last = progress[progress.length - 1];
  assert.equal(last.done, 4);
  assert.ok((last.meanCellSeconds ?? 0) > 0);

  const c = createMlflowClient(mlflow.url);
  const parent = await c.getRun(r1.parentRunId);
  assert.equal(parent.info.status, "FAILED");
  // each plot as its plotly spec and as a small SVG that MLflow's artifact viewer shows as an image
  const plots = await c.listArtifacts(r1.parentRunId, "plots");
  assert.deepEqual(plots.map((a) => a.path).sort(), ["plots/score.json", "plots/score.svg"]);
  const svg = await c.downloadArtifactText(r1.parentRunId, "plots/score.svg");
  assert.match(svg, /^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(
    (svg.match(/<rect class="bar"/g) ?? []).length,
    3,
    "a bar for each cell with a result",
  );
  for (const p of plots) assert.ok((p.fileSize ?? Infinity) < 50_000, `${p.path}: ${p.fileSize} B`);
  // the experiment carries the study's description; child runs lead with the cell's label
  const experiment = await c.getExperimentByName("retry-study");
  assert.equal(experiment?.tags["mlflow.note.content"], study.description);
  const fig = JSON.parse(await c.downloadArtifactText(r1.parentRunId, "plots/score.json")) as {
    data: { y: number[] }[];
  };
  assert.deepEqual(fig.data[0].y, [10, 20, 30, null]); // x=1..3 finished (seed 0), "broken" has no result
  assert.equal(
    (JSON.parse(await c.downloadArtifactText(r1.parentRunId, "study.json")) as Study).name,
    "retry-study",
  );
  const runs = await c.searchAllRuns({ experimentNames: ["retry-study"] });
  const kids = childrenByLabel(runs);
  assert.deepEqual(
    kids
      .get("flaky")
      ?.map((r) => r.info.status)
      .sort(),
    ["FAILED", "FINISHED"],
  );
  assert.deepEqual(
    kids.get("broken")?.map((r) => r.info.status),
    ["FAILED", "FAILED"],
  );
  assert.match(kids.get("broken")?.[0].tags["mlflow.note.content"] ?? "", /exit code 3/);
  for (const r of runs)
    if (r.tags["simclr.role"] !== "sweep") {
      assert.equal(r.tags["mlflow.parentRunId"], r1.parentRunId);
      assert.ok(r.info.runName.startsWith(`${r.tags["simclr.cell"]}/seed`), r.info.runName);
    }

  const r2 = await runSweep(study, {
    preset: "tiny",
    trackingUri: mlflow.url,
    configDir: path.join(tmp, "cfg"),
    executor,
  });
  assert.equal(r2.parentRunId, r1.parentRunId);
  assert.deepEqual(
    r2.cells.map((x) => x.status),
    ["SKIPPED", "SKIPPED", "SKIPPED", "FAILED"],
  );
  assert.equal(r2.cells[1].metrics.score, 20);
  // A skipped cell reports the duration of the run that produced it.
  const first = r1.cells[1].seconds ?? NaN;
  const again = r2.cells[1].seconds ?? NaN;
  assert.ok(Number.isFinite(again) && again >= 0, `skipped cell seconds: ${again}`);
  assert.ok(Math.abs(again - first) < 5, `skipped ${again} s vs first run ${first} s`);
});

/** `simclr sweep FILE --preset tiny` with the stand-in cell, against this test's server. */
function spawnSweep(studyFile: string, env: Record<string, string>): SweepProcess {
  return spawnSweepCli(
    ROOT,
    [studyFile, "--preset", "tiny", "--quiet", "--json", "--cell-command", CELL.join(" ")],
    { MLFLOW_TRACKING_URI: mlflow.url, ...env },
  );
}

async function waitForRunning(experiment: string, label: string): Promise<void> {
  const c = createMlflowClient(mlflow.url);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const runs = await c
      .searchAllRuns({
        experimentNames: [experiment],
        filter: `attributes.run_name = '${label}/seed0 (${experiment})' and attributes.status = 'RUNNING'`,
      })
      .catch(() => []);
    if (runs.length && runs[0].metrics.score !== undefined) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`cell ${label} never started`);
}

function writeStudy(name: string): string {
  const file = path.join(tmp, `${name}.json`);
  const study: Study = {
    name,
    description: "kill test",
    base: {},
    grid: standIn({ x: [1, 2, 3] }),
    seeds: 1,
    metrics: ["score"],
  };
  fs.writeFileSync(file, JSON.stringify(study));
  return file;
}

test("a sweep killed with SIGTERM marks its running cell and itself KILLED, and a re-run resumes", async () => {
  const file = writeStudy("kill-study");
  const s = spawnSweep(file, { CELL_SLEEP_X: "2" });
  await waitForRunning("kill-study", "x=2");
  process.kill(s.pid, "SIGTERM");
  assert.equal(await s.done, 130, s.out());
  const c = createMlflowClient(mlflow.url);
  let kids = childrenByLabel(await c.searchAllRuns({ experimentNames: ["kill-study"] }));
  assert.equal(kids.get("x=1")?.[0].info.status, "FINISHED");
  assert.equal(kids.get("x=2")?.[0].info.status, "KILLED");
  assert.equal(kids.has("x=3"), false);
  const parents = await c.searchAllRuns({
    experimentNames: ["kill-study"],
    filter: "tags.`simclr.role` = 'sweep'",
  });
  assert.equal(parents[0].info.status, "KILLED");

  const again = spawnSweep(file, {});
  assert.equal(await again.done, 0, again.out());
  const summary = JSON.parse(again.out().trim().split("\n").pop() ?? "{}") as {
    cells: { label: string; status: string }[];
  };
  assert.deepEqual(
    summary.cells.map((x) => x.status),
    ["SKIPPED", "FINISHED", "FINISHED"],
  );
  kids = childrenByLabel(await c.searchAllRuns({ experimentNames: ["kill-study"] }));
  assert.deepEqual(
    kids
      .get("x=2")
      ?.map((r) => r.info.status)
      .sort(),
    ["FINISHED", "KILLED"],
  );
});

test("a sweep killed with SIGKILL (process group) is resumable: the stale RUNNING cell is marked KILLED and re-run", async () => {
  const file = writeStudy("crash-study");
  const s = spawnSweep(file, { CELL_SLEEP_X: "2" });
  await waitForRunning("crash-study", "x=2");
  process.kill(-s.pid, "SIGKILL"); // the sweep and its cell die at once, like a machine crash
  await s.done;
  const c = createMlflowClient(mlflow.url);
  let kids = childrenByLabel(await c.searchAllRuns({ experimentNames: ["crash-study"] }));
  assert.equal(kids.get("x=2")?.[0].info.status, "RUNNING");
  const again = spawnSweep(file, {});
  assert.equal(await again.done, 0, again.out());
  kids = childrenByLabel(await c.searchAllRuns({ experimentNames: ["crash-study"] }));
  assert.deepEqual(
    kids
      .get("x=2")
      ?.map((r) => r.info.status)
      .sort(),
    ["FINISHED", "KILLED"],
  );
  assert.equal(kids.get("x=1")?.length, 1);
  const parents = await c.searchAllRuns({
    experimentNames: ["crash-study"],
    filter: "tags.`simclr.role` = 'sweep'",
  });
  assert.equal(parents.length, 1);
  assert.equal(parents[0].info.status, "FINISHED");
});
