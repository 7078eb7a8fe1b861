/**
 * The error a training run stops with when its loss stops being a finite number.
 */

/** Thrown by the training loop when the loss is NaN or infinite; names the step and value. */
export class DivergenceError extends Error {
  constructor(
    /** Optimiser step (0-based) whose loss was not finite. */
    readonly step: number,
    /** The loss value: NaN, Infinity or -Infinity. */
    readonly value: number,
  ) {
    super(
      `training diverged: loss is ${value} at step ${step}; lower the learning rate or check the inputs`,
    );
    this.name = "DivergenceError";
  }
}
