/**
 * The study figures as a notebook shows them: a notebook in the run's temp folder displays every
 * study's figures with `sw.display(sw.studyFigure(...))` (as the study notebooks do) from the
 * committed `small` archive, runs headless through the tslab kernel with nbclient, and its display
 * outputs (the HTML part, which inlines plotly.js in the first figure) are opened in headless
 * Chromium, read back and checked against the rules of issue 27 item 5
 * (test/support/figure-check.ts). Each figure is saved as a PNG in the run's temp folder.
 * SIMCLR_KEEP_FIGURES=<folder> also copies the PNGs there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureChromium, launchChromium } from "../support/browser";
import { tempDir } from "../support/tmp";
import { assertFigureRules, drawnFigures, screenshotFigures } from "../support/figure-check";
import { archiveFile, readArchive } from "../../src/evidence/archive";
import { reportDataFromArchive } from "../../src/report/archive";
import { PLOTLY_MIME } from "../../src/plot/display";
import { PROJECT_ROOT } from "../../src/track/server";
import { listStudies } from "../../src/sweep/registry";

const PY = path.join(PROJECT_ROOT, ".venv", "bin", "python");
const RUNNER = path.join(PROJECT_ROOT, "scripts", "execute_notebook.py");

/** A notebook of one code cell for the project's tslab kernel. */
function notebook(source: string): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: "simclr-tslab",
        display_name: "TypeScript (simclr)",
        language: "typescript",
      },
    },
    cells: [
      {
        cell_type: "code",
        id: "figures",
        metadata: {},
        execution_count: null,
        source,
        outputs: [],
      },
    ],
  });
}

/** A notebook's multiline string: nbformat writes it as a list of lines. */
const multiline = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

interface Output {
  data?: Record<string, unknown>;
}

test("the study figures a notebook displays, drawn in Chromium, show what the claims test", async (t) => {
  const noBrowser = ensureChromium();
  if (noBrowser) return t.skip(noBrowser);
  if (!fs.existsSync(PY)) return t.skip(`${PY} is missing: run npm run setup`);
  const tmp = tempDir("figures-notebook");
  // The study figures only: the archive's ladder runs (studies the registry does not load by
  // itself) are drawn as the trend below, from the study's own rungs.
  const known = new Set(listStudies().map((s) => s.name));
  const runs = readArchive(archiveFile("small")).filter((r) => known.has(r.study));
  const data = reportDataFromArchive(runs, { source: "small" });
  const sections = data.sections.map((s) => ({
    study: s.study.name,
    preset: s.preset,
    metrics: s.study.metrics.filter((m) => s.results.some((r) => typeof r.metrics[m] === "number")),
    results: s.results,
  }));
  fs.writeFileSync(path.join(tmp, "sections.json"), JSON.stringify(sections));
  const nb = path.join(tmp, "figures.ipynb");
  fs.writeFileSync(
    nb,
    notebook(
      [
        `const sw = require(${JSON.stringify(path.join(PROJECT_ROOT, "lib", "toolkit.cjs"))});`,
        `const fs = require("node:fs");`,
        `const sections = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(tmp, "sections.json"))}, "utf8"));`,
        `for (const s of sections)`,
        `  for (const m of s.metrics) sw.display(sw.studyFigure(sw.getStudy(s.study), s.results, m, s.preset));`,
        // Figure 9's budget ladder from the batch-size runs: its rungs 1 and 3 are the study's
        // 2- and 6-epoch cells; the 20-epoch rung has no runs in this archive
        `const bs = sections.find((s) => s.study === "batch-size");`,
        `const ladder = sw.ladderStudyOf(sw.getStudy("batch-size"));`,
        `for (const t of sw.ladderTrends(ladder, bs.results, "small")) sw.display(sw.trendFigure(t));`,
      ].join("\n"),
    ),
  );
  const out = path.join(tmp, "figures.out.ipynb");
  const r = spawnSync(PY, [RUNNER, nb, "--out", out, "--timeout", "600"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr.slice(-3000)}`);
  const cells = (JSON.parse(fs.readFileSync(out, "utf8")) as { cells: { outputs?: Output[] }[] })
    .cells;
  const shown = cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[PLOTLY_MIME]);
  const expected = sections.reduce((n, s) => n + s.metrics.length, 0) + 1;
  assert.equal(shown.length, expected, "one displayed figure per study metric with data, a ladder");
  const page = path.join(tmp, "notebook.html");
  fs.writeFileSync(
    page,
    `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="width:1200px">\n` +
      shown.map((o) => multiline(o.data?.["text/html"])).join("\n") +
      "\n</body></html>\n",
  );

  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1250, height: 900 } });
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`file://${page}`);
    await tab.waitForSelector(".js-plotly-plot .main-svg", { timeout: 120_000 });
    const figs = await drawnFigures(tab);
    await screenshotFigures(tab, tmp, "notebook", process.env.SIMCLR_KEEP_FIGURES);
    assert.deepEqual(errors, []);
    assert.equal(figs.length, expected);
    figs.forEach((f, i) => {
      // the HTML part draws the same figure as the plotly MIME part JupyterLab renders
      const spec = shown[i]?.data?.[PLOTLY_MIME] as { layout: { title: { text: string } } };
      assert.equal(f.title, spec.layout.title.text);
      assertFigureRules(f, `notebook figure ${i}`);
    });
    const heat = figs.find((f) => f.title.startsWith("augmentation-grid: linear eval top-1"));
    assert.deepEqual(
      [heat?.yTitle, heat?.xTitle],
      ["first transformation", "second transformation"],
    );
    const batch = figs.find((f) => f.title.startsWith("batch-size: linear eval top-1"));
    assert.deepEqual(
      batch?.bars.map((b) => b.name),
      ["2 / linear", "2 / sqrt", "6 / linear", "6 / sqrt"],
    );
    // the ladder: paired differences 512 - 128 at 2 and 6 epochs, computed here from the runs
    const ladder = figs.find((f) => f.title.startsWith("batch-size: with short training"));
    assert.ok(ladder, figs.map((f) => f.title).join(" | "));
    const bs = sections.find((s) => s.study === "batch-size")?.results ?? [];
    const acc = (b: number, e: number, seed: number) =>
      bs.find(
        (r) =>
          r.seed === seed &&
          r.label === `train.batchSize=${b}, train.epochs=${e}, optimizer.lrScaling=linear`,
      )?.metrics.linear_acc;
    [2, 6].forEach((e, i) => {
      const d = [...new Set(bs.map((r) => r.seed))]
        .map((s) => 100 * ((acc(512, e, s) ?? NaN) - (acc(128, e, s) ?? NaN)))
        .filter(Number.isFinite);
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const [lo, hi] = ladder.errorBars[i] ?? [NaN, NaN];
      assert.ok(
        lo < mean && mean < hi && Math.abs((lo + hi) / 2 - mean) < 0.05,
        `${e}: ${lo}, ${hi}, ${mean}`,
      );
    });
    assert.equal(ladder.errorBars.length, 2, "no bar at the rung without runs");
    assert.match(ladder.title, /no slope: no seed has a run at every rung/);
    assert.deepEqual(ladder.lines, [{ name: "no difference", y: 0 }]);
  } finally {
    await browser.close();
  }
});
