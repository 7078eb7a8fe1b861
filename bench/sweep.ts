/**
 * Sweep overhead per executor, and parallel vs serial local cells (issue 13).
 *
 *   node --import tsx bench/sweep.ts overhead --executor local|slurm|ray [--ray-address URL] [--cells N]
 *     a study of N cells whose command sleeps 1 s (bench/sweep-cell.cjs), one cell in flight at a
 *     time; per cell: submit->start (executor called -> command running) and end->result (command
 *     ended -> the sweep has the outcome). Slurm uses the cluster SLURM_CONF names.
 *   node --import tsx bench/sweep.ts parallel --study NAME [--cells N] [--preset tiny|small]
 *     the first N cells (default: all) of a registered study at a preset (default tiny), one seed,
 *     `local --parallel 2` with one TensorFlow thread per cell against serial with two threads;
 *     wall time of each pass and the ratio. The serial pass runs first.
 * Both start a temporary MLflow server from .venv.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createExecutor } from "../src/sweep/executors";
import type { Executor } from "../src/sweep/executor";
import { getStudy } from "../src/sweep/registry";
import { projectConfigResolver } from "../src/sweep/run-study";
import { mergeResolver, studyCells } from "../src/grid/study-grid";
import type { Study } from "../src/evidence/study";
import { runSweep } from "../src/sweep/sweep";
import { startMlflowServer } from "../src/track/server";
import { configureFromEnv } from "../src/workbench/params";
import { standIn } from "../test/support/stand-in";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    executor: { type: "string", default: "local" },
    "ray-address": { type: "string" },
    cells: { type: "string" },
    study: { type: "string", default: "temperature" },
    preset: { type: "string", default: "tiny" },
  },
});
const cells = Number(values.cells ?? 4);
if (!Number.isInteger(cells) || cells < 1) {
  console.error(`bench/sweep.ts: --cells must be a positive integer, got '${values.cells}'`);
  process.exit(2);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function overhead(trackingUri: string, tmp: string): Promise<void> {
  const command = [process.execPath, path.join(__dirname, "sweep-cell.cjs")];
  const common = { command, cwd: process.cwd() };
  const inner = createExecutor(values.executor, {
    local: common,
    slurm: { ...common, logDir: path.join(tmp, "logs"), pollSeconds: 0.25, maxInFlight: 1 },
    ray: { ...common, address: values["ray-address"] ?? "", pollSeconds: 0.25, maxInFlight: 1 },
  });
  const marks: { submit: number; started: number; ended: number; result: number }[] = [];
  const timed: Executor = {
    ...inner,
    concurrency: 1,
    async run(task, signal) {
      const submit = Date.now();
      const o = await inner.run(task, signal);
      const r = o.result as { started?: number; ended?: number } | undefined;
      if (r?.started && r.ended)
        marks.push({ submit, started: r.started, ended: r.ended, result: Date.now() });
      return o;
    },
  };
  const study: Study = {
    name: `bench-overhead-${values.executor}`,
    description: "per-cell overhead",
    base: {},
    grid: standIn({ x: Array.from({ length: cells }, (_, i) => i) }),
    seeds: 1,
    metrics: ["score"],
  };
  const t0 = Date.now();
  const r = await runSweep(study, {
    preset: "tiny",
    trackingUri,
    configDir: path.join(tmp, "cfg"),
    executor: timed,
    resolveConfig: mergeResolver,
  });
  const s2s = marks.map((m) => (m.started - m.submit) / 1000);
  const e2r = marks.map((m) => (m.result - m.ended) / 1000);
  console.log(
    JSON.stringify({
      executor: values.executor,
      cells: r.cells.length,
      finished: r.finished,
      submitToStartMedianS: median(s2s),
      endToResultMedianS: median(e2r),
      submitToStartS: s2s,
      endToResultS: e2r,
      wallS: (Date.now() - t0) / 1000,
    }),
  );
}

/** The registered study cut to its first `--cells` cells at the preset (all without the flag). */
function benchStudy(preset: string): Study {
  const full = getStudy(values.study);
  if (values.cells === undefined) return full;
  const own = full.presets?.[preset] ?? {};
  const first = studyCells(full, preset).slice(0, cells);
  return {
    ...full,
    presets: { ...full.presets, [preset]: { ...own, cells: first, grid: undefined } },
  };
}

async function parallel(trackingUri: string, tmp: string): Promise<void> {
  const preset = values.preset;
  const full = benchStudy(preset);
  const results: Record<string, number> = {};
  let plansCells = 0;
  for (const [mode, local] of [
    ["serial-2-threads", { parallel: 1, threadsPerCell: 2 }],
    ["parallel-2x1-thread", { parallel: 2, threadsPerCell: 1 }],
  ] as const) {
    const study: Study = { ...full, name: `bench-${mode}`, seeds: 1 };
    const ex = createExecutor("local", { local });
    const t0 = Date.now();
    const plans = await runSweep(study, {
      preset,
      trackingUri,
      configDir: path.join(tmp, "cfg"),
      // Each pass computes its own random-init baselines: nothing cached outside this bench.
      baselineCache: path.join(tmp, "baselines", mode),
      executor: ex,
      resolveConfig: projectConfigResolver,
      seeds: 1,
    });
    results[mode] = (Date.now() - t0) / 1000;
    plansCells = plans.cells.length;
    console.error(
      `${mode}: ${plans.finished} finished, ${plans.failed} failed in ${results[mode]} s`,
    );
    const bad = plans.cells.find((c) => c.status === "FAILED");
    if (bad) throw new Error(`${mode}: cell ${bad.label} failed: ${bad.error ?? ""}`);
  }
  console.log(
    JSON.stringify({
      study: values.study,
      preset,
      cells: plansCells,
      ...results,
      ratio: results["serial-2-threads"] / results["parallel-2x1-thread"],
    }),
  );
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "simclr-bench-sweep-"));
  process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
  configureFromEnv(process.env);
  const server = await startMlflowServer({ storeDir: path.join(tmp, "mlflow"), port: 0 });
  try {
    if (positionals[0] === "parallel") await parallel(server.url, tmp);
    else await overhead(server.url, tmp);
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
