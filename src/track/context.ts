/**
 * Tracking context handed to a standalone cell process (`simclr pretrain --config FILE`) through
 * environment variables, so a sweep (or a cluster scheduler later) can place the cell's run under
 * its parent run: MLFLOW_TRACKING_URI, SIMCLR_EXPERIMENT, SIMCLR_PARENT_RUN_ID, SIMCLR_CONFIG_HASH,
 * SIMCLR_STUDY, SIMCLR_RUN_NAME (and SIMCLR_PRESET). SIMCLR_RUN_ID names a run the sweep created
 * when it submitted the cell (status SCHEDULED, job id tagged), which the cell then logs into.
 * SIMCLR_LOG_MODEL=0 keeps a cell from logging its encoder as a model (a sweep's default).
 * SIMCLR_BASELINE_CACHE names the folder of random-init baselines the cells of a sweep share.
 */

/** Where a run belongs. All fields optional: absent ones fall back to the caller's defaults. */
export interface TrackingContext {
  /** MLflow server, http(s)://host:port */
  trackingUri?: string;
  /** Experiment name */
  experiment?: string;
  /** The sweep's parent run (tag mlflow.parentRunId) */
  parentRunId?: string;
  /** sha256 of the resolved config (tag simclr.config_hash; sweeps match finished cells by it) */
  configHash?: string;
  /** Study name (tag simclr.study) */
  study?: string;
  /** Run name (mlflow.runName) */
  runName?: string;
  /** Preset name (tag simclr.preset) */
  preset?: string;
  /** An existing run to log into instead of creating one (a sweep creates it at submission). */
  runId?: string;
  /** "0": do not log the encoder as an MLflow logged model ("1" or absent: the command's default). */
  logModel?: string;
  /** Folder of the random-init baseline cache the cells share (src/eval/baseline-cache.ts). */
  baselineCache?: string;
}

/** Environment variable for each context field. */
export const TRACKING_ENV: Readonly<Record<keyof TrackingContext, string>> = Object.freeze({
  trackingUri: "MLFLOW_TRACKING_URI",
  experiment: "SIMCLR_EXPERIMENT",
  parentRunId: "SIMCLR_PARENT_RUN_ID",
  configHash: "SIMCLR_CONFIG_HASH",
  study: "SIMCLR_STUDY",
  runName: "SIMCLR_RUN_NAME",
  preset: "SIMCLR_PRESET",
  runId: "SIMCLR_RUN_ID",
  logModel: "SIMCLR_LOG_MODEL",
  baselineCache: "SIMCLR_BASELINE_CACHE",
});

/** Reads the tracking context from environment variables (empty values count as absent). */
export function trackingContextFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TrackingContext {
  const ctx: TrackingContext = {};
  for (const [field, name] of Object.entries(TRACKING_ENV) as [keyof TrackingContext, string][]) {
    const v = env[name];
    if (v !== undefined && v.trim() !== "") ctx[field] = v.trim();
  }
  return ctx;
}

/** The environment variables that carry `ctx` to a child process. */
export function trackingContextToEnv(ctx: TrackingContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(TRACKING_ENV) as [keyof TrackingContext, string][]) {
    const v = ctx[field];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The run tags a context implies (mlflow.parentRunId, simclr.config_hash, simclr.study, simclr.preset). */
export function trackingContextTags(ctx: TrackingContext): Record<string, string> {
  const tags: Record<string, string> = {};
  if (ctx.parentRunId) tags["mlflow.parentRunId"] = ctx.parentRunId;
  if (ctx.configHash) tags["simclr.config_hash"] = ctx.configHash;
  if (ctx.study) tags["simclr.study"] = ctx.study;
  if (ctx.preset) tags["simclr.preset"] = ctx.preset;
  return tags;
}

/**
 * Credentials for the tracking server from MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD, or
 * MLFLOW_TRACKING_TOKEN (MLflow's own names); undefined when not set. Workers on a cluster get
 * them through their environment only (see src/sweep/slurm.ts, src/sweep/ray.ts).
 */
export function trackingCredentialsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): { username: string; password: string } | { token: string } | undefined {
  const user = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (user && password) return { username: user, password };
  if (env.MLFLOW_TRACKING_TOKEN) return { token: env.MLFLOW_TRACKING_TOKEN };
  return undefined;
}

/** What an entry point read from its environment for tracking. */
export interface TrackingSettings {
  /** The run's context (MLFLOW_TRACKING_URI, SIMCLR_EXPERIMENT, ... ; see {@link TRACKING_ENV}). */
  context: TrackingContext;
  /** MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN. */
  credentials?: ReturnType<typeof trackingCredentialsFromEnv>;
  /** SIMCLR_JOURNAL_DIR: the journal folder instead of <project>/.simclr/journal. */
  journalDir?: string;
}

let settings: TrackingSettings = { context: {} };

/** Sets the tracking settings (an entry point calls it with {@link trackingSettingsFromEnv}). */
export function setTrackingSettings(s: TrackingSettings): void {
  settings = s;
}

/** The tracking settings the entry point set (an empty context by default). */
export function trackingSettings(): TrackingSettings {
  return settings;
}

/** The tracking settings an environment names (empty values count as absent). */
export function trackingSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TrackingSettings {
  const credentials = trackingCredentialsFromEnv(env);
  const journalDir = env.SIMCLR_JOURNAL_DIR?.trim();
  return {
    context: trackingContextFromEnv(env),
    ...(credentials ? { credentials } : {}),
    ...(journalDir ? { journalDir } : {}),
  };
}
