/**
 * What a plotly figure drawn in Chromium shows, read from the page (the rendered SVG and plotly's
 * own axes), and the rules every study figure keeps (issue 27 item 5): axes and legends in words,
 * no second axis, no series without a value, error bars that say they are 95% intervals and stay
 * in the metric's range, one random-init baseline per figure, a heatmap scale centred on it. Each
 * figure is also saved as a PNG (under the caller's temp folder) for a person to look at.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";

/** One figure as the browser drew it. */
export interface DrawnFigure {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Text of every legend entry. */
  legend: string[];
  /** Text of every axis, colour bar and legend title and every tick label. */
  texts: string[];
  hasSecondAxis: boolean;
  /** Each error bar's low and high end in data units, read back from its drawn pixels. */
  errorBars: [number, number][];
  /** Each bar trace: name and y values. */
  bars: { name: string; y: (number | null)[] }[];
  /** Heatmaps: the value the colour scale is centred on, its min and max as plotly drew them. */
  heatmap?: { zmid: number | undefined; zmin: number; zmax: number; midColour: string };
  /** y of every horizontal reference line with a legend entry, and its name. */
  lines: { name: string; y: number }[];
}

/**
 * The page-side reader, as source text: tsx compiles a function passed to page.evaluate with
 * helpers (`__name`) the page lacks, and the test's types know no DOM. It reads plotly's own
 * full layout and data of each `.js-plotly-plot` and the drawn SVG (error bars' pixels mapped
 * back to data units with the y axis's p2l).
 */
const READ_FIGURES = `(() => {
  const all = (root, sel) => [...root.querySelectorAll(sel)].map((e) => (e.textContent || "").trim());
  return [...document.querySelectorAll(".js-plotly-plot")].map((gd) => {
    const fl = gd._fullLayout;
    const errorBars = [...gd.querySelectorAll(".errorbar path.yerror")].map((p) => {
      const b = p.getBBox();
      return [fl.yaxis.p2l(b.y + b.height), fl.yaxis.p2l(b.y)];
    });
    const heat = gd._fullData.find((t) => t.type === "heatmap");
    const mid = ((heat && heat.colorscale) || []).find(([at]) => Math.abs(at - 0.5) < 1e-9);
    const out = {
      title: (fl.title && fl.title.text) || "",
      xTitle: (fl.xaxis.title && fl.xaxis.title.text) || "",
      yTitle: (fl.yaxis.title && fl.yaxis.title.text) || "",
      legend: all(gd, ".legend .traces .legendtext"),
      texts: all(gd, ".xtitle, .ytitle, .y2title, .cbtitle, .legendtitletext, .xtick, .ytick"),
      hasSecondAxis: fl.yaxis2 !== undefined || gd.querySelector(".y2title") !== null,
      errorBars,
      bars: gd._fullData.filter((t) => t.type === "bar").map((t) => ({ name: t.name, y: [...(t.y || [])] })),
      lines: (fl.shapes || []).filter((s) => s.showlegend).map((s) => ({ name: s.name || "", y: s.y0 })),
    };
    if (heat)
      out.heatmap = { zmid: heat.zmid, zmin: heat.zmin, zmax: heat.zmax, midColour: mid ? mid[1] : "" };
    return out;
  });
})()`;

/** Reads every plotly figure of the page (in document order). */
export async function drawnFigures(page: Page): Promise<DrawnFigure[]> {
  return (await page.evaluate(READ_FIGURES)) as DrawnFigure[];
}

/**
 * Saves each plotly figure of the page as `<prefix>-NN.png` in `dir` (the test's temp folder);
 * returns the paths. `keep` (a test passes SIMCLR_KEEP_FIGURES) also copies them to a folder
 * outside the run for a person to look at.
 */
