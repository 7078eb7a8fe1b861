import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureChromium, launchChromium } from "../support/browser";
import { e2eData } from "../support/e2e-data";
import { useMlflowServer } from "../support/mlflow";
import type { Study } from "../../src/evidence/study";
import { tempDir } from "../support/tmp";

// A real `tiny` sweep (simclr pretrain per cell, shrunk further) and its report in headless Chromium.
const mlflow = useMlflowServer();
const ROOT = path.resolve(__dirname, "..", "..");

test("simclr sweep (tiny) then simclr report gives a page whose plots render offline", async (t) => {
  const noBrowser = ensureChromium();
  if (noBrowser) return t.skip(noBrowser);
  // CIFAR-10 where it is configured, else the generated image folder (a fresh clone).
  const data = e2eData();
  t.after(() => {
    if (data.tempDir) fs.rmSync(data.tempDir, { recursive: true, force: true });
  });
  const tmp = tempDir("tiny-report");
  const study: Study = {
    name: "tiny-heads",
    description: "two projection heads, tiny preset shrunk for the test suite",
    base: {
      data: { dataset: data.env.SIMCLR_DATASET ?? "cifar10", trainLimit: 512, testLimit: 200 },
      train: { epochs: 1 },
      eval: { linearEpochs: 10, randomInit: false },
    },
    cells: [
      { label: "none", overrides: { head: { kind: "none" } } },
      { label: "nonlinear", overrides: { head: { kind: "nonlinear" } } },
    ],
    seeds: 1,
    metrics: ["linear_acc", "knn_acc"],
    claims: [
      {
        id: "a-non-linear-head-beats-none",
        claim: "a non-linear head beats none",
        metric: "linear_acc",
        better: "nonlinear",
        worse: "none",
        source: "Figure 8",
      },
    ],
  };
  const file = path.join(tmp, "study.json");
  fs.writeFileSync(file, JSON.stringify(study));
  const env = {
    ...process.env,
    ...data.env,
    MLFLOW_TRACKING_URI: mlflow.url,
    SIMCLR_JOURNAL_DIR: path.join(tmp, "journal"),
  };
  const sweep = spawnSync(
    process.execPath,
    ["bin/simclr.cjs", "sweep", file, "--preset", "tiny", "--json", "--quiet"],
    { cwd: ROOT, env, encoding: "utf8" },
  );
  assert.equal(sweep.status, 0, sweep.stderr.slice(-3000));
  const summary = JSON.parse(sweep.stdout.trim().split("\n").pop() ?? "{}") as {
    finished: number;
    cells: { metrics: Record<string, number> }[];
  };
  assert.equal(summary.finished, 2);
  // Above chance: 10 classes in CIFAR-10, the generated folder's class count otherwise.
  const folder = data.env.SIMCLR_DATASET;
  const chance = 1 / (folder ? fs.readdirSync(path.join(folder, "train")).length : 10);
  const accs = summary.cells.map((c) => c.metrics.linear_acc);
  t.diagnostic(`${data.description}: linear_acc ${JSON.stringify(accs)}, chance ${chance}`);
  assert.ok(
    accs.every((a) => a > chance),
    JSON.stringify(accs),
  );
  const out = path.join(tmp, "report.html");
  const report = spawnSync(
    process.execPath,
    ["bin/simclr.cjs", "report", "--experiment", "tiny-heads", "--out", out],
    { cwd: ROOT, env, encoding: "utf8" },
  );
  assert.equal(report.status, 0, report.stderr);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const network: string[] = [];
    page.on("request", (req) => {
      if (!/^(file|data|blob|about):/.test(req.url())) network.push(req.url());
    });
    await page.goto(`file://${out}`);
    await page.waitForSelector(".js-plotly-plot .main-svg", { timeout: 60_000 });
    assert.ok((await page.locator(".js-plotly-plot").count()) >= 3); // two metrics + the loss curve
    assert.match(
      await page.locator("body").innerText(),
      /a non-linear head beats none\s+too few seeds/,
    );
    assert.deepEqual(network, []);
  } finally {
    await browser.close();
  }
});
