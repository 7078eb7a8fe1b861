/**
 * The report's figures as a reader sees them: report.html rebuilt from the committed `small`
 * archive (results/small/runs.jsonl, as `npm run reproduce -- --findings-only` does), opened in
 * headless Chromium, every figure read back from the drawn page and checked against the rules of
 * issue 27 item 5 (test/support/figure-check.ts) and against numbers computed here from the
 * archive's lines independently of the figure code. Each figure is saved as a PNG in the run's
 * temp folder.
 * SIMCLR_KEEP_FIGURES=<folder> also copies the PNGs there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ensureChromium, launchChromium } from "../support/browser";
import { tempDir } from "../support/tmp";
import { assertFigureRules, openDrawnReport } from "../support/figure-check";
import { archiveFile, readArchive, type ArchivedRun } from "../../src/evidence/archive";
import { reportDataFromArchive } from "../../src/report/archive";
import { renderReport } from "../../src/report/render";
import { ladderTrends } from "../../src/evidence/ladder-trend";

// The archive holds ladder runs too; the registry knows the built-in ladder studies by itself.
const runs = readArchive(archiveFile("small"));
const tmp = tempDir("figures-report");

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const of = (study: string): ArchivedRun[] => runs.filter((r) => r.study === study);
const values = (rs: readonly ArchivedRun[], metric: string): number[] =>
  rs.map((r) => r.metrics[metric]).filter((v): v is number => Number.isFinite(v));

test("report.html's figures, drawn in Chromium, show what the claims test", async (t) => {
  const noBrowser = ensureChromium();
  if (noBrowser) return t.skip(noBrowser);
  const data = reportDataFromArchive(runs, { source: "results/small/runs.jsonl" });
  const file = path.join(tmp, "report.html");
  fs.writeFileSync(file, renderReport(data));
  const browser = await launchChromium();
  try {
    const { page, figs, shots, errors } = await openDrawnReport(browser, file, tmp, "report");
    assert.deepEqual(errors, []);
    const expected = data.sections.flatMap((s) =>
      s.study.metrics.filter((m) => s.results.some((r) => typeof r.metrics[m] === "number")),
    );
    // a ladder study's section adds one trend figure per laddered claim (src/report/render.ts)
    const trends = data.sections.flatMap((s) =>
      s.results.length ? ladderTrends(s.study, s.results, s.preset) : [],
    );
    assert.equal(
      figs.length,
      expected.length + trends.length,
      `figures: ${figs.map((f) => f.title).join(" | ")}`,
    );
    assert.equal(shots.length, figs.length);
    for (const s of shots) assert.ok(fs.statSync(s).size > 5_000, `${s} is a drawn PNG`);
    figs.forEach((f, i) => assertFigureRules(f, `report figure ${i}`));
    const byTitle = (re: RegExp) => {
      const f = figs.find((x) => re.test(x.title));
      assert.ok(f, `no figure titled ${re}: ${figs.map((x) => x.title).join(" | ")}`);
      return f;
    };

    // Figure 5: axes in words; the count of cells below the one baseline, computed here
    const grid = of("augmentation-grid");
    const base = mean(values(grid, "random_init_linear_acc"));
    const labels = [...new Set(grid.map((r) => r.label))];
    const below = labels.filter(
      (l) =>
        mean(
          values(
            grid.filter((r) => r.label === l),
            "linear_acc",
          ),
        ) < base,
    ).length;
    const heat = byTitle(/^augmentation-grid: linear eval top-1/);
    assert.deepEqual([heat.yTitle, heat.xTitle], ["first transformation", "second transformation"]);
    assert.match(heat.title, new RegExp(`${base.toFixed(3)} .* ${below} of 49 cells below it`));
    assert.ok(Math.abs((heat.heatmap?.zmid ?? NaN) - base) < 1e-12);

    // Figure 9: linear and square-root scaling are separate series, each bar one cell's mean
    const batch = byTitle(/^batch-size: linear eval top-1/);
    const bs = of("batch-size");
    for (const epochs of [2, 6])
      for (const scaling of ["linear", "sqrt"]) {
        const series = batch.bars.find((b) => b.name === `${epochs} / ${scaling}`);
        assert.ok(series, `batch-size series ${epochs} / ${scaling}: ${batch.legend.join(", ")}`);
        [128, 512].forEach((size, i) => {
          const cell = `train.batchSize=${size}, train.epochs=${epochs}, optimizer.lrScaling=${scaling}`;
          const want = mean(
            values(
              bs.filter((r) => r.label === cell),
              "linear_acc",
            ),
          );
          assert.ok(Math.abs((series.y[i] ?? NaN) - want) < 1e-12, `${cell}: ${series.y[i]}`);
        });
      }

    // Table 1: the supervised bars are supervised_acc, the metric of the interaction claim
    const colour = byTitle(/^color-strength: top-1/);
    const sup = colour.bars.find((b) => b.name.startsWith("supervised ("));
    assert.ok(sup, colour.legend.join(", "));
    ["0.125", "0.25", "0.5", "1"].forEach((s, i) => {
      const cell = of("color-strength").filter((r) => r.label === `supervised s=${s}`);
      const want = mean(values(cell, "supervised_acc"));
      assert.ok(Math.abs((sup.y[i] ?? NaN) - want) < 1e-12, `supervised s=${s}: ${sup.y[i]}`);
    });

    // Table 4: the paper's percentages as fractions on the data's own axis
    const losses = byTitle(/^losses: linear eval top-1/);
    const paper = losses.bars.find((b) => b.name.startsWith("paper"));
    assert.ok(paper && paper.y.every((v) => v === null || (v > 0.3 && v < 1)), String(paper?.y));

    // the environment section lists what the runs' params record
    const text = await page.locator("body").innerText();
    assert.doesNotMatch(text, /recorded no environment tags/);
    const cpu = runs.find((r) => r.params["env.cpu_model"])?.params["env.cpu_model"];
    assert.ok(cpu && text.slice(text.lastIndexOf("Environment")).includes(cpu), cpu);
  } finally {
    await browser.close();
  }
});
