/**
 * The MLflow implementation of RunLogger: `startRun(...)` creates a run and returns a logger that
 * writes every call to the local journal first (src/track/journal.ts) and sends it to the server in
 * batches, in the background. When the server is unreachable or restarting, calls keep landing in
 * the journal and are replayed in order when it answers again; training never waits on tracking
 * and logMetrics never throws because tracking is down.
 */
import { randomUUID } from "node:crypto";
import { trackingContextTags, trackingSettings, type TrackingContext } from "./context";
import { codeVersion } from "./code-version";
import { environmentTags, type RunSource } from "./environment";
import { defaultJournalDir, Journal, replayJournal, type ReplayResult } from "./journal";
import {
  flattenParams,
  MlflowClient,
  normalizeTrackingUri,
  validateKey,
  validateParamValue,
  validateTagValue,
  type MlflowClientOptions,
} from "./mlflow";
import { resolveTrackingUri } from "./server";
import { createSystemSampler } from "./system-metrics";
import type { DatasetInput, ModelFiles, ParamValue, RunLogger, RunStatus } from "./types";
import { shownPath } from "../util/shown-path";

/** simclr.code_version: the hash of the sources that affect training (src/track/code-version.ts). */
function codeVersionTag(): Record<string, string> {
  const v = codeVersion();
  return v ? { "simclr.code_version": v } : {};
}

/** Options for {@link startRun}. */
export interface StartRunOptions {
  /** Experiment name; default $SIMCLR_EXPERIMENT, else "simclr". */
  experiment: string;
  /** mlflow.runName; default $SIMCLR_RUN_NAME. */
  runName?: string;
  /** Parent run (mlflow.parentRunId); default $SIMCLR_PARENT_RUN_ID. */
  parentRunId?: string;
  /** Extra tags at creation (study, preset, config hash... ; context and environment tags are added). */
  tags?: Record<string, string>;
  /**
   * Tracking server; default MLFLOW_TRACKING_URI (as the entry point read it), else the project's
   * running local server; none is started (without one the run waits in the journal).
   */
  trackingUri?: string;
  /** Journal folder; default $SIMCLR_JOURNAL_DIR, else <project>/.simclr/journal. */
  journalDir: string;
  /** Send buffered metrics at least this often (ms). */
  flushIntervalMs: number;
  /** Send as soon as this many metric values are waiting. */
  maxBufferedMetrics: number;
  /** How long finish() keeps retrying an unreachable server before leaving the rest in the journal (ms). */
  finishTimeoutMs: number;
  /** Add source, user, git commit, hardware and version tags. */
  environmentTags: boolean;
  /** What started the run (mlflow.source.*): the notebook, passed by notebook helpers; default the command line. */
  source?: RunSource;
  /** Log `system/` metrics (CPU, memory, GPU) this often while the run is open (ms); 0 turns them off. */
  systemMetricsIntervalMs: number;
  /**
   * Use the entry point's tracking settings (MLFLOW_TRACKING_URI, SIMCLR_* variables and credentials
   * as it read them: src/track/context.ts) for fields not given.
   */
  useEnv: boolean;
}

/** Defaults for {@link StartRunOptions}. */
export const START_RUN_DEFAULTS: Readonly<Omit<StartRunOptions, "journalDir">> = Object.freeze({
  experiment: "simclr",
  flushIntervalMs: 2000,
  maxBufferedMetrics: 1000,
  finishTimeoutMs: 15_000,
  environmentTags: true,
  systemMetricsIntervalMs: 10_000,
  useEnv: true,
});

