/**
 * Executors run one sweep cell as a standalone command that gets its config as a file (written
 * once by the cell step, src/sweep/cell.ts: an executor never sees the config) and its tracking
 * context through environment variables (src/track/context.ts), and prints its result as JSON on
 * stdout. This file holds the contract, the per-cell resources and the `local` executor
 * (N cells at once on this machine); src/sweep/slurm.ts and src/sweep/ray.ts run the same command
 * on a cluster.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { trackingContextToEnv, type TrackingContext } from "../track/context";
import { PROJECT_ROOT } from "../track/server";
import { childEnvironment } from "../util/process";

/** What one cell may use, set the same way for every executor. */
export interface CellResources {
  /** CPU cores (Slurm --cpus-per-task, Ray entrypoint_num_cpus; TF's intra-op threads). */
  cpus: number;
  /** GPUs (Slurm --gres=gpu:N, Ray entrypoint_num_gpus). */
  gpus: number;
  /** Memory in MiB (Slurm --mem, Ray entrypoint_memory); undefined: the engine's default. */
  memoryMb?: number;
  /** Wall-time limit in minutes (Slurm --time; the Ray executor stops the job after it). */
  timeLimitMinutes?: number;
  /** Slurm partition; undefined: the cluster's default. */
  partition?: string;
}

/** Defaults for {@link CellResources}: one core, no GPU. */
export const CELL_RESOURCE_DEFAULTS: Readonly<CellResources> = Object.freeze({ cpus: 1, gpus: 0 });

/** Checks resources given by a user; throws naming the field and what was expected. */
export function validateResources(r: CellResources): CellResources {
  const whole = (v: number | undefined, name: string, min: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min))
      throw new Error(`cell resources: ${name} must be an integer >= ${min}, got ${String(v)}`);
  };
  whole(r.cpus, "cpus", 1);
  whole(r.gpus, "gpus", 0);
  whole(r.memoryMb, "memoryMb", 1);
  whole(r.timeLimitMinutes, "timeLimitMinutes", 1);
  if (r.partition !== undefined && !/^[A-Za-z0-9_.-]+$/.test(r.partition))
    throw new Error(
      `cell resources: partition must be a Slurm partition name, got '${r.partition}'`,
    );
  return r;
}

/** What an executor needs to run one cell. */
export interface CellTask {
  /**
   * The cell's resolved config file (written by the cell step where every node sees it); the
   * command gets it as `--config FILE`.
   */
  configFile: string;
  /** The cell's label (for job names and metadata). */
  label: string;
  /** The cell's seed (for job metadata). */
  seed: number;
  /** Study name. */
  study: string;
  preset: string;
  /** Tracking context for the cell (experiment, parent run, config hash, run name, URI, run id). */
  context: TrackingContext;
  /** What the cell may use. */
  resources: CellResources;
  /**
   * Unique per (sweep run, cell, seed, attempt): engines that take a client-chosen id (Ray's
   * submission_id) use it, so the same attempt can never be submitted twice.
   */
  attemptKey: string;
  /** Called once the engine accepted the cell, with its job id (the sweep tags the cell's run). */
  onSubmitted?: (jobId: string) => Promise<void>;
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
  /** The error, when the sweep knows it without the command (a cell that could not start). */
  error?: string;
  /** The sweep knows a retry would fail the same way (src/sweep/failure.ts). */
  deterministic?: boolean;
  seconds: number;
  /** The engine's job id, when there is one. */
  jobId?: string;
  /** The engine's final state (COMPLETED, FAILED, CANCELLED, SUCCEEDED, STOPPED...). */
  jobState?: string;
  /** Seconds from submission to the job's start, when the engine says. */
  queuedSeconds?: number;
  /** The node the job ran on, when the engine says. */
  node?: string;
}

/** The engine refused the cell outright (unknown partition, more GPUs than the cluster has). */
export class SubmitRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubmitRejected";
  }
}

/** Runs cells. */
export interface Executor {
  readonly name: string;
  /** Cells the sweep keeps in flight at once (default 1). */
  readonly concurrency?: number;
  /** Runs one cell; resolves when it ended (also when aborted: the command is stopped first). */
  run(task: CellTask, signal: AbortSignal): Promise<CellOutcome>;
  /**
   * Waits for a job an earlier sweep submitted (its id is the cell run's simclr.job_id tag), as
   * {@link run} would; resolves undefined when the engine no longer knows the job.
   */
  attach?(jobId: string, task: CellTask, signal: AbortSignal): Promise<CellOutcome | undefined>;
  /** Addresses of the hosts cells may run on (for the tracking-URI check); absent: this host. */
  workerHosts?(): Promise<string[]>;
}

