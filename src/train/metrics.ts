/**
 * Per-step training metrics (SimCLR Table 5 adds contrastive accuracy and entropy) and the
 * evaluation points recorded along a run.
 */

/** Metrics of one optimiser step, as logged to the tracker and passed to `onStep`. */
export interface StepMetrics {
  /** 0-based optimiser step. */
  step: number;
  /** Total steps of the run. */
  totalSteps: number;
  /** 0-based epoch of this step. */
  epoch: number;
  /** Contrastive loss of the batch. */
  loss: number;
  /** Fraction of views whose positive is ranked first (Table 5). */
  contrastiveAccuracy: number;
  /** Mean entropy of the contrastive distribution (Table 5). */
  entropy: number;
  /** Learning rate used by this step. */
  learningRate: number;
  /** Views (2N) in this step. */
  views: number;
  /** Views per second over this step, including waiting for data. */
  viewsPerSecond: number;
  /** Seconds since training started (excluding evaluation). */
  elapsedS: number;
}

/** A monitor evaluation during training (the accuracy-versus-time curve). */
export interface EvalPoint {
  step: number;
  epoch: number;
  /** Training seconds (excluding evaluation time) when it was taken. */
  trainS: number;
  /** kNN top-1 on the monitor images. */
  knnAcc: number;
}
