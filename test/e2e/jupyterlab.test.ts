/**
 * JupyterLab in a real browser: headless Chromium opens the workbook's JupyterLab, runs the
 * quickstart on the TypeScript kernel at the tiny preset (on CIFAR-10 where configured, else a
 * generated image folder) and finds the rendered plotly chart; a cell error ends the wait at once
 * and is reported. The screenshot is written to test-results/jupyterlab-quickstart.png.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { ensureChromium, launchChromium } from "../support/browser";
import { e2eData, type E2eData } from "../support/e2e-data";
import { useMlflowServer } from "../support/mlflow";
import { reapOnSignal } from "../support/reap";
import { tempDir } from "../support/tmp";
import { PROJECT_ROOT } from "../../src/track/server";
import { startJupyterLab, type JupyterServer } from "../../src/workbench/jupyter";

const mlflow = useMlflowServer();
const skip = ensureChromium();
let lab: JupyterServer | undefined;
let browser: Browser | undefined;
let workDir = "";
let data: E2eData | undefined;
const PLOT = ".jp-OutputArea-output svg.main-svg";

/**
 * Runs every cell and waits until the notebook shows a plot ("plot") or a cell has failed,
 * whichever comes first, so a failed cell ends the wait at once: the failure is an error output
 * in the notebook model, or (tslab, which prints the error on stderr) run-all resolving false;
 * the message then carries the failed cells' error text.
 */
async function runAllUntilPlotOrError(page: Page, timeoutMs: number): Promise<string> {
  type Lab = {
    commands: { execute(id: string): Promise<unknown> };
    shell: { currentWidget: { content: { model: { cells: unknown } } } };
  };
  await page.evaluate(() => {
    const g = globalThis as unknown as { jupyterapp: Lab; simclrRunAll?: unknown };
    void g.jupyterapp.commands
      .execute("notebook:run-all-cells")
      .then((ok) => (g.simclrRunAll = ok));
  });
  const handle = await page
    .waitForFunction(
      (plot) => {
        type Output = {
          type: string;
          toJSON(): { ename?: string; evalue?: string; name?: string; text?: string | string[] };
        };
        type List<T> = { length: number; get(i: number): T };
        const g = globalThis as unknown as {
          jupyterapp: { shell: { currentWidget: { content: { model: { cells: unknown } } } } };
          simclrRunAll?: unknown;
          document: { querySelector(s: string): unknown };
        };
        const cells = g.jupyterapp.shell.currentWidget.content.model.cells as List<{
          outputs?: List<Output>;
        }>;
        const failed: string[] = [];
        let errorOutput = false;
        for (let i = 0; i < cells.length; i++) {
          const outs = cells.get(i).outputs;
          for (let j = 0; outs && j < outs.length; j++) {
            const o = outs.get(j).toJSON();
            const text = Array.isArray(o.text) ? o.text.join("") : (o.text ?? "");
            if (outs.get(j).type === "error") errorOutput = true;
            if (outs.get(j).type === "error") failed.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
            else if (o.name === "stderr") failed.push(`cell ${i} (stderr): ${text.slice(0, 1500)}`);
          }
        }
        if (errorOutput || g.simclrRunAll === false)
          return `a cell failed:\n${failed.join("\n") || "(no error text)"}`;
        // "attached": JupyterLab 4 renders notebooks windowed, so a plot below the fold is in the
        // DOM but may not count as visible until scrolled to.
        return g.document.querySelector(plot) ? "plot" : false;
      },
      PLOT,
      { timeout: timeoutMs, polling: 500 },
    )
    .catch((e: unknown) => e);
  if (handle instanceof Error) {
    const outputs = await page.$$eval(".jp-OutputArea-output", (els) =>
      els.map(
        (el) => `${el.getAttribute("data-mime-type")}: ${(el.textContent ?? "").slice(0, 300)}`,
      ),
    );
    return `no plot rendered; outputs:\n${outputs.join("\n")}\n${String(handle)}`;
  }
  return String(await (handle as { jsonValue(): Promise<unknown> }).jsonValue());
}

