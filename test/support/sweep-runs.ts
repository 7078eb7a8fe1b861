/**
 * Reading a sweep's child runs back from a real MLflow server, shared by the executor tests
 * (Slurm, Ray): the runs by cell label, and waiting for a cell to report while it runs.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createMlflowClient, type Run } from "../../src/track/mlflow";

/** The experiment's cell runs (not the sweep's parent runs), by `simclr.cell` label. */
export async function childrenByCell(url: string, experiment: string): Promise<Map<string, Run[]>> {
  const runs = await createMlflowClient(url).searchAllRuns({ experimentNames: [experiment] });
  const m = new Map<string, Run[]>();
  for (const r of runs.filter((x) => x.tags["simclr.role"] !== "sweep")) {
    const k = r.tags["simclr.cell"];
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

/** The RUNNING run of a cell once it has logged `score` (the stand-in cell's metric). */
export async function waitForScore(
  url: string,
  experiment: string,
  label: string,
  timeoutMs: number,
): Promise<Run> {
  const c = createMlflowClient(url);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = await c.searchAllRuns({
      experimentNames: [experiment],
      filter: `tags.\`simclr.cell\` = '${label}' and attributes.status = 'RUNNING'`,
    });
    if (runs[0]?.metrics.score !== undefined) return runs[0];
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`cell ${label} never started running`);
}

/** A `simclr sweep` orchestrator started in its own process group (so a test can kill it whole). */
export interface SweepProcess {
  /** Exit code once it ends. */
  done: Promise<number | null>;
  pid: number;
  /** stdout and stderr so far. */
  out: () => string;
}

/** Starts `node bin/simclr.cjs sweep ARGS` in `cwd`, detached, with `env` over this process's. */
export function spawnSweepCli(
  cwd: string,
  args: string[],
  env: Record<string, string>,
): SweepProcess {
  const child = spawn(process.execPath, [path.join(cwd, "bin/simclr.cjs"), "sweep", ...args], {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return {
    done: new Promise((res) => child.once("close", (code) => res(code))),
    pid: child.pid ?? -1,
    out: () => out,
  };
}
