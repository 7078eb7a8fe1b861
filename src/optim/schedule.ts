/**
 * Learning-rate rules of SimCLR: the peak rate from the batch size (section 3 / appendix B.1:
 * LearningRate = 0.3 x BatchSize/256, or 0.075 x sqrt(BatchSize) in Figure 9 / B.1 for small
 * batches and long training) and the schedule, linear warm-up then cosine decay without restarts,
 * as google-research/simclr tf2 lr_schedules.py WarmUpAndCosineDecay computes it.
 */

/** How the peak learning rate scales with the batch size. */
export type LrScaling = (typeof LR_SCALINGS)[number];

/** The learning-rate scaling rules (the config's optimizer.lrScaling values). */
export const LR_SCALINGS = Object.freeze(["linear", "sqrt"] as const);

/** Base factors of the two rules (SimCLR appendix B.1). */
export const LR_BASE = Object.freeze({
  /** lr = 0.3 x B / 256 */
  linear: 0.3,
  /** lr = 0.075 x sqrt(B) */
  sqrt: 0.075,
});

/**
 * Peak learning rate for a batch size.
 * @param base factor; defaults to {@link LR_BASE}[scaling].
 */
export function baseLearningRate(batchSize: number, scaling: LrScaling, base?: number): number {
  if (!(batchSize > 0)) throw new Error(`batch size must be > 0, got ${batchSize}`);
  if (scaling === "linear") return (base ?? LR_BASE.linear) * (batchSize / 256);
  if (scaling === "sqrt") return (base ?? LR_BASE.sqrt) * Math.sqrt(batchSize);
  throw new Error(`unknown learning-rate scaling "${String(scaling)}"; expected linear or sqrt`);
}

/**
 * Learning rate before optimiser step `step` (0-based): peak x step / warmupSteps during warm-up,
 * then peak x (1 + cos(pi x t / T)) / 2 with t = step - warmupSteps, T = totalSteps - warmupSteps
 * (t clipped to T). As in the official code, step 0 has rate 0 when there is a warm-up.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  warmupSteps: number,
  peak: number,
): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * step) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 0) return peak;
  const t = Math.min(Math.max(step - warmupSteps, 0), decaySteps);
  return peak * 0.5 * (1 + Math.cos((Math.PI * t) / decaySteps));
}