/** A RunLogger bound to an MLflow run, with a few extras for sweeps and notebooks. */
export interface TrackedRun extends RunLogger {
  /** The server's run id (undefined while the server has not been reached yet). */
  readonly runId?: string;
  /** Local id of this run's journal (tag simclr.journal_id). */
  readonly journalId: string;
  /** The journal file. */
  readonly journalFile: string;
  /** Entries not yet on the server. */
  pending(): number;
  /** Times a send to the server failed and the logger fell back to the journal (0 on a sound link). */
  fallbacks(): number;
  /** The client (undefined when no tracking URI could be resolved). */
  readonly client?: MlflowClient;
  /** Experiment name. */
  readonly experiment: string;
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

class MlflowRunLogger implements TrackedRun {
  readonly journalId: string;
  readonly experiment: string;
  client?: MlflowClient;
  private readonly journal: Journal;
  private readonly opts: StartRunOptions;
  private timer?: NodeJS.Timeout;
  private systemTimer?: NodeJS.Timeout;
  private flushing?: Promise<ReplayResult | undefined>;
  private again = false;
  private failures = 0;
  private fallbackCount = 0;
  private nextTryAt = 0;
  private waitingMetrics = 0;
  private warnedDown = false;
  private finished = false;
  private modelLogged = false;

  constructor(journal: Journal, experiment: string, opts: StartRunOptions, client?: MlflowClient) {
    this.journal = journal;
    this.journalId = journal.header.journalId;
    this.experiment = experiment;
    this.opts = opts;
    this.client = client;
    this.timer = setInterval(
      () => {
        if (this.journal.pending().length > 0 && Date.now() >= this.nextTryAt) void this.flush();
      },
      Math.max(50, opts.flushIntervalMs),
    );
    this.timer.unref();
    if (opts.systemMetricsIntervalMs > 0) {
      const sample = createSystemSampler();
      let step = 0;
      this.systemTimer = setInterval(
        () => this.logMetrics(sample(), step++),
        opts.systemMetricsIntervalMs,
      );
      this.systemTimer.unref();
    }
  }

  get runId(): string | undefined {
    return this.journal.state.runId;
  }

  get journalFile(): string {
    return this.journal.file;
  }

  pending(): number {
    return this.journal.pending().length;
  }

  fallbacks(): number {
    return this.fallbackCount;
  }

  /** One replay pass at a time; a call during a pass schedules one more pass after it. */
  private replayOnce(): Promise<ReplayResult | undefined> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    const run = async (): Promise<ReplayResult | undefined> => {
      let result: ReplayResult | undefined;
      do {
        this.again = false;
        result = await this.replay();
      } while (this.again && result && !result.stoppedBy);
      return result;
    };
    this.flushing = run().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async replay(): Promise<ReplayResult | undefined> {
    if (!this.client) {
      try {
        this.client = new MlflowClient(await resolveTrackingUri(), clientOptions(this.opts.useEnv));
      } catch (err) {
        this.noteDown((err as Error).message);
        return {
          sent: 0,
          pending: this.pending(),
          complete: false,
          stoppedBy: (err as Error).message,
        };
      }
    }
    try {
      const r = await replayJournal(this.journal, this.client);
      this.journal.compact();
      this.waitingMetrics = 0;
      if (r.stoppedBy) this.noteDown(r.stoppedBy);
      else {
        if (this.warnedDown)
          console.warn(
            `simclr: MLflow is back; replayed the journal of run ${this.runId ?? this.journalId}`,
          );
        this.failures = 0;
        this.nextTryAt = 0;
        this.warnedDown = false;
      }
      return r;
    } catch (err) {
      // a permanent failure creating the run: keep the journal for `simclr mlflow sync`
      this.noteDown((err as Error).message);
      return {
        sent: 0,
        pending: this.pending(),
        complete: false,
        stoppedBy: (err as Error).message,
      };
    }
  }

  private noteDown(message: string): void {
    this.fallbackCount++;
    this.nextTryAt = Date.now() + BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures++;
    if (!this.warnedDown) {
      console.warn(
        `simclr: tracking unavailable (${message}); logging to the journal ${shownPath(this.journal.file)} and retrying`,
      );
      this.warnedDown = true;
    }
  }

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    const flat = flattenParams(params);
    const list = Object.entries(flat).map(([key, value]) => {
      validateKey(key, "param key");
      validateParamValue(key, value);
      return { key, value };
    });
    if (list.length === 0) return;
    this.journal.append({ op: "params", params: list });
    await this.flush();
  }

