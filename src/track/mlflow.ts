/**
 * A thin, typed, fetch-based client for the MLflow tracking server's REST API (checked against
 * mlflow 3.17), one method per endpoint. Names and lengths are validated here, before a request,
 * with errors naming the field (the server would otherwise truncate long param values silently).
 *
 * Endpoints (under /api/2.0/mlflow/ unless noted):
 *   experiments/get-by-name, experiments/create, experiments/restore, experiments/set-experiment-tag
 *   runs/create, runs/get, runs/update, runs/delete, runs/search
 *   runs/log-batch (split at the server's limits), runs/log-inputs, metrics/get-history
 *   runs/outputs (log-outputs)
 *   logged-models (POST: create), logged-models/<id> (GET: get, PATCH: finalize)
 *   artifacts/list; /api/2.0/mlflow-artifacts/artifacts/<path> (PUT, GET: the artifact proxy of
 *   `--serve-artifacts`, for run and logged-model artifacts alike)
 * Run search is also returned as an arquero table. Metric names are the toolkit's: they are sent
 * with their group prefix (`eval/linear_acc`) and read back without it (src/track/metric-names.ts).
 */
import * as aq from "arquero";
import { resolveTrackingUri } from "./server";
import { internalMetricName, internalMetrics, mlflowMetricName } from "./metric-names";
import { flattenFields, paramValue } from "../util/flatten";
import type { DatasetInput, ParamValue, RunStatus } from "./types";

/** Server-side limits (mlflow/utils/validation.py, mlflow 3.17). */
export const MLFLOW_LIMITS = Object.freeze({
  /** metrics per runs/log-batch request */
  metricsPerBatch: 1000,
  /** params per runs/log-batch request */
  paramsPerBatch: 100,
  /** tags per runs/log-batch request */
  tagsPerBatch: 100,
  /** metrics + params + tags per runs/log-batch request */
  entitiesPerBatch: 1000,
  /** characters in a param value (longer ones are truncated by the server; rejected here) */
  paramValueLength: 6000,
  /** characters in a run tag value */
  tagValueLength: 8000,
  /** characters in a metric, param or tag key */
  keyLength: 250,
  /** characters in an experiment name */
  experimentNameLength: 500,
});

/** An error answered by the server (carries its `error_code`) or a transport failure. */
export class MlflowError extends Error {
  /** MLflow's error_code (e.g. RESOURCE_DOES_NOT_EXIST), or UNREACHABLE / HTTP_<status>. */
  readonly errorCode: string;
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** The endpoint that failed, e.g. "runs/log-batch". */
  readonly endpoint: string;
  constructor(message: string, errorCode: string, status: number, endpoint: string) {
    super(message);
    this.name = "MlflowError";
    this.errorCode = errorCode;
    this.status = status;
    this.endpoint = endpoint;
  }
  /** True when retrying later may succeed (unreachable, timeout, 5xx, 429). */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

/** True for an error that means "tracking is down right now, try again later". */
export function isTransientError(err: unknown): boolean {
  if (err instanceof MlflowError) return err.transient;
  return false;
}

/** An MLflow experiment. */
export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  tags: Record<string, string>;
}

/** Run metadata. */
export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  status: "RUNNING" | "SCHEDULED" | RunStatus;
  startTime: number;
  endTime?: number;
  artifactUri: string;
  lifecycleStage: string;
}

/** A run with its latest metric values, params and tags. */
export interface Run {
  info: RunInfo;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Its dataset inputs (runs/log-inputs): name, digest and the mlflow.data.context tag. */
  datasets?: { name: string; digest: string; context?: string }[];
  /** The logged models linked to its outputs (runs/log-outputs), each at a step. */
  models?: { modelId: string; step: number }[];
}

/** One metric value as MLflow stores it. */
export interface Metric {
  key: string;
  value: number;
  /** milliseconds since the epoch */
  timestamp: number;
  step: number;
  /** The logged model the value measures (MLflow 3 metrics' model_id). */
  modelId?: string;
}

/** An MLflow 3 logged model (logged-models endpoints). */
export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  /** e.g. mlflow-artifacts:/1/models/m-.../artifacts */
  artifactUri: string;
  /** LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED */
  status: string;
  sourceRunId?: string;
  modelType?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** The latest value of each metric logged with this model's id. */
  metrics: Record<string, number>;
}

/** One entry of an artifact listing. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  fileSize?: number;
}

/** What a runs/log-batch call carries (split by {@link MlflowClient.logBatch}). */
export interface LogBatch {
  metrics?: Metric[];
  params?: { key: string; value: string }[];
  tags?: { key: string; value: string }[];
}

