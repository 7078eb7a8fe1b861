/**
 * A budget ladder end to end at `tiny` (issue 24): a study's laddered claim run as its ladder
 * study against a real MLflow server (cells in this process, an effect that grows with the
 * budget), its trend read back from the tracked runs, the findings README's "Budget ladders"
 * section and the report's ladder figure drawn in real Chromium and checked against numbers
 * computed here from the metrics the cells logged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ensureChromium, launchChromium } from "../support/browser";
import { assertFigureRules, openDrawnReport } from "../support/figure-check";
import { inProcessExecutor } from "../support/in-process";
import { useMlflowServer } from "../support/mlflow";
import { tempDir } from "../support/tmp";
import { kCells, standIn } from "../support/stand-in";
import { runStudy } from "../../src/sweep/run-study";
import { runSweep } from "../../src/sweep/sweep";
import { archiveRuns, writeArchive } from "../../src/evidence/archive";
import { CPU_MODEL_PARAM } from "../../src/evidence/blocks";
import { mergeResolver, planStudy } from "../../src/grid/study-grid";
import { ladderStudyOf } from "../../src/evidence/ladder";
import { ladderTrends } from "../../src/evidence/ladder-trend";
import { findingsMarkdown } from "../../src/evidence/findings-markdown";
import type { Study } from "../../src/evidence/study";
import { collectReport } from "../../src/report/collect";
import { renderReport } from "../../src/report/render";
import { configureFromEnv } from "../../src/workbench/params";

const mlflow = useMlflowServer();
const tmp = tempDir("ladder-sweep");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);

/** acc of cell k at `epochs` for a seed: a - b = -1 + 2 log10(epochs / 2) + seed x 0.2 log10(epochs) points. */
function acc(k: string, epochs: number, seed: number): number {
  if (k === "b") return 0.5 + 0.002 * seed;
  return (
    0.5 + 0.002 * seed - 0.01 + 0.02 * Math.log10(epochs / 2) + 0.002 * seed * Math.log10(epochs)
  );
}

const executor = inProcessExecutor(async (run, config) => {
  const c = config as { k: string; seed: number; train: { epochs: number } };
  const linear_acc = acc(c.k, c.train.epochs, c.seed);
  run.logMetrics({ linear_acc }, 0);
  return { linear_acc };
});

const study: Study = standIn<Study>({
  name: "heads",
  description: "two cells whose gap opens with training",
  base: {},
  cells: kCells("a", "b"),
  presets: { tiny: { overrides: { train: { epochs: 2 } }, seeds: 3 } },
  seeds: 3,
  metrics: ["linear_acc"],
  claims: [{ id: "a-beats-b", claim: "a beats b", metric: "linear_acc", better: "a", worse: "b" }],
  ladders: [{ claim: "a-beats-b", multipliers: [1, 3, 10] }],
});
const ladder = ladderStudyOf(study);

const options = () => ({
  preset: "tiny",
  trackingUri: mlflow.url,
  executor,
  resolveConfig: mergeResolver,
  archive: path.join(tmp, "no-archive.jsonl"),
  configDir: path.join(tmp, "cfg"),
  onProgress: () => {},
});

/** Mean and t interval (df 2, t = 4.302652729911275, scipy.stats.t.ppf(0.975, 2)) of 3 values. */
function ci3(v: number[]): [number, number, number] {
  const m = (v[0]! + v[1]! + v[2]!) / 3;
  const sd = Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
  const h = (4.302652729911275 * sd) / Math.sqrt(3);
  return [m, m - h, m + h];
}

