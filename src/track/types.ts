/**
 * What the training loop and sweeps need from experiment tracking. The MLflow implementation lives
 * in src/track/; `nullLogger` (no tracking) satisfies the same interface.
 */

/** Terminal status of a run, as MLflow names them. */
export type RunStatus = "FINISHED" | "FAILED" | "KILLED";

/** A parameter value as logged (MLflow stores strings). */
export type ParamValue = string | number | boolean;

/**
 * A data set a run used, as MLflow's `runs/log-inputs` records it (the run page's Datasets): the
 * digest identifies the exact images, so two runs on the same subset show the same digest.
 */
export interface DatasetInput {
  /** e.g. "cifar10/train" */
  name: string;
  /** At most 36 characters (MLflow's limit). */
  digest: string;
  /** MLflow source type, e.g. "local" or "http". */
  sourceType: string;
  /** JSON, e.g. {"uri": "/data/cifar10"} */
  source: string;
  /** JSON summary: image count, classes, resolution. */
  profile: string;
  /** JSON schema of one record. */
  schema?: string;
  /** The input tag mlflow.data.context: "training" or "evaluation". */
  context: "training" | "evaluation";
}

/**
 * A trained model as files, to become an MLflow 3 logged model of the run (created, its files
 * uploaded to its artifact location, finalized READY, linked to the run's outputs).
 */
export interface ModelFiles {
  /** The model's name, e.g. "encoder". */
  name: string;
  /** MLflow's model_type, e.g. "simclr-encoder". */
  modelType: string;
  /** The step of the run the weights are from (the run's outputs record it). */
  step: number;
  /** Logged-model params (flat strings). */
  params: Record<string, string>;
  /** Logged-model tags. */
  tags: Record<string, string>;
  /** Files under the model's artifact location (relative paths). */
  files: { path: string; content: string | Uint8Array }[];
}

/** A handle on one tracked run. Logging never throws because tracking is down. */
export interface RunLogger {
  /** The tracking run id, when tracking. */
  readonly runId?: string;
  /** Logs parameters (a flat map; nested configs are flattened with dots by the caller or the logger). */
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /**
   * Logs metrics at a step. Buffered; flushed in batches. `ofModel`: the values measure the model
   * logged by {@link logModel} before, and carry its id (MLflow metrics' model_id).
   */
  logMetrics(metrics: Record<string, number>, step: number, options?: { ofModel: boolean }): void;
  /** Logs a trained model as an MLflow logged model of the run (at most one per run). */
  logModel(model: ModelFiles): Promise<void>;
  /** Sets tags. */
  setTags(tags: Record<string, string>): Promise<void>;
  /** Records the data sets the run trains and evaluates on (runs/log-inputs). */
  logInputs(datasets: DatasetInput[]): Promise<void>;
  /** Uploads a file (or in-memory content) as an artifact under `artifactPath`. */
  logArtifact(name: string, content: string | Uint8Array, artifactPath?: string): Promise<void>;
  /** Flushes buffered metrics. */
  flush(): Promise<void>;
  /** Flushes, then marks the run terminated with a status; `note` goes to mlflow.note.content. */
  finish(status: RunStatus, note?: string): Promise<void>;
}

/** A logger that records nothing (no tracking). */
export const nullLogger: RunLogger = {
  logParams: async () => {},
  logMetrics: () => {},
  setTags: async () => {},
  logInputs: async () => {},
  logModel: async () => {},
  logArtifact: async () => {},
  flush: async () => {},
  finish: async () => {},
};
