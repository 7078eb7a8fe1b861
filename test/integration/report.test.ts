import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ensureChromium, launchChromium } from "../support/browser";
import { inProcessExecutor } from "../support/in-process";
import { useMlflowServer } from "../support/mlflow";
import { runSweep } from "../../src/sweep/sweep";
import type { Study } from "../../src/evidence/study";
import { writeReport } from "../../src/report/report";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir } from "../support/tmp";
import { standIn } from "../support/stand-in";

const mlflow = useMlflowServer();
const tmp = tempDir("report");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);

/** Runs a cell in this process: logs a loss curve and an accuracy that grows with `head`. */
const inProcess = inProcessExecutor(
  async (run, config) => {
    const cfg = config as { head: string; seed: number };
    await run.logParams({ head: cfg.head, seed: cfg.seed, note_param: "<b>bold?</b>" });
    for (let step = 0; step < 20; step++)
      run.logMetrics({ loss: 5 / (step + 1) + cfg.seed * 0.01, knn_acc: step / 40 }, step);
    const acc = { none: 0.4, linear: 0.5, nonlinear: 0.55 }[cfg.head] ?? 0;
    const linear_acc = acc + 0.01 * cfg.seed;
    run.logMetrics({ linear_acc }, 20);
    return { linear_acc };
  },
  {
    tags: { "simclr.backend": "cpu" },
    note: "note with <script>alert('run')</script>",
  },
);

const study: Study = {
  name: "heads-report",
  description: "Projection heads <script>alert('xss')</script> & friends",
  base: {},
  grid: standIn({ head: ["none", "linear", "nonlinear"] }),
  seeds: 3,
  metrics: ["linear_acc"],
  plot: { kind: "bars", x: "head" },
  claims: [
    {
      id: "a-non-linear-head-beats-a-linear-one",
      claim: "a non-linear head beats a linear one",
      metric: "linear_acc",
      better: standIn({ head: "nonlinear" }),
      worse: standIn({ head: "linear" }),
      source: "Figure 8",
    },
    {
      id: "no-head-beats-a-linear-head-false-here",
      claim: "no head beats a linear head (false here)",
      metric: "linear_acc",
      better: standIn({ head: "none" }),
      worse: standIn({ head: "linear" }),
    },
  ],
  paper: {
    metric: "linear_acc",
    values: { linear: 63, nonlinear: 66 },
    source: "Figure 8 (approx.)",
  },
};

test("a report from a sweep opens offline in headless Chromium with its plots rendered and strings escaped", async (t) => {
  const noBrowser = ensureChromium();
  if (noBrowser) return t.skip(noBrowser);
  const r = await runSweep(study, {
    preset: "tiny",
    trackingUri: mlflow.url,
    executor: inProcess,
    configDir: path.join(tmp, "cfg"),
  });
  assert.equal(r.finished, 9);
  const file = await writeReport(path.join(tmp, "report.html"), {
    experiments: ["heads-report"],
    trackingUri: mlflow.url,
  });
  const html = fs.readFileSync(file, "utf8");
  assert.ok(!html.includes("<script>alert"), "user strings must be escaped");
  assert.equal(
    html.match(/plotly\.js 3[.\d]+ \(MIT\), inlined/g)?.length,
    1,
    "plotly.js inlined exactly once",
  );

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const network: string[] = [];
    page.on("request", (req) => {
      if (!/^(file|data|blob|about):/.test(req.url())) network.push(req.url());
    });
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForSelector(".js-plotly-plot .main-svg", { timeout: 60_000 });
    const plots = await page.locator(".js-plotly-plot").count();
    assert.ok(
      plots >= 3,
      `expected bars + loss curves + accuracy-against-time, got ${plots} plots`,
    );
    assert.equal((await page.locator(".js-plotly-plot .main-svg").count()) >= plots, true);
    // three cells, and the paper's numbers (linear, nonlinear) as a second, outlined bar trace
    // on the same axis
    const traces = page.locator(".js-plotly-plot .barlayer .trace");
    assert.equal(await traces.count(), 2);
    assert.equal(await traces.first().locator(".point").count(), 3);
    const text = await page.locator("body").innerText();
    assert.match(text, /Projection heads <script>alert\('xss'\)<\/script> & friends/);
    assert.match(text, /a non-linear head beats a linear one\s+agrees/);
    assert.match(text, /no head beats a linear head \(false here\)\s+disagrees/);
    assert.deepEqual(errors, []);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(network, []);
    await page.screenshot({ path: path.join(tmp, "report.png"), fullPage: true });
    if (process.env.SIMCLR_KEEP_REPORT)
      fs.copyFileSync(path.join(tmp, "report.png"), process.env.SIMCLR_KEEP_REPORT);
  } finally {
    await browser.close();
  }
});