/** Options for run search. */
export interface SearchRunsOptions {
  /** Experiment ids to search; or give `experimentNames`. */
  experimentIds?: string[];
  /** Experiment names (resolved to ids; unknown names contribute no runs). */
  experimentNames?: string[];
  /** MLflow filter string, e.g. `tags.simclr.study = 'heads' and attributes.status = 'FINISHED'`. */
  filter?: string;
  /**
   * e.g. ["metrics.`eval/linear_acc` DESC", "attributes.start_time ASC"]: filters and orders name
   * metrics as the server stores them, with their group prefix (src/track/metric-names.ts).
   */
  orderBy?: string[];
  /** Page size (server maximum 1000 per page for runs/search; 50000 total). */
  maxResults?: number;
  /** ACTIVE_ONLY (default), DELETED_ONLY or ALL. */
  runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  /** Continue a previous search. */
  pageToken?: string;
}

/** Options for {@link createMlflowClient}. */
export interface MlflowClientOptions {
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /**
   * For a server behind MLflow's basic-auth app (or a proxy taking a bearer token); callers read
   * them with `trackingCredentialsFromEnv()` (MLFLOW_TRACKING_USERNAME / PASSWORD / TOKEN).
   */
  credentials?: TrackingCredentials;
}

/** Basic-auth user and password, or a bearer token. */
export type TrackingCredentials = { username: string; password: string } | { token: string };

/** Defaults for {@link MlflowClientOptions}. */
export const MLFLOW_CLIENT_DEFAULTS: Readonly<MlflowClientOptions> = Object.freeze({
  timeoutMs: 30_000,
});

// ---------------------------------------------------------------------------------------------
// validation

const NAME_RE = /^[\p{L}\p{N}_/.\- :]*$/u;

function normPosix(p: string): string {
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (part === ".." && abs) continue;
    else out.push(part);
  }
  const s = (abs ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}

/**
 * Checks a metric, param or tag key the way the server does; throws an Error naming `field`
 * (e.g. "param key 'lr!'") when MLflow would reject it.
 */
export function validateKey(key: string, field: string): void {
  if (typeof key !== "string" || key === "")
    throw new Error(`${field}: a key must be a non-empty string`);
  if (!NAME_RE.test(key)) {
    throw new Error(
      `${field} ${JSON.stringify(key)} has characters MLflow rejects: names may only contain letters, ` +
        "digits, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)",
    );
  }
  const n = normPosix(key);
  if (n !== key || n === "." || n.startsWith("..") || n.startsWith("/")) {
    throw new Error(
      `${field} ${JSON.stringify(key)} is not a clean relative path (it would resolve to '${n}')`,
    );
  }
  if (key.length > MLFLOW_LIMITS.keyLength) {
    throw new Error(
      `${field} ${JSON.stringify(key.slice(0, 40))}... is ${key.length} characters; MLflow allows ${MLFLOW_LIMITS.keyLength}`,
    );
  }
}

/** Checks a param value's length (the server would silently truncate it). */
export function validateParamValue(key: string, value: string): void {
  if (value.length > MLFLOW_LIMITS.paramValueLength) {
    throw new Error(
      `param '${key}' value is ${value.length} characters; MLflow keeps at most ${MLFLOW_LIMITS.paramValueLength}` +
        " (log it as an artifact instead)",
    );
  }
}

/** Checks a tag value's length. */
export function validateTagValue(key: string, value: string): void {
  if (typeof value !== "string")
    throw new Error(`tag '${key}' value must be a string, got ${typeof value}`);
  if (value.length > MLFLOW_LIMITS.tagValueLength) {
    throw new Error(
      `tag '${key}' value is ${value.length} characters; MLflow keeps at most ${MLFLOW_LIMITS.tagValueLength}`,
    );
  }
}

/**
 * Flattens a nested config into dotted keys with string values: `{optim: {lr: 0.3}}` becomes
 * `{"optim.lr": "0.3"}`; arrays of values are joined with "," as a run's config params are
 * (util/flatten.ts, the one flattener), other non-plain values JSON-encoded, undefined skipped.
 */
export function flattenParams(obj: object, prefix = ""): Record<string, string> {
  const flat = flattenFields(obj, prefix);
  return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, String(paramValue(v))]));
}

