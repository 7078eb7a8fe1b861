/**
 * Executors run one sweep cell as a standalone command that gets its config as a file and its
 * tracking context through environment variables (src/track/context.ts), and prints its result as
 * JSON on stdout. `local` runs cells one at a time on this machine; a cluster executor can run the
 * same command elsewhere.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { trackingContextToEnv, type TrackingContext } from "../track/context";
import { PROJECT_ROOT } from "../track/server";
import type { CellPlan } from "./study";

/** What an executor needs to run one cell. */
export interface CellTask {
  plan: CellPlan;
  /** Study name. */
  study: string;
  preset: string;
  /** Tracking context for the cell (experiment, parent run, config hash, run name, URI). */
  context: TrackingContext;
}

/** What came back from a cell command. */
export interface CellOutcome {
  /** Exit code 0 and a JSON result. */
  ok: boolean;
  exitCode: number | null;
  /** Signal that ended the command, if any. */
  signal?: string;
  /** The last JSON object printed on stdout. */
  result?: Record<string, unknown>;
  /** Last lines of stderr (for the failure note). */
  stderrTail: string;
  seconds: number;
}

/** Runs cells. */
export interface Executor {
  readonly name: string;
  /** Runs one cell; resolves when it ended (also when aborted: the command is stopped first). */
  run(task: CellTask, signal: AbortSignal): Promise<CellOutcome>;
}

/** Result of running a command. */
export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; injectable so sweeps can be tested with any script. */
export type CommandRunner = (
  cmd: string,
  args: string[],
  opts: {
    env: NodeJS.ProcessEnv;
    cwd: string;
    signal: AbortSignal;
    onStderr?: (chunk: string) => void;
  },
) => Promise<CommandResult>;

/** Options for {@link createLocalExecutor}. */
export interface LocalExecutorOptions {
  /** Command and leading args; `--config FILE --json` are appended. */
  command: string[];
  /** Folder for the cells' config files. */
  configDir: string;
  /** Runs the command; default {@link spawnCommand}. */
  runner: CommandRunner;
  /** Working directory of the command. */
  cwd: string;
  /** Forward the command's stderr to ours (training progress). */
  echoStderr: boolean;
}

/** Defaults for {@link LocalExecutorOptions}: `node bin/simclr.cjs pretrain --config FILE --json`. */
export const LOCAL_EXECUTOR_DEFAULTS: Readonly<Omit<LocalExecutorOptions, "runner">> =
  Object.freeze({
    command: [process.execPath, path.join(PROJECT_ROOT, "bin", "simclr.cjs"), "pretrain"],
    configDir: path.join(PROJECT_ROOT, ".simclr", "sweeps"),
    cwd: PROJECT_ROOT,
    echoStderr: false,
  });

/** Seconds between SIGTERM and SIGKILL when a cell command is stopped. */
const KILL_GRACE_MS = 10_000;

/**
 * Spawns a command, collects stdout/stderr, and on abort sends SIGTERM (the cell marks its run
 * KILLED) then SIGKILL after a grace period.
 */
export const spawnCommand: CommandRunner = (cmd, args, opts) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
      opts.onStderr?.(d);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener("abort", onAbort, { once: true });
    child.once("error", (err) => {
      opts.signal.removeEventListener("abort", onAbort);
      reject(new Error(`cannot run cell command '${cmd}': ${err.message}`));
    });
    child.once("close", (code, sig) => {
      if (killTimer) clearTimeout(killTimer);
      opts.signal.removeEventListener("abort", onAbort);
      resolve({ exitCode: code, signal: sig, stdout, stderr });
    });
  });

/** The last line of `stdout` that parses as a JSON object. */
export function lastJsonObject(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (!l.startsWith("{")) continue;
    try {
      const v = JSON.parse(l) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
  }
  // a pretty-printed object spanning lines
  const start = stdout.lastIndexOf("\n{");
  if (start >= 0) {
    try {
      const v = JSON.parse(stdout.slice(start + 1)) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

/** The local executor: one cell at a time on this machine, as `<command> --config FILE --json`. */
export function createLocalExecutor(options: Partial<LocalExecutorOptions> = {}): Executor {
  const o: LocalExecutorOptions = { ...LOCAL_EXECUTOR_DEFAULTS, runner: spawnCommand, ...options };
  if (o.command.length === 0) throw new Error("local executor: command must name a program");
  return {
    name: "local",
    async run(task, signal) {
      const dir = path.join(o.configDir, task.study);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${task.plan.configHash.slice(0, 16)}.json`);
      fs.writeFileSync(file, `${JSON.stringify(task.plan.config, null, 2)}\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, ...trackingContextToEnv(task.context) };
      const t0 = Date.now();
      const r = await o.runner(o.command[0], [...o.command.slice(1), "--config", file, "--json"], {
        env,
        cwd: o.cwd,
        signal,
        onStderr: o.echoStderr ? (d) => process.stderr.write(d) : undefined,
      });
      const result = lastJsonObject(r.stdout);
      const out: CellOutcome = {
        ok: r.exitCode === 0 && result !== undefined,
        exitCode: r.exitCode,
        stderrTail: r.stderr.trim().split("\n").slice(-15).join("\n"),
        seconds: (Date.now() - t0) / 1000,
      };
      if (r.signal) out.signal = r.signal;
      if (result) out.result = result;
      if (r.exitCode === 0 && !result)
        out.stderrTail =
          `${out.stderrTail}\n(cell command printed no JSON object on stdout)`.trim();
      return out;
    },
  };
}
