/**
 * Process helpers shared by the tracking server, the journal, sweeps and the Jupyter launcher.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/** Whether a process with this pid exists (signal 0: no signal is sent). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An environment as child processes receive it (variable name -> value). */
export type ProcessEnvironment = Readonly<Record<string, string | undefined>>;

let inherited: ProcessEnvironment = {};

/**
 * Sets the environment that the toolkit's child processes (sweep cells, MLflow, JupyterLab, Slurm
 * and Ray commands) inherit before their own variables are added. Entry points pass their
 * `process.env` (src/workbench/params.ts `configureFromEnv`); library code reads none itself.
 */
export function setChildEnvironment(env: ProcessEnvironment): void {
  inherited = env;
}

/** The environment child processes inherit (empty until an entry point sets it). */
export function childEnvironment(): ProcessEnvironment {
  return inherited;
}

/** Where a guarded server's output goes and how it runs. */
export interface GuardedSpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** File descriptor for the server's stdout and stderr (a log file). */
  out: number;
}

/** The watchdog script {@link spawnGuarded} runs servers under. */
export const WATCHDOG_SCRIPT: string = path.join(__dirname, "watchdog.cjs");

/**
 * Starts `bin args` under the watchdog (./watchdog.cjs): a server that ends with this process
 * however it ends (normal exit, any signal, SIGKILL), because the watchdog holds the read end of
 * a pipe whose write end only this process has and stops the server's process group at end of
 * file. The returned child is the watchdog (its own process group); SIGTERM to it stops the server
 * (SIGKILL to the server after 10 s). Ending its stdin stops the server too.
 */
export function spawnGuarded(bin: string, args: string[], o: GuardedSpawnOptions): ChildProcess {
  const child = spawn(process.execPath, [WATCHDOG_SCRIPT, bin, ...args], {
    cwd: o.cwd,
    detached: true, // not in the terminal's group: the launcher decides when it stops
    stdio: ["pipe", o.out, o.out],
    env: o.env,
  });
  child.stdin?.on("error", () => {}); // the watchdog is gone: nothing to tell it
  return child;
}
