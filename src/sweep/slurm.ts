/**
 * The Slurm executor: one `sbatch --parsable` job per cell attempt, running the same cell command
 * as the local executor (`node bin/simclr-cell.cjs --config FILE --json`) on a node that sees
 * the same files (a shared filesystem, or the same install path on every node). State comes from
 * `squeue` while the job is queued or running and `scontrol show job` once it ended (`sacct` when
 * the controller has forgotten it and accounting exists); abort is `scancel`. The job's stdout and
 * stderr go to files beside the configs; a failed job's stderr tail becomes the cell's note.
 *
 * Credentials reach the job only through the environment: sbatch runs with the caller's
 * environment plus the cell's tracking context and `--export=ALL`, so MLFLOW_TRACKING_USERNAME /
 * PASSWORD are never on a command line or in the job script (`--wrap` holds only the command).
 */
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../track/server";
import { childEnvironment, type ProcessEnvironment } from "../util/process";
import {
  cellEnv,
  lastJsonObject,
  LOCAL_EXECUTOR_DEFAULTS,
  spawnCommand,
  SubmitRejected,
  tail,
  type CellOutcome,
  type CellTask,
  type CommandRunner,
  type Executor,
} from "./executor";

/** Options for {@link createSlurmExecutor}. */
export interface SlurmExecutorOptions {
  /** Cell command and leading args; `--config FILE --json` are appended. */
  command: string[];
  /** Folder for the jobs' stdout/stderr files (must be visible from the compute nodes). */
  logDir: string;
  /** Working directory of the jobs. */
  cwd: string;
  /** Seconds between state polls. */
  pollSeconds: number;
  /** Jobs in flight at once (queued or running). */
  maxInFlight: number;
  /** Extra sbatch arguments (account, QoS, constraint...). */
  sbatchArgs: string[];
  /** Runs the Slurm commands; default {@link spawnCommand}. */
  runner: CommandRunner;
}

/** Defaults for {@link SlurmExecutorOptions}. */
export const SLURM_EXECUTOR_DEFAULTS: Readonly<Omit<SlurmExecutorOptions, "runner">> =
  Object.freeze({
    command: LOCAL_EXECUTOR_DEFAULTS.command,
    logDir: path.join(PROJECT_ROOT, ".simclr", "sweep-logs"),
    cwd: PROJECT_ROOT,
    pollSeconds: 2,
    maxInFlight: 64,
    sbatchArgs: [],
  });

/** Job states after which a job does not run again. */
const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
]);

/** What Slurm says about a job. */
interface JobInfo {
  state: string;
  exitCode?: number;
  signal?: number;
  queuedSeconds?: number;
  runSeconds?: number;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `KEY=VALUE` fields of a one-line `scontrol show ... -o` record. */
function scontrolFields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\S+?)=(\S*)/g)) out[m[1]] ??= m[2];
  return out;
}

/** sbatch's resource arguments for a cell. */
function sbatchResourceArgs(task: CellTask): string[] {
  const r = task.resources;
  const args = [`--cpus-per-task=${r.cpus}`];
  if (r.gpus > 0) args.push(`--gres=gpu:${r.gpus}`);
  if (r.memoryMb !== undefined) args.push(`--mem=${r.memoryMb}M`);
  if (r.timeLimitMinutes !== undefined) args.push(`--time=${r.timeLimitMinutes}`);
  if (r.partition !== undefined) args.push(`--partition=${r.partition}`);
  return args;
}

