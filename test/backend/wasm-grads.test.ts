/**
 * The wasm convolution gradient kernels (src/backend/wasm-grads.ts) against the pure-JS `cpu`
 * backend's reference kernels, over strides, paddings, kernel sizes and odd shapes.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../src/backend";
import { assertClose, onBackend, randomArray } from "./support";

type Pad = "same" | "valid" | number;
interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { n: 2, h: 8, w: 8, ci: 3, co: 4, k: [3, 3], s: [1, 1], pad: "same" },
  { n: 2, h: 8, w: 8, ci: 4, co: 5, k: [3, 3], s: [2, 2], pad: "same" },
  { n: 3, h: 9, w: 7, ci: 2, co: 3, k: [3, 3], s: [2, 2], pad: "same" },
  { n: 2, h: 9, w: 9, ci: 3, co: 2, k: [5, 3], s: [1, 2], pad: "valid" },
  { n: 2, h: 10, w: 10, ci: 3, co: 4, k: [1, 1], s: [2, 2], pad: "same" },
  { n: 1, h: 11, w: 11, ci: 2, co: 3, k: [7, 7], s: [2, 2], pad: 3 },
  { n: 2, h: 6, w: 6, ci: 2, co: 2, k: [4, 4], s: [2, 2], pad: "same" },
  { n: 2, h: 11, w: 10, ci: 3, co: 2, k: [3, 3], s: [3, 3], pad: "same" },
  { n: 1, h: 9, w: 9, ci: 2, co: 3, k: [2, 2], s: [2, 2], pad: "valid" },
  { n: 2, h: 10, w: 7, ci: 2, co: 2, k: [5, 5], s: [2, 3], pad: "same" },
];

/** Conv2D's input and filter gradients for a fixed upstream gradient, on the active backend. */
function convGrads(c: Case): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(c.n * c.h * c.w * c.ci, 1), [c.n, c.h, c.w, c.ci]);
    const f = tf.tensor4d(randomArray(c.k[0] * c.k[1] * c.ci * c.co, 2), [
      c.k[0],
      c.k[1],
      c.ci,
      c.co,
    ]);
    const y = tf.conv2d(
      x,
      f,
      c.s,
      c.pad,
      "NHWC",
      1,
      typeof c.pad === "number" ? "floor" : undefined,
    );
    const dy = tf.tensor(randomArray(y.size, 3), y.shape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.conv2d(
            a as tf.Tensor4D,
            b as tf.Tensor4D,
            c.s,
            c.pad,
            "NHWC",
            1,
            typeof c.pad === "number" ? "floor" : undefined,
          ),
          dy,
        ),
      ),
    );
    const [dx, df] = g([x, f]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

describe("wasm convolution gradients", () => {
  let haveWasm = true;
  before(async () => {
    try {
      await useBackend("wasm");
    } catch {
      haveWasm = false;
    }
  });

  for (const c of CASES) {
    const label = `k${c.k.join("x")} s${c.s.join("x")} pad ${c.pad} on ${c.n}x${c.h}x${c.w}x${c.ci} -> ${c.co}`;
    it(`match the cpu backend's input and filter gradients (${label})`, async (t) => {
      if (!haveWasm) return t.skip("the wasm backend did not load");
      const ref = await onBackend("cpu", () => convGrads(c));
      const got = await onBackend("wasm", () => convGrads(c));
      assertClose(got.dx, ref.dx, "dx");
      assertClose(got.df, ref.df, "dW");
    });
  }

  it("does not leak tensors", async (t) => {
    if (!haveWasm) return t.skip("the wasm backend did not load");
    await onBackend("wasm", () => convGrads(CASES[1]));
    const before = tf.memory().numTensors;
    await onBackend("wasm", () => convGrads(CASES[1]));
    assert.equal(tf.memory().numTensors, before);
  });
});
