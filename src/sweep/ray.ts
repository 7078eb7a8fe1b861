/**
 * The Ray executor: each cell attempt is a Ray job submitted through the Jobs REST API of the
 * cluster's dashboard (`POST /api/jobs/` with entrypoint_num_cpus / gpus / memory), polled with
 * `GET /api/jobs/{id}`, its output read from `.../logs`, stopped with `.../stop`. The job's
 * submission_id is the attempt key (sweep run, cell, seed, attempt), so the same attempt cannot be
 * submitted twice: a second submission is refused by Ray and the executor attaches to the first.
 *
 * Credentials: Ray echoes a job's runtime_env (env_vars included) to anyone who can read the
 * dashboard, so this executor never puts MLFLOW_TRACKING_USERNAME / PASSWORD there. The nodes get
 * them from their own environment (export them before `ray start`); the job's process inherits it.
 * Ray has no per-job time limit: the executor stops a job that runs past `timeLimitMinutes`.
 */
import http from "node:http";
import https from "node:https";
import { childEnvironment } from "../util/process";
import {
  cellEnv,
  CREDENTIAL_ENV,
  lastJsonObject,
  LOCAL_EXECUTOR_DEFAULTS,
  SubmitRejected,
  tail,
  type CellOutcome,
  type CellTask,
  type Executor,
} from "./executor";

/** Options for {@link createRayExecutor}. */
export interface RayExecutorOptions {
  /** The dashboard's address, e.g. http://head:8265 (the Jobs API lives there). */
  address: string;
  /** Cell command and leading args; `--config FILE --json` are appended. */
  command: string[];
  /** Working directory of the jobs (the same install path on every node). */
  cwd: string;
  /** Seconds between status polls. */
  pollSeconds: number;
  /** Jobs in flight at once. */
  maxInFlight: number;
}

/** Defaults for {@link RayExecutorOptions} (the address has none: it names the cluster). */
export const RAY_EXECUTOR_DEFAULTS: Readonly<Omit<RayExecutorOptions, "address">> = Object.freeze({
  command: LOCAL_EXECUTOR_DEFAULTS.command,
  cwd: LOCAL_EXECUTOR_DEFAULTS.cwd,
  pollSeconds: 1,
  maxInFlight: 64,
});

/** The fields of Ray's job details this executor reads. */
interface RayJob {
  status: "PENDING" | "RUNNING" | "STOPPED" | "SUCCEEDED" | "FAILED";
  message?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  driver_exit_code?: number | null;
  driver_node_id?: string | null;
}

/** One node from Ray's state API. */
interface RayNode {
  node_ip: string;
  state: string;
  resources_total: Record<string, number>;
}

const TERMINAL = new Set(["STOPPED", "SUCCEEDED", "FAILED"]);