/** Checks that `uri` is an http(s) URL of an MLflow server; returns it without a trailing slash. */
export function normalizeTrackingUri(uri: string, field = "MLFLOW_TRACKING_URI"): string {
  const u = uri.trim();
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    throw new Error(
      `${field} ${JSON.stringify(uri)} is not a URL; expected http://host:port of an MLflow server`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(
      `${field} ${JSON.stringify(uri)} uses '${parsed.protocol}'; this toolkit talks to an MLflow server over ` +
        "REST and needs http://host:port (start one with npm start, or unset the variable to use the local one)",
    );
  }
  return u.replace(/\/+$/, "");
}

function encodeMetricValue(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

function decodeMetricValue(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return Number(v);
}

/** Splits a batch so each request stays within the server's per-request limits. */
export function splitBatch(batch: LogBatch): LogBatch[] {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const out: LogBatch[] = [];
  let mi = 0;
  let pi = 0;
  let ti = 0;
  while (mi < metrics.length || pi < params.length || ti < tags.length) {
    const p = params.slice(pi, pi + MLFLOW_LIMITS.paramsPerBatch);
    const t = tags.slice(ti, ti + MLFLOW_LIMITS.tagsPerBatch);
    const room = Math.min(
      MLFLOW_LIMITS.metricsPerBatch,
      MLFLOW_LIMITS.entitiesPerBatch - p.length - t.length,
    );
    const m = metrics.slice(mi, mi + room);
    pi += p.length;
    ti += t.length;
    mi += m.length;
    const b: LogBatch = {};
    if (m.length) b.metrics = m;
    if (p.length) b.params = p;
    if (t.length) b.tags = t;
    out.push(b);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// wire types

interface WireRunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status: RunInfo["status"];
  start_time?: number | string;
  end_time?: number | string;
  artifact_uri: string;
  lifecycle_stage: string;
}
interface WireRun {
  info: WireRunInfo;
  data?: {
    metrics?: { key: string; value: unknown; timestamp: number | string; step?: number | string }[];
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
  };
  inputs?: {
    dataset_inputs?: {
      tags?: { key: string; value: string }[];
      dataset: { name: string; digest: string };
    }[];
  };
  outputs?: { model_outputs?: { model_id: string; step?: number | string }[] };
}
interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  tags?: { key: string; value: string }[];
}

interface WireLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    artifact_uri: string;
    status: string;
    source_run_id?: string;
    model_type?: string;
    tags?: { key: string; value: string }[];
  };
  data?: {
    params?: { key: string; value: string }[];
    metrics?: { key: string; value: unknown; step?: number | string }[];
  };
}

function kv<T>(list: { key: string; value: T }[] | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const e of list ?? []) out[e.key] = e.value;
  return out;
}

function toRunInfo(w: WireRunInfo): RunInfo {
  const info: RunInfo = {
    runId: w.run_id,
    experimentId: w.experiment_id,
    runName: w.run_name ?? "",
    status: w.status,
    startTime: Number(w.start_time ?? 0),
    artifactUri: w.artifact_uri,
    lifecycleStage: w.lifecycle_stage,
  };
  if (w.end_time !== undefined && w.end_time !== null) info.endTime = Number(w.end_time);
  return info;
}

function toRun(w: WireRun): Run {
  const metrics = internalMetrics(
    (w.data?.metrics ?? []).map((m) => ({ key: m.key, value: decodeMetricValue(m.value) })),
  );
  const datasets = (w.inputs?.dataset_inputs ?? []).map((d) => ({
    name: d.dataset.name,
    digest: d.dataset.digest,
    context: kv(d.tags)["mlflow.data.context"],
  }));
  return {
    info: toRunInfo(w.info),
    metrics,
    params: kv(w.data?.params),
    tags: kv(w.data?.tags),
    datasets,
    models: (w.outputs?.model_outputs ?? []).map((o) => ({
      modelId: o.model_id,
      step: Number(o.step ?? 0),
    })),
  };
}

function toExperiment(w: WireExperiment): Experiment {
  return {
    experimentId: w.experiment_id,
    name: w.name,
    artifactLocation: w.artifact_location,
    lifecycleStage: w.lifecycle_stage,
    tags: kv(w.tags),
  };
}

function toLoggedModel(w: WireLoggedModel): LoggedModel {
  const i = w.info;
  const m: LoggedModel = {
    modelId: i.model_id,
    experimentId: i.experiment_id,
    name: i.name,
    artifactUri: i.artifact_uri,
    status: i.status,
    params: kv(w.data?.params),
    tags: kv(i.tags),
    metrics: internalMetrics(
      (w.data?.metrics ?? []).map((x) => ({ key: x.key, value: decodeMetricValue(x.value) })),
    ),
  };
  if (i.source_run_id) m.sourceRunId = i.source_run_id;
  if (i.model_type) m.modelType = i.model_type;
  return m;
}