before(async () => {
  if (skip) return;
  await mlflow.ready; // Node 20 runs top-level before hooks concurrently
  assert.ok(mlflow.url, "the MLflow fixture is up");
  data = e2eData();
  console.log(`# the quickstart runs on ${data.description}`);
  // Work on a copy so the committed notebook keeps no outputs from the test.
  workDir = fs.mkdtempSync(path.join(PROJECT_ROOT, "notebooks", "_e2e-"));
  fs.copyFileSync(
    path.join(PROJECT_ROOT, "notebooks", "00-quickstart.ipynb"),
    path.join(workDir, "quickstart.ipynb"),
  );
  lab = await startJupyterLab({
    port: 0,
    trackingUri: mlflow.url,
    env: { SIMCLR_PRESET: "tiny", ...data.env },
    logFile: path.join(tempDir("e2e-jupyter"), "jupyter.log"),
    // a fresh layout: no tab restored from another session (which could be the committed notebook)
    workspacesDir: path.join(workDir, ".workspaces"),
    extraArgs: ["--LabApp.expose_app_in_browser=True"],
  });
  reapOnSignal(() => lab?.pid);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await lab?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  if (data?.tempDir) fs.rmSync(data.tempDir, { recursive: true, force: true });
});

test(
  "JupyterLab runs the quickstart on the TypeScript kernel and renders its plot",
  { skip, timeout: 12 * 60_000 },
  async () => {
    assert.ok(lab && browser);
    // `npm start` prints this URL: JupyterLab opens on the quickstart.
    assert.match(lab.labUrl, /\/lab\/tree\/notebooks\/00-quickstart\.ipynb\?token=[0-9a-f]+$/);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const offsite: string[] = [];
    page.on("request", (req) => {
      const u = new URL(req.url());
      if (!["127.0.0.1", "localhost"].includes(u.hostname) && u.protocol.startsWith("http"))
        offsite.push(req.url());
    });
    const rel = path.relative(PROJECT_ROOT, path.join(workDir, "quickstart.ipynb"));
    await page.goto(`${lab.url}/lab/tree/${rel}?token=${lab.token}`, {
      waitUntil: "domcontentloaded",
    });
    // The kernel named in the notebook's metadata starts by itself; wait until it is idle.
    await page.waitForSelector(".jp-Notebook", { timeout: 120_000 });
    await page.waitForFunction(
      () => {
        const app = (
          globalThis as unknown as { jupyterapp?: { shell: { currentWidget: unknown } } }
        ).jupyterapp;
        const w = app?.shell.currentWidget as {
          sessionContext?: { session?: { kernel?: { status: string; name: string } } };
        } | null;
        return w?.sessionContext?.session?.kernel?.status === "idle";
      },
      undefined,
      { timeout: 120_000 },
    );
    const kernelName = await page.evaluate(() => {
      const app = (
        globalThis as unknown as {
          jupyterapp: {
            shell: { currentWidget: { sessionContext: { session: { kernel: { name: string } } } } };
          };
        }
      ).jupyterapp;
      return app.shell.currentWidget.sessionContext.session.kernel.name;
    });
    assert.equal(kernelName, "simclr-tslab");
    // plotly's JupyterLab renderer draws an SVG inside .js-plotly-plot.
    const shot = path.join(PROJECT_ROOT, "test-results", "jupyterlab-quickstart.png");
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    const outcome = await runAllUntilPlotOrError(page, 8 * 60_000);
    if (outcome !== "plot") {
      await page.screenshot({ path: shot, fullPage: true });
      throw new Error(`${outcome} (screenshot ${shot})`);
    }
    // The isolated settings (src/workbench/jupyter.ts) answer JupyterLab's news question: no pop-up.
    const news = await page.getByText("official Jupyter news").count();
    assert.equal(news, 0, "the 'official Jupyter news' notification is shown");
    const plots = await page.$$eval(PLOT, (els) => els.length);
    assert.ok(plots >= 1);
    const first = page.locator(PLOT).first();
    await first.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot });
    assert.deepEqual(offsite, [], "JupyterLab and the notebook must not reach the network");
    // The kernel got MLFLOW_TRACKING_URI from `npm start`'s JupyterLab: the run is in this server.
    const exp = (await (
      await fetch(`${mlflow.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=quickstart`)
    ).json()) as { experiment?: { experiment_id: string } };
    assert.ok(exp.experiment, "the quickstart experiment exists on the fixture's server");
    const runs = (await (
      await fetch(`${mlflow.url}/api/2.0/mlflow/runs/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ experiment_ids: [exp.experiment.experiment_id] }),
      })
    ).json()) as { runs?: { info: { status: string } }[] };
    assert.ok(
      (runs.runs ?? []).some((r) => r.info.status === "FINISHED"),
      "the quickstart run finished on the fixture's server",
    );
  },
);
