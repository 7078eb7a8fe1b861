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

/** A handle on one tracked run. Logging never throws because tracking is down. */
export interface RunLogger {
  /** The tracking run id, when tracking. */
  readonly runId?: string;
  /** Logs parameters (a flat map; nested configs are flattened with dots by the caller or the logger). */
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /** Logs metrics at a step. Buffered; flushed in batches. */
  logMetrics(metrics: Record<string, number>, step: number): void;
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
  logArtifact: async () => {},
  flush: async () => {},
  finish: async () => {},
};