/** A reply of the dashboard. */
export interface HttpReply {
  status: number;
  ok: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * One HTTP request with node:http. Not fetch: Ray's dashboard refuses POSTs that carry the
 * Sec-Fetch-* headers fetch adds ("method not allowed for browser traffic").
 */
export function dashboardRequest(method: string, url: string, body?: unknown): Promise<HttpReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const u = new URL(url);
  const send = u.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method,
        headers: payload
          ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
          : {},
        timeout: 30_000,
      },
      (res) => {
        let data = "";
        res.setEncoding("utf8").on("data", (d: string) => (data += d));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text: () => Promise.resolve(data),
            json: () => Promise.resolve(JSON.parse(data) as unknown),
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 30 s")));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The Ray executor. */
export function createRayExecutor(
  options: Partial<RayExecutorOptions> & { address: string },
): Executor {
  const o: RayExecutorOptions = { ...RAY_EXECUTOR_DEFAULTS, ...options };
  const base = o.address.replace(/\/+$/, "");
  const api = async (method: string, p: string, body?: unknown): Promise<HttpReply> => {
    try {
      return await dashboardRequest(method, `${base}${p}`, body);
    } catch (err) {
      throw new Error(`ray: cannot reach the dashboard at ${base}: ${(err as Error).message}`);
    }
  };
  const getJob = async (id: string): Promise<RayJob | undefined> => {
    const r = await api("GET", `/api/jobs/${encodeURIComponent(id)}`);
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`ray: GET /api/jobs/${id}: HTTP ${r.status} ${await r.text()}`);
    return (await r.json()) as RayJob;
  };
  const nodes = async (): Promise<RayNode[]> => {
    const r = await api("GET", "/api/v0/nodes?limit=1000");
    if (!r.ok) throw new Error(`ray: GET /api/v0/nodes: HTTP ${r.status}`);
    const j = (await r.json()) as { data: { result: { result: RayNode[] } } };
    return j.data.result.result.filter((n) => n.state === "ALIVE");
  };

  /** Refuses resources no node has: Ray would keep such a job PENDING forever. */
  const checkFits = async (task: CellTask): Promise<void> => {
    if (task.resources.partition !== undefined)
      throw new SubmitRejected(
        `ray: partition '${task.resources.partition}' given, but partitions are Slurm's; Ray places jobs by resources`,
      );
    const want: Record<string, number> = { CPU: task.resources.cpus, GPU: task.resources.gpus };
    if (task.resources.memoryMb) want.memory = task.resources.memoryMb * 1024 * 1024;
    const alive = await nodes();
    const fits = alive.some((n) =>
      Object.entries(want).every(([k, v]) => v === 0 || (n.resources_total[k] ?? 0) >= v),
    );
    if (fits) return;
    const most = (k: string): number => Math.max(0, ...alive.map((n) => n.resources_total[k] ?? 0));
    throw new SubmitRejected(
      `ray: no node of the cluster at ${base} has ${Object.entries(want)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k}=${k === "memory" ? `${v / 2 ** 20} MiB` : v}`)
        .join(", ")} for one cell (largest node: CPU=${most("CPU")}, GPU=${most("GPU")}, ` +
        `memory=${Math.floor(most("memory") / 2 ** 20)} MiB); Ray would leave the job PENDING`,
    );
  };

  const wait = async (id: string, task: CellTask, signal: AbortSignal): Promise<CellOutcome> => {
    const t0 = Date.now();
    let job: RayJob | undefined;
    let stopped = false;
    let runningSince: number | undefined;
    const limitMs = (task.resources.timeLimitMinutes ?? Infinity) * 60_000;
    for (;;) {
      job = await getJob(id);
      if (!job || TERMINAL.has(job.status)) break;
      if (job.status === "RUNNING") runningSince ??= Date.now();
      const overdue = runningSince !== undefined && Date.now() - runningSince > limitMs;
      if ((signal.aborted || overdue) && !stopped) {
        await api("POST", `/api/jobs/${encodeURIComponent(id)}/stop`);
        stopped = true;
      }
      await new Promise((r) => setTimeout(r, o.pollSeconds * 1000));
    }
    // a job whose driver ran on another node: its log reaches the head a moment after the end
    let logs = "";
    let result: Record<string, unknown> | undefined;
    for (let i = 0; i < 10 && !result; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 500));
      const logsRes = await api("GET", `/api/jobs/${encodeURIComponent(id)}/logs`);
      logs = logsRes.ok ? ((await logsRes.json()) as { logs: string }).logs : logs;
      result = lastJsonObject(logs);
      if (job?.status !== "SUCCEEDED") break;
    }
    const state = job?.status ?? "UNKNOWN";
    // The job's status is the verdict: a job whose driver ran on another node sometimes has no log
    // at the head yet (seen with Ray 2.60); its metrics are in the run it logged into anyway.
    const out: CellOutcome = {
      ok: state === "SUCCEEDED",
      exitCode: job?.driver_exit_code ?? null,
      stderrTail: tail(
        `${logs}\n(ray job ${id}: ${state}${job?.message ? `: ${job.message}` : ""})`,
      ),
      seconds: (Date.now() - t0) / 1000,
      jobId: id,
      jobState: state,
    };
    if (job?.driver_node_id) out.node = job.driver_node_id;
    if (runningSince !== undefined && job?.start_time)
      out.queuedSeconds = Math.max(0, (runningSince - job.start_time) / 1000);
    if (result) out.result = result;
    return out;
  };

  const leaked = CREDENTIAL_ENV.filter((k) => childEnvironment()[k] !== undefined);
  if (leaked.length)
    process.stderr.write(
      `simclr sweep (ray): ${leaked.join(", ")} are not sent with the jobs (Ray shows a job's ` +
        `runtime_env to dashboard readers); export them on the nodes before 'ray start'\n`,
    );

  return {
    name: "ray",
    concurrency: o.maxInFlight,
    async run(task, signal) {
      await checkFits(task);
      const cmd = [...o.command, "--config", task.configFile, "--json"].map(shellQuote).join(" ");
      const body: Record<string, unknown> = {
        entrypoint: `cd ${shellQuote(o.cwd)} && ${cmd}`,
        submission_id: `simclr-${task.attemptKey}`,
        entrypoint_num_cpus: task.resources.cpus,
        entrypoint_num_gpus: task.resources.gpus,
        runtime_env: { env_vars: cellEnv(task, task.resources.cpus) },
        metadata: { study: task.study, cell: task.label, seed: String(task.seed) },
      };
      if (task.resources.memoryMb) body.entrypoint_memory = task.resources.memoryMb * 2 ** 20;
      const id = body.submission_id as string;
      const r = await api("POST", "/api/jobs/", body);
      if (!r.ok) {
        const text = await r.text();
        // the same attempt was submitted already (a racing or restarted orchestrator): attach to it
        if (!/already exists/.test(text))
          throw new SubmitRejected(`ray refused the job: HTTP ${r.status} ${tail(text, 3)}`);
      }
      await task.onSubmitted?.(id);
      return wait(id, task, signal);
    },
    async attach(jobId, task, signal) {
      if (!(await getJob(jobId))) return undefined;
      return wait(jobId, task, signal);
    },
    async workerHosts() {
      return (await nodes()).map((n) => n.node_ip);
    },
  };
}
