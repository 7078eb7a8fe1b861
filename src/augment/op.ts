/**
 * The contract every augmentation follows: a batched kernel over an NHWC float32 batch in [0, 1]
 * that draws its random parameters per image, in image order, from an explicit seeded source
 * (SimCLR draws an independent augmentation per image and per view, section 3).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";

/**
 * A batched augmentation kernel. `run` reads `src` and writes the result into `out` (same shape).
 * When `inPlace` is true, `out` may be `src.data` itself (pointwise operations); otherwise it must
 * be a different buffer. Random parameters are drawn per image, in order, from `rng`.
 */
export interface Kernel {
  readonly inPlace: boolean;
  run(src: ImageBatch, out: Float32Array, rng: Rng): void;
}

/** Runs a kernel into a fresh batch (the input is never modified). */
export function applyKernel(kernel: Kernel, batch: ImageBatch, rng: Rng): ImageBatch {
  const out = kernel.inPlace ? Float32Array.from(batch.data) : new Float32Array(batch.data.length);
  kernel.run(kernel.inPlace ? { ...batch, data: out } : batch, out, rng);
  return { ...batch, data: out };
}

/** Checks a batch's shape fields against its data length; throws naming what was expected. */
export function checkBatch(batch: ImageBatch, op: string): void {
  const expected = batch.n * batch.height * batch.width * 3;
  if (batch.channels !== 3 || batch.data.length !== expected) {
    throw new Error(
      `${op}: batch data has ${batch.data.length} values, expected n*height*width*3 = ${expected} (NHWC RGB)`,
    );
  }
}

/** Merges `Partial` options over frozen defaults, ignoring fields set to undefined. */
export function withDefaults<T extends object>(
  defaults: Readonly<T>,
  opts: Partial<T> | undefined,
): T {
  const out = { ...defaults } as T;
  if (opts) {
    for (const [k, v] of Object.entries(opts))
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
