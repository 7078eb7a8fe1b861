/** Helpers for the backend tests: deterministic inputs, backend switching, a closeness check. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend, type BackendName } from "../../src/backend";
import { createRng } from "../../src/util/random";

/** Standard-normal values from a fixed seed (the same on every backend). */
export function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** Runs fn with `name` active, then restores the previous backend. */
export async function onBackend<T>(name: BackendName, fn: () => T): Promise<T> {
  const prev = tf.getBackend();
  await useBackend(name);
  try {
    return fn();
  } finally {
    if (prev) await tf.setBackend(prev);
  }
}

/**
 * Tolerance of the backend numerics tests: |got - want| <= atol + rtol * |want|, relative to the
 * largest |want|, since float32 sums of a few hundred terms accumulated in a different order
 * (XNNPACK/Eigen blocking vs the reference loops) differ by a few ulps of the largest partial sum.
 */
export const TOLERANCE = Object.freeze({ rtol: 1e-4, atol: 1e-5 });

/** Asserts elementwise closeness, scaled by the largest reference magnitude. */
export function assertClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  what: string,
  tol: { rtol: number; atol: number } = TOLERANCE,
): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} != ${want.length}`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol.atol + tol.rtol * scale) && (at < 0 || err > worst)) {
      worst = err;
      at = i;
    }
  }
  assert.ok(
    at < 0,
    `${what}: element ${at} is ${got[at]}, expected ${want[at]} (|diff| ${worst} > ${tol.atol} + ${tol.rtol} * ${scale})`,
  );
}
