/**
 * Test support for `npm start`'s lifecycle: starts the launcher (scripts/start.ts) of a project
 * root on free ports, lists the processes it started (from /proc), and waits until they are gone.
 * Linux only (reads /proc).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { portInUse } from "../../src/track/server";

/** A running launcher and what it started. */
export interface Launched {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  mlflowUrl: string;
  labUrl: string;
  ports: number[];
  /** The launcher's descendants once both servers answered (pids). */
  descendants: number[];
  /** Their command lines then (so a cleanup never kills a reused pid). */
  commands: Map<number, string>;
}

/** Parent pid and state of a process, or undefined when it is gone. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** Whether a process runs (a zombie waiting for its parent to reap it has ended). */
export function running(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}

/** All descendants of `root` (children, their children, ...), from /proc. */
export function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync("/proc")) {
    const pid = Number(e);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) parent.set(pid, s.ppid);
  }
  const out: number[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = [...parent].filter(([, pp]) => frontier.includes(pp)).map(([p]) => p);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** The command line of a process, for messages. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
}

/**
 * Starts `node --import tsx scripts/start.ts` of `root` with `args`, in its own process group,
 * and waits (up to `timeoutMs`) until it prints both URLs.
 */
export async function launch(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 180_000,
): Promise<Launched> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MLFLOW_TRACKING_URI: "", ...env },
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lab = /JupyterLab: (http:\/\/127\.0\.0\.1:(\d+)\S*)/.exec(out);
    const mlflow = /MLflow: +(http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
    if (lab && mlflow) {
      const descendants = descendantsOf(child.pid ?? -1);
      return {
        child,
        output: () => out,
        mlflowUrl: mlflow[1],
        labUrl: lab[1],
        ports: [Number(mlflow[2]), Number(lab[2])],
        descendants,
        commands: new Map(descendants.map((p) => [p, commandLine(p)])),
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start did not come up (exit ${child.exitCode}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves when the launcher process has exited (at most `timeoutMs`). */
export async function exited(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
}

/**
 * Waits up to `timeoutMs` for `pids` to end and `ports` to close; returns what is still there
 * ("pid: command line" and "port N") — empty when all is gone.
 */
export async function leftovers(
  pids: number[],
  ports: number[],
  timeoutMs = 20_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(running).map((p) => `${p}: ${commandLine(p)}`);
    const open: string[] = [];
    for (const p of ports) if (await portInUse(p)) open.push(`port ${p}`);
    if ((alive.length === 0 && open.length === 0) || Date.now() > deadline)
      return [...alive, ...open];
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Kills the launcher and what it started that is still there with the same command line (a failed
 * case must not leave servers for the next).
 */
export function killAll(l: Launched): void {
  const pids = [...l.descendants.filter((p) => commandLine(p) === l.commands.get(p))];
  if (l.child.exitCode === null && l.child.signalCode === null) pids.push(l.child.pid ?? -1);
  for (const p of pids) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** The project root of this checkout. */
export const ROOT: string = path.resolve(__dirname, "..", "..");