  logMetrics(metrics: Record<string, number>, step: number, options?: { ofModel: boolean }): void {
    if (!Number.isFinite(step))
      throw new Error(`logMetrics: step must be a finite number, got ${step}`);
    const timestamp = Date.now();
    const list = Object.entries(metrics).map(([key, value]) => {
      validateKey(key, "metric key");
      return { key, value: Number(value), step: Math.round(step), timestamp };
    });
    if (list.length === 0) return;
    this.journal.append(
      options?.ofModel
        ? { op: "metrics", metrics: list, ofModel: true }
        : { op: "metrics", metrics: list },
    );
    this.waitingMetrics += list.length;
    if (this.waitingMetrics >= this.opts.maxBufferedMetrics && Date.now() >= this.nextTryAt)
      void this.replayOnce();
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    const list = Object.entries(tags).map(([key, value]) => {
      validateKey(key, "tag key");
      validateTagValue(key, value);
      return { key, value };
    });
    if (list.length === 0) return;
    this.journal.append({ op: "tags", tags: list });
    await this.flush();
  }

  async logInputs(datasets: DatasetInput[]): Promise<void> {
    if (datasets.length === 0) return;
    this.journal.append({ op: "inputs", datasets });
    await this.flush();
  }

  async logModel(model: ModelFiles): Promise<void> {
    if (this.modelLogged)
      throw new Error(`run ${this.runId ?? this.journalId} already logged a model; one per run`);
    for (const [k, v] of Object.entries(model.params)) {
      validateKey(k, "model param key");
      validateParamValue(k, v);
    }
    const files = model.files.map((f) => ({
      path: f.path,
      file: this.journal.storeArtifact(`model-${f.path.replace(/\//g, "_")}`, f.content),
    }));
    const { name, modelType, step, params, tags } = model;
    this.journal.append({ op: "model", name, modelType, step, params, tags, files });
    this.modelLogged = true;
    await this.flush();
  }

  async logArtifact(
    name: string,
    content: string | Uint8Array,
    artifactPath?: string,
  ): Promise<void> {
    const p = artifactPath ? `${artifactPath.replace(/\/+$/, "")}/${name}` : name;
    const file = this.journal.storeArtifact(p, content);
    this.journal.append({ op: "artifact", artifactPath: p, file });
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.journal.pending().length === 0) return;
    await this.replayOnce();
  }

  async finish(status: RunStatus, note?: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.systemTimer) clearInterval(this.systemTimer);
    if (note !== undefined) {
      const text = note.length > 8000 ? `${note.slice(0, 7990)} [...]` : note;
      this.journal.append({ op: "tags", tags: [{ key: "mlflow.note.content", value: text }] });
    }
    this.journal.append({ op: "terminate", status, endTime: Date.now() });
    const deadline = Date.now() + this.opts.finishTimeoutMs;
    for (;;) {
      this.nextTryAt = 0;
      const r = await this.replayOnce();
      if (this.journal.complete || (r && !r.stoppedBy && this.pending() === 0)) break;
      if (Date.now() >= deadline) break;
      await new Promise((res) =>
        setTimeout(res, Math.min(1000, Math.max(0, deadline - Date.now()))),
      );
    }
    if (this.timer) clearInterval(this.timer);
    if (this.journal.complete) this.journal.remove();
    else {
      this.journal.state.ownerPid = undefined; // released: `simclr mlflow sync` may replay it now
      this.journal.saveState();
      console.warn(
        `simclr: ${this.pending()} tracking entries of run ${this.runId ?? this.journalId} are waiting in ` +
          `${this.journal.file}; replay them with: simclr mlflow sync`,
      );
    }
  }
}