/** Variables for MLflow's basic auth, passed to workers only through the environment. */
export const CREDENTIAL_ENV = Object.freeze([
  "MLFLOW_TRACKING_USERNAME",
  "MLFLOW_TRACKING_PASSWORD",
  "MLFLOW_TRACKING_TOKEN",
]);

/**
 * The variables a cell's process gets besides the caller's: its tracking context and, with
 * `threads`, TensorFlow's thread counts (so cells sharing a machine do not oversubscribe it).
 */
export function cellEnv(task: CellTask, threads?: number): Record<string, string> {
  const env = trackingContextToEnv(task.context);
  if (threads !== undefined) {
    env.TF_NUM_INTRAOP_THREADS = String(threads);
    env.TF_NUM_INTEROP_THREADS = "1";
  }
  return env;
}

/** The last `n` lines of a text. */
export function tail(text: string, n = 15): string {
  return text.trim().split("\n").slice(-n).join("\n");
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
  /** Runs the command; default {@link spawnCommand}. */
  runner: CommandRunner;
  /** Working directory of the command. */
  cwd: string;
  /** Forward the command's stderr to ours (training progress). */
  echoStderr: boolean;
  /** Cells at once (`--parallel N`). */
  parallel: number;
  /**
   * TensorFlow intra-op threads per cell; default: this machine's cores divided by `parallel`
   * when running cells in parallel, else TensorFlow's own default.
   */
  threadsPerCell?: number;
}

/**
 * Defaults for {@link LocalExecutorOptions}: `node bin/simclr-cell.cjs --config FILE --json`, the
 * cell entry that runs the resolved config as it is (src/cli/pretrain.ts `runCell`).
 */
export const LOCAL_EXECUTOR_DEFAULTS: Readonly<Omit<LocalExecutorOptions, "runner">> =
  Object.freeze({
    command: [process.execPath, path.join(PROJECT_ROOT, "bin", "simclr-cell.cjs")],
    cwd: PROJECT_ROOT,
    echoStderr: false,
    parallel: 1,
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

/** The local executor: `parallel` cells at once on this machine, as `<command> --config FILE --json`. */
export function createLocalExecutor(options: Partial<LocalExecutorOptions> = {}): Executor {
  const o: LocalExecutorOptions = { ...LOCAL_EXECUTOR_DEFAULTS, runner: spawnCommand, ...options };
  if (o.command.length === 0) throw new Error("local executor: command must name a program");
  if (!Number.isInteger(o.parallel) || o.parallel < 1)
    throw new Error(`local executor: parallel must be an integer >= 1, got ${o.parallel}`);
  const threads =
    o.threadsPerCell ??
    (o.parallel > 1 ? Math.max(1, Math.floor(os.cpus().length / o.parallel)) : undefined);
  return {
    name: "local",
    concurrency: o.parallel,
    async run(task, signal) {
      const env: NodeJS.ProcessEnv = { ...childEnvironment(), ...cellEnv(task, threads) };
      const t0 = Date.now();
      const r = await o.runner(
        o.command[0],
        [...o.command.slice(1), "--config", task.configFile, "--json"],
        {
          env,
          cwd: o.cwd,
          signal,
          onStderr: o.echoStderr ? (d) => process.stderr.write(d) : undefined,
        },
      );
      return commandOutcome(r, (Date.now() - t0) / 1000);
    },
  };
}

/** A cell's outcome from its command's exit status and output. */
export function commandOutcome(r: CommandResult, seconds: number): CellOutcome {
  const result = lastJsonObject(r.stdout);
  const out: CellOutcome = {
    ok: r.exitCode === 0 && result !== undefined,
    exitCode: r.exitCode,
    stderrTail: tail(r.stderr),
    seconds,
  };
  if (r.signal) out.signal = r.signal;
  if (result) out.result = result;
  if (r.exitCode === 0 && !result)
    out.stderrTail = `${out.stderrTail}\n(cell command printed no JSON object on stdout)`.trim();
  return out;
}