export async function screenshotFigures(
  page: Page,
  dir: string,
  prefix: string,
  keep?: string,
): Promise<string[]> {
  const figs = page.locator(".js-plotly-plot");
  const out: string[] = [];
  for (let i = 0; i < (await figs.count()); i++) {
    const file = path.join(dir, `${prefix}-${String(i).padStart(2, "0")}.png`);
    await figs.nth(i).screenshot({ path: file });
    out.push(file);
    if (keep) {
      fs.mkdirSync(keep, { recursive: true });
      fs.copyFileSync(file, path.join(keep, path.basename(file)));
    }
  }
  return out;
}

/** A config key or metric name as code writes it: dotted, snake_case or indexed. */
const CODE_NAME = /\b[a-z]+(\.[a-zA-Z]+)+\b|\b[a-z]+_[a-z_]+\b|\[-?\d+\]/;

/** The number a baseline's legend or the heatmap's subtitle gives. */
const BASELINE_VALUE = /random-init encoder, [a-zA-Z ]+: (\d\.\d{3})/;

/**
 * The rules every study figure keeps; `where` names the figure in a failure. Accuracies (a
 * y title or colour bar that says accuracy) stay within [0, 1].
 */
export function assertFigureRules(f: DrawnFigure, where: string): void {
  const at = `${where} (${f.title})`;
  for (const t of [f.xTitle, f.yTitle, ...f.legend, ...f.texts])
    assert.doesNotMatch(t, CODE_NAME, `${at}: "${t}" names a config key or metric as code does`);
  assert.ok(!JSON.stringify(f).includes("augment.ops"), `${at}: an axis reads augment.ops`);
  assert.equal(f.hasSecondAxis, false, `${at}: a second y axis`);
  for (const b of f.bars)
    assert.ok(
      b.y.some((v) => v !== null && Number.isFinite(v)),
      `${at}: series "${b.name}" has no value`,
    );
  if (f.errorBars.length) {
    assert.match(f.yTitle, /95% t-interval of the mean over seeds/, `${at}: error bars unnamed`);
    // a difference of accuracies (a budget ladder) may be negative
    if (/accuracy/.test(f.yTitle) && !/^difference/.test(f.yTitle))
      for (const [lo, hi] of f.errorBars) {
        assert.ok(lo >= -1e-6, `${at}: an error bar reaches ${lo} below 0`);
        assert.ok(hi <= 1 + 1e-6, `${at}: an error bar reaches ${hi} above 1`);
      }
  }
  const said = [...f.lines.map((l) => l.name), f.title]
    .map((t) => BASELINE_VALUE.exec(t)?.[1])
    .filter((v): v is string => v !== undefined);
  assert.ok(new Set(said).size <= 1, `${at}: several random-init baselines: ${said.join(", ")}`);
  for (const l of f.lines)
    if (BASELINE_VALUE.test(l.name))
      assert.equal(l.y.toFixed(3), BASELINE_VALUE.exec(l.name)?.[1], `${at}: line vs its legend`);
  if (f.heatmap && said.length) {
    const b = Number(said[0]);
    const h = f.heatmap;
    assert.ok(h.zmid !== undefined && Math.abs(h.zmid - b) < 5e-4, `${at}: scale centre ${h.zmid}`);
    assert.ok(Math.abs((h.zmin + h.zmax) / 2 - b) < 5e-4, `${at}: colour scale not centred`);
    assert.match(h.midColour, /^#f7f7f7$/i, `${at}: the centre is not white`);
  }
}

/**
 * Opens a report file in `browser`, waits for its plots, and returns the page, the figures as
 * drawn, their screenshots (under `dir`, copied to $SIMCLR_KEEP_FIGURES when set) and the page's
 * script errors.
 */
export async function openDrawnReport(
  browser: Browser,
  file: string,
  dir: string,
  prefix: string,
): Promise<{ page: Page; figs: DrawnFigure[]; shots: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1250, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector(".js-plotly-plot .main-svg", { timeout: 120_000 });
  const figs = await drawnFigures(page);
  const shots = await screenshotFigures(page, dir, prefix, process.env.SIMCLR_KEEP_FIGURES);
  return { page, figs, shots, errors };
}
