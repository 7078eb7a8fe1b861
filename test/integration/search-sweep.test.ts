import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { inProcessExecutor } from "../support/in-process";
import { useMlflowServer } from "../support/mlflow";
import { runStudy } from "../../src/sweep/run-study";
import { mergeResolver } from "../../src/grid/study-grid";
import { SearchNotFinished } from "../../src/evidence/search";
import type { Study } from "../../src/evidence/study";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir } from "../support/tmp";
import { kCells, standIn } from "../support/stand-in";

const mlflow = useMlflowServer();
const tmp = tempDir("search-sweep");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);

/**
 * Search runs (budget "search"): for cell a, x = 2 scores best; for cell b, x = 3 would score best
 * but diverges on seed 8, and x = 1 and 2 tie. Comparison runs score from x and the seed.
 */
const executor = inProcessExecutor(async (run, config) => {
  const c = config as { k: string; x: number; seed: number; budget?: string };
  if (c.budget === "search" && c.k === "b" && c.x === 3 && c.seed === 8) {
    await run.finish("FAILED", "diverged");
    throw new Error("loss diverged (NaN)");
  }
  const acc =
    c.budget === "search"
      ? c.k === "a"
        ? [0, 0.3, 0.6, 0.4][c.x]!
        : [0, 0.5, 0.5, 0.9][c.x]!
      : 0.5 + c.x / 10 + c.seed / 100;
  run.logMetrics({ acc }, 0);
  return { acc };
});

const study: Study = standIn<Study>({
  name: "search-int",
  description: "two cells, each at its own searched x",
  base: {},
  cells: kCells("a", "b"),
  seeds: 2,
  metrics: ["acc"],
  search: {
    name: "search-int-search",
    choose: "max mean acc",
    over: [{ cells: ["a", "b"], field: "x", values: [1, 2, 3] }],
    presets: { tiny: { seeds: [7, 8], budget: { budget: "search" } } },
  },
});

/** Options of every call (the server's address is known once the tests run). */
const options = () => ({
  preset: "tiny",
  trackingUri: mlflow.url,
  executor,
  resolveConfig: mergeResolver,
  archive: path.join(tmp, "no-archive.jsonl"),
  configDir: path.join(tmp, "cfg"),
  onProgress: () => {},
});

test("a study with a search stage runs the search, then the comparison at each cell's choice on fresh seeds", async () => {
  // Stopped before any search run ended: the comparison is refused, naming the study and runs.
  await assert.rejects(
    runStudy(study, { ...options(), signal: AbortSignal.abort() }),
    (e: unknown) =>
      e instanceof SearchNotFinished &&
      /study 'search-int': its comparison cannot be planned before its search 'search-int-search' has finished; missing runs \(12\): a x=1\/seed7, a x=1\/seed8/.test(
        e.message,
      ),
  );
  const r = await runStudy(study, options());
  const s = r.search;
  assert.ok(s);
  assert.equal(s.experiment, "search-int-search");
  assert.equal(s.finished, 11);
  assert.equal(s.failed, 1);
  assert.deepEqual(
    s.choices.map((c) => [c.cell, c.value, c.tiedWith]),
    [
      ["a", 2, []],
      ["b", 1, [2]],
    ],
  );
  const chosen = s.choices[0]?.candidates[1];
  assert.deepEqual(
    chosen?.runIds,
    s.cells.filter((c) => c.label === "a x=2").map((c) => c.runId),
  );
  // the comparison: its own experiment, seeds 0-1 only, each cell at its choice
  assert.equal(r.experiment, "search-int");
  assert.equal(r.finished, 4);
  assert.deepEqual(
    r.cells.map((c) => [c.label, c.seed, c.metrics.acc]),
    [
      ["a", 0, 0.7],
      ["a", 1, 0.71],
      ["b", 0, 0.6],
      ["b", 1, 0.61],
    ],
  );
  const searchSeeds = new Set(s.cells.map((c) => c.seed));
  assert.ok(r.cells.every((c) => !searchSeeds.has(c.seed)));
  // Run again: the search's runs (the failed one included, once retried) decide the same choice
  // and nothing new runs for the comparison.
  const again = await runStudy(study, options());
  assert.deepEqual(
    again.search?.choices.map((c) => c.value),
    [2, 1],
  );
  assert.equal(again.finished, 0);
  assert.equal(again.skipped, 4);
});