/**
 * The path under the artifact proxy of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/<run>/artifacts`
 * or `mlflow-artifacts://host/1/...`); an Error naming `owner` for any other scheme.
 */
function proxiedRoot(uri: string, owner: string): string {
  const prefix = "mlflow-artifacts:";
  if (!uri.startsWith(prefix)) {
    throw new Error(
      `${owner} stores artifacts at '${uri}', not through the server's artifact proxy; ` +
        "start the server with --serve-artifacts (npm start does)",
    );
  }
  let rest = uri.slice(prefix.length);
  if (rest.startsWith("//")) rest = rest.slice(2).replace(/^[^/]*/, "");
  return rest.replace(/^\/+/, "").replace(/\/+$/, "");
}

function encodePath(p: string): string {
  return p
    .split("/")
    .filter((s) => s !== "")
    .map(encodeURIComponent)
    .join("/");
}

/**
 * Like AbortSignal.timeout(ms), but it fires only after the event loop has polled I/O once more
 * after the timer expired. Training blocks the loop for seconds; a response that arrived meanwhile
 * is then read first instead of the request being aborted as timed out while its answer waits
 * unread (issue 26).
 */
function pollAwareTimeout(ms: number): AbortSignal {
  const ctl = new AbortController();
  const timer = setTimeout(() => {
    setImmediate(() =>
      ctl.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    );
  }, ms);
  timer.unref();
  return ctl.signal;
}

// ---------------------------------------------------------------------------------------------
// client

/** A client bound to one tracking server. */
export class MlflowClient {
  private resolved?: Promise<string>;
  private readonly opts: MlflowClientOptions;
  private readonly artifactRoots = new Map<string, string>();

  /** `uri`: http(s)://host:port; when undefined, resolved on first use by `resolveTrackingUri()`. */
  constructor(uri?: string, options: Partial<MlflowClientOptions> = {}) {
    this.opts = { ...MLFLOW_CLIENT_DEFAULTS, ...options };
    if (uri !== undefined)
      this.resolved = Promise.resolve(normalizeTrackingUri(uri, "tracking URI"));
  }

  /** The server's base URL (starts or reuses the project's local server when none was given). */
  uri(): Promise<string> {
    if (!this.resolved) {
      this.resolved = resolveTrackingUri().then((u) => normalizeTrackingUri(u));
      this.resolved.catch(() => (this.resolved = undefined));
    }
    return this.resolved;
  }