/**
 * Starts an MLflow run and returns its logger. Fields not given come from the tracking context the
 * entry point read from its environment (MLFLOW_TRACKING_URI, SIMCLR_EXPERIMENT, SIMCLR_RUN_NAME,
 * SIMCLR_PARENT_RUN_ID, SIMCLR_CONFIG_HASH, SIMCLR_STUDY, SIMCLR_PRESET; src/track/context.ts).
 * When no server is set or running, or it cannot be reached, the run is
 * created later from the journal (runId stays undefined until then) and nothing is lost.
 * Throws only for bad input: an invalid tracking URI or tag name.
 */
export async function startRun(options: Partial<StartRunOptions> = {}): Promise<TrackedRun> {
  const env: TrackingContext = options.useEnv === false ? {} : trackingSettings().context;
  const o: StartRunOptions = {
    ...START_RUN_DEFAULTS,
    journalDir: defaultJournalDir(),
    ...options,
  };
  const experiment = options.experiment ?? env.experiment ?? START_RUN_DEFAULTS.experiment;
  const runName = options.runName ?? env.runName;
  const ctx: TrackingContext = { ...env, parentRunId: options.parentRunId ?? env.parentRunId };
  const tags: Record<string, string> = {
    ...(o.environmentTags ? environmentTags(o.source) : {}),
    ...(o.environmentTags ? codeVersionTag() : {}),
    ...trackingContextTags(ctx),
    ...(options.tags ?? {}),
  };
  for (const [k, v] of Object.entries(tags)) {
    validateKey(k, "tag key");
    validateTagValue(k, v);
  }
  let uri: string | undefined;
  const explicit = options.trackingUri ?? env.trackingUri;
  if (explicit !== undefined)
    uri = normalizeTrackingUri(
      explicit,
      options.trackingUri !== undefined ? "trackingUri" : "MLFLOW_TRACKING_URI",
    );
  else {
    try {
      uri = await resolveTrackingUri();
    } catch (err) {
      console.warn(
        `simclr: no tracking server (${(err as Error).message}); the run goes to the journal for now`,
      );
    }
  }
  const journalId = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomUUID().slice(0, 8)}`;
  const header: { journalId: string; experiment: string; createdAt: number; uri?: string } = {
    journalId,
    experiment,
    createdAt: Date.now(),
  };
  if (uri) header.uri = uri;
  const journal = Journal.create(o.journalDir, header);
  const create: {
    op: "create";
    experiment: string;
    startTime: number;
    tags: Record<string, string>;
    runName?: string;
    runId?: string;
  } = {
    op: "create",
    experiment,
    startTime: Date.now(),
    tags,
  };
  if (runName !== undefined) create.runName = runName;
  if (env.runId !== undefined) create.runId = env.runId;
  journal.append(create);
  const logger = new MlflowRunLogger(
    journal,
    experiment,
    o,
    uri ? new MlflowClient(uri, clientOptions(options.useEnv !== false)) : undefined,
  );
  await logger.flush();
  return logger;
}

/** The logger's client options: a short timeout, and MLflow's credential variables with `useEnv`. */
function clientOptions(useEnv: boolean): Partial<MlflowClientOptions> {
  const credentials = useEnv ? trackingSettings().credentials : undefined;
  return credentials ? { timeoutMs: 10_000, credentials } : { timeoutMs: 10_000 };
}

/**
 * Marks the run KILLED (and flushes) when the process gets SIGINT or SIGTERM, then exits with
 * 130 / 143. For standalone cell processes; returns a function that removes the handlers.
 */
export function killRunOnSignal(logger: RunLogger): () => void {
  const handler = (sig: NodeJS.Signals): void => {
    const code = sig === "SIGINT" ? 130 : 143;
    const hard = setTimeout(() => process.exit(code), 20_000);
    hard.unref();
    logger.finish("KILLED", `killed by ${sig}`).finally(() => process.exit(code));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
