/**
 * MLflow as its users see it (issue 26), in real Chromium against a real server: a run logged by
 * the toolkit opens, from the link the workbench prints, in the model-training view of a fresh
 * browser profile, and its page shows the run's datasets, its Source and its logged model (the
 * trained encoder, linked to the run's outputs). Two runs on the same
 * subset carry the same dataset digest.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import "@tensorflow/tfjs-node";
import { resolveConfig } from "../../src/config/resolve";
import { runUrl } from "../../src/track/links";
import { startRun } from "../../src/track/logger";
import { createMlflowClient, type Run } from "../../src/track/mlflow";
import { barsFromRows } from "../../src/plot/figures";
import { figureSvg } from "../../src/plot/svg";
import { pretrain } from "../../src/train/pretrain";
import type { Page } from "playwright-core";
import { ensureChromium, launchChromium } from "../support/browser";
import { useMlflowServer } from "../support/mlflow";
import { syntheticDataset } from "../train/support";
import { tempDir } from "../support/tmp";

const mlflow = useMlflowServer();
const dataset = syntheticDataset(96, 32);
const tiny = {
  data: { trainLimit: 64, testLimit: 0, resolution: 16 },
  encoder: { widthMultiplier: 0.25 },
  head: { outDim: 16 },
  train: { batchSize: 32, maxSteps: 2 },
  eval: { linearEpochs: 2, knnK: 5, randomInit: false },
};

async function trackedRun(name: string): Promise<Run> {
  const journalDir = tempDir("journal");
  const logger = await startRun({
    trackingUri: mlflow.url,
    experiment: "ui-check",
    runName: name,
    journalDir,
    useEnv: false,
    source: { name: "00-quickstart.ipynb", type: "NOTEBOOK" },
    systemMetricsIntervalMs: 250, // 10 s by default; this run lasts about a second
  });
  await pretrain(resolveConfig("tiny", tiny), { dataset, logger, progress: false });
  fs.rmSync(journalDir, { recursive: true, force: true });
  return createMlflowClient(mlflow.url).getRun(logger.runId as string);
}

test("runs log their datasets with a digest of the images used, source, user and system metrics", async () => {
  const [a, b] = [await trackedRun("digest-a"), await trackedRun("digest-b")];
  for (const r of [a, b]) {
    assert.deepEqual((r.datasets ?? []).map((d) => [d.name, d.context]).sort(), [
      ["synthetic/test", "evaluation"],
      ["synthetic/train", "training"],
    ]);
    assert.equal(r.tags["mlflow.source.name"], "00-quickstart.ipynb");
    assert.equal(r.tags["mlflow.source.type"], "NOTEBOOK");
    assert.equal(r.tags["mlflow.user"], os.userInfo().username);
    assert.ok(r.metrics["system/process_memory_megabytes"] > 0, "system metrics while training");
  }
  const digests = (r: Run): string[] => (r.datasets ?? []).map((d) => d.digest).sort();
  assert.deepEqual(digests(a), digests(b), "same subset, same digest");
  assert.equal(new Set(digests(a)).size, 2, "train and test subsets differ");
});

test("a run page opens in the model-training view with its dataset, source and logged model", async (t) => {
  const noBrowser = ensureChromium();
  if (noBrowser) return t.skip(noBrowser);
  const run = await trackedRun("ui-run");
  const train = (run.datasets ?? []).find((d) => d.name === "synthetic/train");
  assert.ok(train, "the run has its training data set");
  const modelId = run.models?.[0]?.modelId;
  assert.ok(modelId, "the run logged its encoder as a model");
  const link = runUrl(mlflow.url, run.info.experimentId, run.info.runId);
  const browser = await launchChromium();
  try {
    // Fresh profiles. Without the parameter MLflow 3.17 shows its GenAI view ("Evaluation runs"):
    // the view is the browser's choice, which is why the printed links carry the parameter.
    const bare = await (await browser.newContext()).newPage();
    await bare.goto(link.replace(/\?workflowType=machine_learning$/, ""));
    await bare.getByText("Evaluation runs", { exact: true }).first().waitFor({ timeout: 60_000 });

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByText("ui-run", { exact: true }).first().waitFor({ timeout: 60_000 });
    await page.getByText("Model registry", { exact: true }).first().waitFor({ timeout: 30_000 });
    assert.equal(await page.getByText("Evaluation runs", { exact: true }).count(), 0);
    await page.getByRole("tab", { name: "Model metrics" }).waitFor({ timeout: 30_000 });
    await page
      .getByText(`synthetic/train (${train.digest})`)
      .filter({ visible: true })
      .first()
      .waitFor({ timeout: 30_000 });
    await page
      .getByText("00-quickstart.ipynb")
      .filter({ visible: true })
      .first()
      .waitFor({ timeout: 30_000 });
    // the Logged models box links the encoder's model page
    await page
      .locator(`a[href*="${modelId}"]`)
      .filter({ visible: true })
      .first()
      .waitFor({ timeout: 30_000 });
    // The README's picture (docs/mlflow-run-page.png): the run page without the assistant panel.
    const shot = process.env.SIMCLR_RUN_PAGE_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 945, height: 800 } });
    await metricSections(page);
    await svgPlotShown(page, run);
  } finally {
    await browser.close();
  }
});

/** The model-metrics tab sections the charts by the metrics' group prefix (train/, eval/, time/). */
async function metricSections(page: Page): Promise<void> {
  await page.getByRole("tab", { name: "Model metrics" }).click();
  // each section is headed by its group and its chart count, e.g. "eval (3)"
  for (const group of ["train", "eval", "time"])
    await page
      .getByText(new RegExp(`^${group}( \\(\\d+\\))?$`))
      .filter({ visible: true })
      .first()
      .waitFor({ timeout: 30_000 });
  // the charts are titled with the full names, each in its group's section
  await page.getByText("eval/linear_acc").filter({ visible: true }).first().waitFor();
}

/** A sweep-style SVG plot artifact opens in the artifact viewer as an image that has loaded. */
async function svgPlotShown(page: Page, run: Run): Promise<void> {
  const fig = barsFromRows(
    [
      { x: "linear", group: "", value: run.metrics.linear_acc },
      { x: "kNN", group: "", value: run.metrics.knn_acc },
    ],
    { title: "ui-run: accuracy", yTitle: "top-1", xTitle: "protocol" },
  );
  await createMlflowClient(mlflow.url).uploadArtifact(
    run.info.runId,
    "plots/accuracy.svg",
    figureSvg(fig),
  );
  await page.getByRole("tab", { name: "Artifacts" }).click();
  await page.getByText("plots", { exact: true }).filter({ visible: true }).first().click();
  await page.getByText("accuracy.svg", { exact: true }).filter({ visible: true }).first().click();
  // the picture decoded at the SVG's own width (760 px): shown, not offered as text or a download
  await page.waitForFunction(
    "[...document.images].some((i) => i.complete && i.naturalWidth === 760)",
    undefined,
    { timeout: 30_000 },
  );
  const shot = process.env.SIMCLR_PLOT_ARTIFACT_SCREENSHOT;
  if (shot) await page.screenshot({ path: shot });
}