  private async request(
    method: "GET" | "POST" | "PATCH",
    endpoint: string,
    body?: Record<string, unknown>,
  ): Promise<unknown> {
    const base = await this.uri();
    let url = `${base}/api/2.0/mlflow/${endpoint}`;
    const init: RequestInit = { method };
    if (method === "GET" && body) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) if (v !== undefined) q.set(k, String(v));
      url += `?${q.toString()}`;
    } else if (body) {
      init.headers = { "content-type": "application/json" };
      init.body = JSON.stringify(body);
    }
    return this.send(url, init, endpoint, true, this.opts.timeoutMs);
  }

  private async send(
    url: string,
    init: RequestInit,
    endpoint: string,
    json: boolean,
    timeoutMs: number,
  ): Promise<unknown> {
    let res: Response;
    const c = this.opts.credentials;
    if (c) {
      const headers = new Headers(init.headers);
      headers.set(
        "authorization",
        "token" in c
          ? `Bearer ${c.token}`
          : `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`,
      );
      init = { ...init, headers };
    }
    try {
      // Let the event loop poll I/O before sending. Training blocks the loop for seconds at a time
      // (tfjs-node steps, kNN monitors, evaluation), and a server that closed the idle keep-alive
      // connection meanwhile (uvicorn: 5 s by default) has its FIN waiting unread; a request sent
      // before the loop polls again would go out on that closed connection and fail with "other
      // side closed" (issue 26: test/load/keepalive-race.ts). The timeout starts once the request
      // is handed over, so a block before that does not count against it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      res = await fetch(url, { ...init, signal: pollAwareTimeout(timeoutMs) });
    } catch (err) {
      const cause =
        err instanceof Error
          ? ((err.cause as Error | undefined)?.message ?? err.message)
          : String(err);
      throw new MlflowError(
        `cannot reach the MLflow server at ${new URL(url).origin} (${endpoint}: ${cause}); ` +
          "start it with npm start, or set MLFLOW_TRACKING_URI to a running server",
        "UNREACHABLE",
        0,
        endpoint,
      );
    }
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      let code = `HTTP_${res.status}`;
      let message = text.slice(0, 500) || res.statusText;
      try {
        const j = JSON.parse(text) as { error_code?: string; message?: string };
        if (j.error_code) code = j.error_code;
        if (j.message) message = j.message;
      } catch {
        /* not JSON (a proxy's error page) */
      }
      throw new MlflowError(
        `MLflow ${endpoint} failed: ${code}: ${message}`,
        code,
        res.status,
        endpoint,
      );
    }
    if (!json) return new Uint8Array(await res.arrayBuffer());
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : {};
  }

  // experiments ------------------------------------------------------------------------------

  /** The experiment with this name, or undefined. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const r = (await this.request("GET", "experiments/get-by-name", {
        experiment_name: name,
      })) as {
        experiment: WireExperiment;
      };
      return toExperiment(r.experiment);
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === "RESOURCE_DOES_NOT_EXIST")
        return undefined;
      throw err;
    }
  }

  /** The id of the experiment named `name`, created when missing (restored when deleted). */
  async getOrCreateExperiment(name: string): Promise<string> {
    if (typeof name !== "string" || name.trim() === "")
      throw new Error("experiment name must be a non-empty string");
    if (name.length > MLFLOW_LIMITS.experimentNameLength) {
      throw new Error(
        `experiment name is ${name.length} characters; MLflow allows ${MLFLOW_LIMITS.experimentNameLength}`,
      );
    }
    const found = await this.getExperimentByName(name);
    if (found) {
      if (found.lifecycleStage === "deleted")
        await this.request("POST", "experiments/restore", { experiment_id: found.experimentId });
      return found.experimentId;
    }
    try {
      const r = (await this.request("POST", "experiments/create", { name })) as {
        experiment_id: string;
      };
      return r.experiment_id;
    } catch (err) {
      // another process created it between our get and create
      if (err instanceof MlflowError && err.errorCode === "RESOURCE_ALREADY_EXISTS") {
        const again = await this.getExperimentByName(name);
        if (again) return again.experimentId;
      }
      throw err;
    }
  }

  /** Sets a tag on an experiment (mlflow.note.content is the description the UI shows). */
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    validateKey(key, "experiment tag key");
    validateTagValue(key, value);
    await this.request("POST", "experiments/set-experiment-tag", {
      experiment_id: experimentId,
      key,
      value,
    });
  }

  // runs -------------------------------------------------------------------------------------

  /** Creates a run (status RUNNING). Tags are validated; `runName` becomes mlflow.runName. */
  async createRun(opts: {
    experimentId: string;
    runName?: string;
    startTime?: number;
    tags?: Record<string, string>;
  }): Promise<RunInfo> {
    const tags = Object.entries(opts.tags ?? {}).map(([key, value]) => {
      validateKey(key, "tag key");
      validateTagValue(key, value);
      return { key, value };
    });
    const first = tags.slice(0, MLFLOW_LIMITS.tagsPerBatch);
    const body: Record<string, unknown> = {
      experiment_id: opts.experimentId,
      start_time: opts.startTime ?? Date.now(),
      tags: first,
    };
    if (opts.runName !== undefined) body.run_name = opts.runName;
    const r = (await this.request("POST", "runs/create", body)) as { run: WireRun };
    const info = toRunInfo(r.run.info);
    if (tags.length > first.length)
      await this.logBatch(info.runId, { tags: tags.slice(first.length) });
    return info;
  }

  /** A run with its latest metrics, params and tags. */
  async getRun(runId: string): Promise<Run> {
    const r = (await this.request("GET", "runs/get", { run_id: runId })) as { run: WireRun };
    return toRun(r.run);
  }

  /** Updates a run's status, end time or name. */
  async updateRun(
    runId: string,
    update: { status?: RunInfo["status"]; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    const body: Record<string, unknown> = { run_id: runId };
    if (update.status) body.status = update.status;
    if (update.endTime !== undefined) body.end_time = update.endTime;
    if (update.runName !== undefined) body.run_name = update.runName;
    const r = (await this.request("POST", "runs/update", body)) as { run_info: WireRunInfo };
    return toRunInfo(r.run_info);
  }

  /** Marks a run FINISHED, FAILED or KILLED. */
  async terminateRun(
    runId: string,
    status: RunStatus,
    endTime: number = Date.now(),
  ): Promise<RunInfo> {
    return this.updateRun(runId, { status, endTime });
  }

  /** Deletes a run (lifecycle_stage deleted). */
  async deleteRun(runId: string): Promise<void> {
    await this.request("POST", "runs/delete", { run_id: runId });
  }

  // logging ----------------------------------------------------------------------------------

  /** Logs metrics, params and tags, split into requests within the server's limits. */
  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    for (const m of batch.metrics ?? []) validateKey(m.key, "metric key");
    for (const p of batch.params ?? []) {
      validateKey(p.key, "param key");
      validateParamValue(p.key, p.value);
    }
    for (const t of batch.tags ?? []) {
      validateKey(t.key, "tag key");
      validateTagValue(t.key, t.value);
    }
    for (const part of splitBatch(batch)) {
      await this.request("POST", "runs/log-batch", {
        run_id: runId,
        metrics: (part.metrics ?? []).map((m) => ({
          key: mlflowMetricName(m.key),
          value: encodeMetricValue(m.value),
          timestamp: m.timestamp,
          step: m.step,
          ...(m.modelId === undefined ? {} : { model_id: m.modelId }),
        })),
        params: part.params ?? [],
        tags: part.tags ?? [],
      });
    }
  }

  /** Records the data sets a run used, each with its context tag (mlflow.data.context). */
  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    for (const d of datasets) {
      if (d.digest.length > 36)
        throw new Error(
          `dataset '${d.name}' digest is ${d.digest.length} characters; MLflow allows 36`,
        );
    }
    await this.request("POST", "runs/log-inputs", {
      run_id: runId,
      datasets: datasets.map((d) => ({
        tags: [{ key: "mlflow.data.context", value: d.context }],
        dataset: {
          name: d.name,
          digest: d.digest,
          source_type: d.sourceType,
          source: d.source,
          profile: d.profile,
          ...(d.schema === undefined ? {} : { schema: d.schema }),
        },
      })),
    });
  }

  /** Links logged models to a run's outputs (log-outputs: POST runs/outputs), each at a step. */
  async logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void> {
    await this.request("POST", "runs/outputs", {
      run_id: runId,
      models: models.map((m) => ({ model_id: m.modelId, step: m.step })),
    });
  }

  // logged models ----------------------------------------------------------------------------

  /** Creates a logged model (status PENDING) in an experiment, from a run, with params and tags. */
  async createLoggedModel(opts: {
    experimentId: string;
    name: string;
    modelType?: string;
    sourceRunId?: string;
    params?: Record<string, string>;
    tags?: Record<string, string>;
  }): Promise<LoggedModel> {
    const params = Object.entries(opts.params ?? {}).map(([key, value]) => {
      validateKey(key, "model param key");
      validateParamValue(key, value);
      return { key, value };
    });
    const tags = Object.entries(opts.tags ?? {}).map(([key, value]) => {
      validateKey(key, "model tag key");
      validateTagValue(key, value);
      return { key, value };
    });
    const body: Record<string, unknown> = { experiment_id: opts.experimentId, name: opts.name };
    if (opts.modelType !== undefined) body.model_type = opts.modelType;
    if (opts.sourceRunId !== undefined) body.source_run_id = opts.sourceRunId;
    if (params.length) body.params = params;
    if (tags.length) body.tags = tags;
    const r = (await this.request("POST", "logged-models", body)) as { model: WireLoggedModel };
    return toLoggedModel(r.model);
  }

  /** A logged model by id. */
  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    const r = (await this.request("GET", `logged-models/${encodeURIComponent(modelId)}`)) as {
      model: WireLoggedModel;
    };
    return toLoggedModel(r.model);
  }

  /** Marks a logged model READY (its files are uploaded) or UPLOAD_FAILED. */
  async finalizeLoggedModel(
    modelId: string,
    status: "READY" | "UPLOAD_FAILED",
  ): Promise<LoggedModel> {
    const r = (await this.request("PATCH", `logged-models/${encodeURIComponent(modelId)}`, {
      model_id: modelId,
      // LoggedModelStatus (service.proto): LOGGED_MODEL_READY = 2, LOGGED_MODEL_UPLOAD_FAILED = 3
      status: status === "READY" ? 2 : 3,
    })) as { model: WireLoggedModel };
    return toLoggedModel(r.model);
  }

  /** Logs a whole (possibly nested) config as params, flattened with dots. */
  async logParams(runId: string, params: Record<string, unknown>): Promise<void> {
    const flat = flattenParams(params);
    await this.logBatch(runId, {
      params: Object.entries(flat).map(([key, value]) => ({ key, value })),
    });
  }

  /** Sets tags on a run. */
  async setTags(runId: string, tags: Record<string, string>): Promise<void> {
    await this.logBatch(runId, {
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
  }

  /** Logs metrics at one step. */
  async logMetrics(
    runId: string,
    metrics: Record<string, number>,
    step: number,
    timestamp: number = Date.now(),
  ): Promise<void> {
    await this.logBatch(runId, {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step, timestamp })),
    });
  }

  /**
   * Every logged value of one metric (the toolkit's name), in step order. A run logged before the
   * group prefixes has it under the plain name, which is asked for when the prefixed one is empty.
   */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const name = mlflowMetricName(key);
    const points = await this.metricHistory(runId, name);
    return points.length || name === key ? points : this.metricHistory(runId, key);
  }

  private async metricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let token: string | undefined;
    do {
      const r = (await this.request("GET", "metrics/get-history", {
        run_id: runId,
        metric_key: key,
        max_results: 25000,
        page_token: token,
      })) as {
        metrics?: {
          key: string;
          value: unknown;
          timestamp: number | string;
          step?: number | string;
        }[];
        next_page_token?: string;
      };
      for (const m of r.metrics ?? []) {
        out.push({
          key: internalMetricName(m.key),
          value: decodeMetricValue(m.value),
          timestamp: Number(m.timestamp),
          step: Number(m.step ?? 0),
        });
      }
      token = r.next_page_token || undefined;
    } while (token);
    return out.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }

  // artifacts --------------------------------------------------------------------------------

  private async artifactRoot(runId: string): Promise<string> {
    const cached = this.artifactRoots.get(runId);
    if (cached) return cached;
    const run = await this.getRun(runId);
    const root = proxiedRoot(run.info.artifactUri, `run ${runId}`);
    this.artifactRoots.set(runId, root);
    return root;
  }

  private async artifactUrl(runId: string, artifactPath: string): Promise<string> {
    return this.proxyUrl(await this.artifactRoot(runId), artifactPath);
  }

  private async proxyUrl(root: string, artifactPath: string): Promise<string> {
    const clean = normPosix(artifactPath);
    if (clean.startsWith("..") || clean.startsWith("/") || clean === ".") {
      throw new Error(
        `artifact path ${JSON.stringify(artifactPath)} must be a relative path inside the run or model`,
      );
    }
    return `${await this.uri()}/api/2.0/mlflow-artifacts/artifacts/${encodePath(root)}/${encodePath(clean)}`;
  }

  /** Uploads content (text or bytes) as the artifact `artifactPath` (e.g. "plots/loss.html"). */
  async uploadArtifact(
    runId: string,
    artifactPath: string,
    content: string | Uint8Array,
  ): Promise<void> {
    await this.putBytes(await this.artifactUrl(runId, artifactPath), content);
  }

  /** Uploads a file of a logged model to its artifact location (through the artifact proxy). */
  async uploadModelArtifact(
    model: LoggedModel,
    artifactPath: string,
    content: string | Uint8Array,
  ): Promise<void> {
    const root = proxiedRoot(model.artifactUri, `logged model ${model.modelId}`);
    await this.putBytes(await this.proxyUrl(root, artifactPath), content);
  }

  /** Downloads a file of a logged model from its artifact location. */
  async downloadModelArtifact(model: LoggedModel, artifactPath: string): Promise<Uint8Array> {
    const root = proxiedRoot(model.artifactUri, `logged model ${model.modelId}`);
    return this.getBytes(await this.proxyUrl(root, artifactPath));
  }

  private async putBytes(url: string, content: string | Uint8Array): Promise<void> {
    const body =
      typeof content === "string"
        ? Buffer.from(content, "utf8")
        : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    await this.send(
      url,
      {
        method: "PUT",
        body,
        headers: { "content-type": "application/octet-stream" },
      },
      "mlflow-artifacts/upload",
      true,
      Math.max(this.opts.timeoutMs, 600_000),
    );
  }

  /** Downloads an artifact's bytes. */
  async downloadArtifact(runId: string, artifactPath: string): Promise<Uint8Array> {
    return this.getBytes(await this.artifactUrl(runId, artifactPath));
  }

  private async getBytes(url: string): Promise<Uint8Array> {
    return (await this.send(
      url,
      { method: "GET" },
      "mlflow-artifacts/download",
      false,
      Math.max(this.opts.timeoutMs, 600_000),
    )) as Uint8Array;
  }

  /** Downloads an artifact as UTF-8 text. */
  async downloadArtifactText(runId: string, artifactPath: string): Promise<string> {
    return Buffer.from(await this.downloadArtifact(runId, artifactPath)).toString("utf8");
  }

  /** Lists artifacts directly under `dir` (the run's root when omitted); paths are relative to the run. */
  async listArtifacts(runId: string, dir = ""): Promise<ArtifactEntry[]> {
    const r = (await this.request("GET", "artifacts/list", {
      run_id: runId,
      path: dir || undefined,
    })) as {
      files?: { path: string; is_dir: boolean; file_size?: number | string }[];
    };
    return (r.files ?? []).map((f) => {
      const e: ArtifactEntry = { path: f.path, isDir: f.is_dir };
      if (f.file_size !== undefined) e.fileSize = Number(f.file_size);
      return e;
    });
  }

  // search -----------------------------------------------------------------------------------

  private async experimentIds(opts: SearchRunsOptions): Promise<string[]> {
    const ids = [...(opts.experimentIds ?? [])];
    for (const name of opts.experimentNames ?? []) {
      const e = await this.getExperimentByName(name);
      if (e) ids.push(e.experimentId);
    }
    return ids;
  }

  /** One page of runs matching a filter. */
  async searchRuns(opts: SearchRunsOptions): Promise<{ runs: Run[]; nextPageToken?: string }> {
    const ids = await this.experimentIds(opts);
    if (ids.length === 0) return { runs: [] };
    const body: Record<string, unknown> = {
      experiment_ids: ids,
      max_results: opts.maxResults ?? 1000,
      run_view_type: opts.runViewType ?? "ACTIVE_ONLY",
    };
    if (opts.filter) body.filter = opts.filter;
    if (opts.orderBy) body.order_by = opts.orderBy;
    if (opts.pageToken) body.page_token = opts.pageToken;
    const r = (await this.request("POST", "runs/search", body)) as {
      runs?: WireRun[];
      next_page_token?: string;
    };
    const out: { runs: Run[]; nextPageToken?: string } = { runs: (r.runs ?? []).map(toRun) };
    if (r.next_page_token) out.nextPageToken = r.next_page_token;
    return out;
  }

  /** Every run matching a filter (follows page tokens). */
  async searchAllRuns(opts: Omit<SearchRunsOptions, "pageToken">): Promise<Run[]> {
    const ids = await this.experimentIds(opts);
    const out: Run[] = [];
    let token: string | undefined;
    do {
      const page = await this.searchRuns({
        ...opts,
        experimentIds: ids,
        experimentNames: [],
        pageToken: token,
      });
      out.push(...page.runs);
      token = page.nextPageToken;
    } while (token);
    return out;
  }

  /**
   * Runs matching a filter as an arquero table: one row per run, columns run_id, run_name,
   * experiment_id, status, start_time, end_time, then `metrics.<key>` (numbers), `params.<key>` and
   * `tags.<key>` (strings; missing values are undefined).
   */
  async searchRunsTable(opts: Omit<SearchRunsOptions, "pageToken">): Promise<aq.ColumnTable> {
    return runsToTable(await this.searchAllRuns(opts));
  }
}