test("a ladder runs at tiny on paired seeds, and its trend reaches the README and the report's figure in Chromium", async (t) => {
  const r = await runStudy(ladder, options());
  assert.equal(r.experiment, "heads-ladder");
  assert.equal(r.finished, 18, "2 cells x 3 rungs x 3 seeds");
  // every rung on the same seeds; rung 1 is the study's own cell and config
  const seedsOf = (label: string) => r.cells.filter((c) => c.label === label).map((c) => c.seed);
  for (const label of ["a", "b", "a, train.epochs=6", "b, train.epochs=6", "b, train.epochs=20"])
    assert.deepEqual(seedsOf(label), [0, 1, 2], label);
  const own = planStudy(study, { preset: "tiny" }).map((p) => p.configHash);
  assert.deepEqual(
    r.cells.filter((c) => c.label === "a" || c.label === "b").map((c) => c.configHash),
    own,
  );
  const again = await runStudy(ladder, options());
  assert.deepEqual([again.finished, again.skipped], [0, 18], "a resumed ladder runs nothing twice");

  // resumed on another machine from the archive: a run trained on another CPU model is not done
  // here, so its cell runs again (a ladder's claim keeps to one CPU model)
  const archived = archiveRuns(
    await collectReport({
      experiments: ["heads-ladder"],
      trackingUri: mlflow.url,
      studies: [ladder],
    }),
  );
  assert.equal(archived.length, 18);
  const moved = archived.map((a, i) =>
    i === 5 ? { ...a, params: { ...a.params, [CPU_MODEL_PARAM]: "Another CPU" } } : a,
  );
  const moves = path.join(tmp, "ladder-runs.jsonl");
  writeArchive(moves, moved);
  const elsewhere = await runSweep(ladder, {
    ...options(),
    experiment: "heads-ladder-b",
    archive: moves,
  });
  assert.deepEqual(
    [elsewhere.imported, elsewhere.otherCpu, elsewhere.finished, elsewhere.skipped],
    [18, 1, 1, 17],
  );
  assert.equal(
    elsewhere.cells.find((c) => c.status === "FINISHED")?.configHash,
    archived[5]!.configHash,
  );

  // the trend as read back from the tracking server
  const data = await collectReport({
    experiments: ["heads-ladder"],
    trackingUri: mlflow.url,
    studies: [ladder],
  });
  const section = data.sections[0];
  assert.ok(section);
  const [trend] = ladderTrends(section.study, section.results, "tiny");
  assert.ok(trend);
  const want = [2, 6, 20].map((e) =>
    ci3([0, 1, 2].map((s) => 100 * (acc("a", e, s) - acc("b", e, s)))),
  );
  trend.trend.rungs.forEach((rung, i) => {
    const [m, lo, hi] = want[i]!;
    assert.ok(Math.abs(100 * rung.mean - m) < 1e-9, `rung ${i}: ${rung.mean}`);
    assert.ok(Math.abs(100 * rung.ci![0] - lo) < 1e-9 && Math.abs(100 * rung.ci![1] - hi) < 1e-9);
  });
  // unregistered, the ladder is read from the study.json its sweep stored: the same trend
  const stored = await collectReport({ experiments: ["heads-ladder"], trackingUri: mlflow.url });
  const again2 = stored.sections[0];
  assert.ok(again2?.study.ladderOf);
  assert.deepEqual(ladderTrends(again2.study, again2.results, "tiny"), [trend]);
  // each seed's slope per decade is 2 + 0.2 x seed points: mean 2.2
  assert.ok(Math.abs(100 * trend.trend.slope!.mean - 2.2) < 1e-9, String(trend.trend.slope?.mean));
  assert.equal(trend.trend.points, "toward");

  const md = findingsMarkdown(data, { preset: "tiny" });
  assert.match(md, /## Budget ladders/);
  assert.match(
    md,
    new RegExp(
      `2 epochs \\(1x\\): ${want[0]![0] >= 0 ? "\\+" : "-"}${Math.abs(want[0]![0]).toFixed(2)} \\[`,
    ),
  );
  assert.match(
    md,
    /; slope \+2\.20 \[\+[0-9.]+, \+[0-9.]+\] points per tenfold budget over 3 seeds: toward the paper's direction/,
  );
  const none = findingsMarkdown({ ...data, sections: [] }, { preset: "tiny" });
  assert.doesNotMatch(none, /Budget ladders/, "no ladder runs, no section");
  // in the findings table, the slope stands beside the claim's verdict at the study budget
  await runStudy(study, options());
  const both = await collectReport({
    experiments: ["heads", "heads-ladder"],
    trackingUri: mlflow.url,
    studies: [study, ladder],
  });
  const row = findingsMarkdown(both, { preset: "tiny" })
    .split("\n")
    .find((l) => l.startsWith("| a beats b | heads |"));
  assert.match(
    row ?? "",
    /^\| a beats b \| heads \| \*\*[a-z ]+\*\*[^|]*; ladder 1-10x: slope \+2\.20 \[\+[0-9.]+, \+[0-9.]+\] points per tenfold budget, toward the paper \(Holm p [0-9.e-]+\) \|/,
  );

  const noBrowser = ensureChromium();
  if (noBrowser) return t.skip(noBrowser);
  const file = path.join(tmp, "report.html");
  fs.writeFileSync(file, renderReport(data));
  const browser = await launchChromium();
  try {
    const { page, figs, errors } = await openDrawnReport(browser, file, tmp, "ladder");
    assert.deepEqual(errors, []);
    const f = figs.find((x) => /^heads: a beats b/.test(x.title));
    assert.ok(f, figs.map((x) => x.title).join(" | "));
    assertFigureRules(f, "ladder figure");
    assert.match(f.xTitle, /pre-training epochs \(budget, log scale\)/);
    assert.match(
      f.yTitle,
      /^difference \(better - worse\), points<br><sub>error bars: 95% t-interval of the mean over seeds/,
    );
    assert.deepEqual(f.lines, [{ name: "no difference", y: 0 }]);
    assert.equal(f.errorBars.length, 3);
    f.errorBars.forEach(([lo, hi], i) => {
      assert.ok(
        Math.abs(lo - want[i]![1]) < 0.02 && Math.abs(hi - want[i]![2]) < 0.02,
        `bar ${i}: ${lo}, ${hi} vs ${want[i]}`,
      );
    });
    const text = await page.locator("body").innerText();
    assert.match(text, /paper's direction: above 0/);
  } finally {
    await browser.close();
  }
});