/** The Slurm executor. */
export function createSlurmExecutor(options: Partial<SlurmExecutorOptions> = {}): Executor {
  const o: SlurmExecutorOptions = { ...SLURM_EXECUTOR_DEFAULTS, runner: spawnCommand, ...options };
  const cli = async (cmd: string, args: string[], env: ProcessEnvironment = childEnvironment()) =>
    o.runner(cmd, args, { env, cwd: o.cwd, signal: new AbortController().signal });

  const logFiles = (task: CellTask): { out: string; err: string } => {
    const dir = path.join(o.logDir, task.study);
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, task.context.runId ?? task.attemptKey);
    return { out: `${base}.out`, err: `${base}.err` };
  };

  const jobInfo = async (jobId: string): Promise<JobInfo | undefined> => {
    const q = await cli("squeue", ["-h", "-j", jobId, "-o", "%T"]);
    const live = q.exitCode === 0 ? q.stdout.trim() : "";
    if (live && !TERMINAL.has(live)) return { state: live };
    const s = await cli("scontrol", ["show", "job", "-o", jobId]);
    if (s.exitCode === 0 && s.stdout.includes("JobState=")) {
      const f = scontrolFields(s.stdout);
      const [code, sig] = (f.ExitCode ?? "").split(":").map(Number);
      const t = (k: string): number => Date.parse(f[k] ?? "");
      const info: JobInfo = { state: f.JobState ?? "UNKNOWN" };
      if (Number.isFinite(code)) info.exitCode = code;
      if (Number.isFinite(sig) && sig > 0) info.signal = sig;
      if (Number.isFinite(t("StartTime") - t("SubmitTime")))
        info.queuedSeconds = (t("StartTime") - t("SubmitTime")) / 1000;
      return info;
    }
    // the controller forgot the job (MinJobAge): accounting, where the cluster has it
    const a = await cli("sacct", ["-n", "-X", "-P", "-j", jobId, "-o", "State,ExitCode"]).catch(
      () => undefined,
    );
    const row = a && a.exitCode === 0 ? a.stdout.trim().split("\n")[0] : "";
    if (!row) return undefined;
    const [state, exit] = row.split("|");
    const [code, sig] = (exit ?? "").split(":").map(Number);
    return { state: state.split(" ")[0], exitCode: code, ...(sig > 0 ? { signal: sig } : {}) };
  };

  /** Polls the job until it ended (scancel on abort); the outcome from its state and log files. */
  const wait = async (jobId: string, task: CellTask, signal: AbortSignal): Promise<CellOutcome> => {
    const t0 = Date.now();
    const files = logFiles(task);
    let cancelled = false;
    let info: JobInfo | undefined = { state: "PENDING" };
    for (;;) {
      if (signal.aborted && !cancelled) {
        await cli("scancel", [jobId]);
        cancelled = true;
      }
      info = await jobInfo(jobId);
      if (!info || TERMINAL.has(info.state)) break;
      await new Promise((r) => setTimeout(r, o.pollSeconds * 1000));
    }
    const read = (f: string): string => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    const stdout = read(files.out);
    const result = lastJsonObject(stdout);
    const state = info?.state ?? (result ? "COMPLETED" : "UNKNOWN");
    const out: CellOutcome = {
      ok: state === "COMPLETED" && (info?.exitCode ?? 0) === 0 && result !== undefined,
      exitCode: info?.exitCode ?? null,
      stderrTail: tail(`${read(files.err)}\n(slurm job ${jobId}: ${state})`),
      seconds: (Date.now() - t0) / 1000,
      jobId,
      jobState: state,
    };
    if (info?.signal) out.signal = `signal ${info.signal}`;
    if (info?.queuedSeconds !== undefined) out.queuedSeconds = info.queuedSeconds;
    if (result) out.result = result;
    return out;
  };

  return {
    name: "slurm",
    concurrency: o.maxInFlight,
    async run(task, signal) {
      const files = logFiles(task);
      const cmd = [...o.command, "--config", task.configFile, "--json"].map(shellQuote).join(" ");
      const name = `simclr-${task.study}-${task.label}`.replace(/[^A-Za-z0-9_.=-]/g, "_");
      const args = [
        "--parsable",
        `--job-name=${name.slice(0, 100)}`,
        `--output=${files.out}`,
        `--error=${files.err}`,
        `--chdir=${o.cwd}`,
        "--export=ALL",
        ...sbatchResourceArgs(task),
        ...o.sbatchArgs,
        "--wrap",
        cmd,
      ];
      const env = { ...childEnvironment(), ...cellEnv(task, task.resources.cpus) };
      const r = await cli("sbatch", args, env);
      if (r.exitCode !== 0) {
        const msg = `sbatch refused the cell: ${r.stderr.trim() || `exit code ${r.exitCode}`}`;
        if (/invalid|not available|exceed|unknown|unable to satisfy/i.test(r.stderr))
          throw new SubmitRejected(msg);
        throw new Error(msg);
      }
      const jobId = r.stdout.trim().split(";")[0];
      if (!/^\d+$/.test(jobId)) throw new Error(`sbatch printed no job id: '${r.stdout.trim()}'`);
      await task.onSubmitted?.(jobId);
      return wait(jobId, task, signal);
    },
    async attach(jobId, task, signal) {
      const info = await jobInfo(jobId);
      if (!info && !fs.existsSync(logFiles(task).out)) return undefined;
      return wait(jobId, task, signal);
    },
    async workerHosts() {
      const r = await cli("scontrol", ["show", "nodes", "-o"]);
      if (r.exitCode !== 0)
        throw new Error(`scontrol show nodes failed: ${r.stderr.trim() || r.exitCode}`);
      const hosts = new Set<string>();
      for (const line of r.stdout.split("\n").filter((l) => l.trim())) {
        const f = scontrolFields(line);
        for (const k of ["NodeAddr", "NodeHostName"]) if (f[k]) hosts.add(f[k]);
      }
      return [...hosts];
    },
  };
}