/** Converts runs to an arquero table (see {@link MlflowClient.searchRunsTable} for the columns). */
export function runsToTable(runs: Run[]): aq.ColumnTable {
  const base = ["run_id", "run_name", "experiment_id", "status", "start_time", "end_time"];
  const metricKeys = new Set<string>();
  const paramKeys = new Set<string>();
  const tagKeys = new Set<string>();
  for (const r of runs) {
    Object.keys(r.metrics).forEach((k) => metricKeys.add(k));
    Object.keys(r.params).forEach((k) => paramKeys.add(k));
    Object.keys(r.tags).forEach((k) => tagKeys.add(k));
  }
  const cols: Record<string, unknown[]> = {};
  for (const c of base) cols[c] = [];
  const mk = [...metricKeys].sort();
  const pk = [...paramKeys].sort();
  const tk = [...tagKeys].sort();
  for (const k of mk) cols[`metrics.${k}`] = [];
  for (const k of pk) cols[`params.${k}`] = [];
  for (const k of tk) cols[`tags.${k}`] = [];
  for (const r of runs) {
    cols.run_id.push(r.info.runId);
    cols.run_name.push(r.info.runName);
    cols.experiment_id.push(r.info.experimentId);
    cols.status.push(r.info.status);
    cols.start_time.push(r.info.startTime);
    cols.end_time.push(r.info.endTime);
    for (const k of mk) cols[`metrics.${k}`].push(r.metrics[k]);
    for (const k of pk) cols[`params.${k}`].push(r.params[k]);
    for (const k of tk) cols[`tags.${k}`].push(r.tags[k]);
  }
  return aq.table(cols);
}

/** A client for `uri` (default: MLFLOW_TRACKING_URI, else the project's local server, started on first use). */
export function createMlflowClient(
  uri?: string,
  options: Partial<MlflowClientOptions> = {},
): MlflowClient {
  return new MlflowClient(uri, options);
}

/** Re-exported for callers that build params by hand. */
export type { ParamValue };
