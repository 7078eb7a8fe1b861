/**
 * Pooling gradients on every backend present against a direct loop over the windows: max pooling
 * routes each output's gradient to the first maximum of its window (row-major), average pooling
 * divides by the in-bounds cells of the window (TensorFlow's rule, and what tfjs's forward pass
 * computes). Inputs are ReLU-like (many exact zeros), so max-pooling ties are exercised.
 */
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { availableBackends, type BackendName } from "../../src/backend";
import { assertClose, onBackend, randomArray } from "./support";

interface PoolCase {
  shape: [number, number, number, number];
  k: number;
  s: number;
  pad: "same" | "valid";
}

const CASES: PoolCase[] = [
  { shape: [2, 9, 9, 3], k: 3, s: 2, pad: "same" },
  { shape: [2, 8, 8, 3], k: 3, s: 2, pad: "same" },
  { shape: [1, 8, 6, 2], k: 2, s: 2, pad: "valid" },
  { shape: [2, 7, 7, 2], k: 3, s: 1, pad: "same" },
];

/** ReLU-like values: about half exact zeros. */
function input(c: PoolCase): Float32Array {
  return randomArray(
    c.shape.reduce((a, b) => a * b, 1),
    61,
  ).map((v) => Math.max(0, v));
}

/** d/dx of sum(weights * pool(x)) by direct loops. */
function reference(c: PoolCase, x: Float32Array, kind: "max" | "avg"): Float32Array {
  const [n, h, w, ch] = c.shape;
  const oh = c.pad === "same" ? Math.ceil(h / c.s) : Math.floor((h - c.k) / c.s) + 1;
  const ow = c.pad === "same" ? Math.ceil(w / c.s) : Math.floor((w - c.k) / c.s) + 1;
  const top = c.pad === "same" ? Math.floor(Math.max((oh - 1) * c.s + c.k - h, 0) / 2) : 0;
  const left = c.pad === "same" ? Math.floor(Math.max((ow - 1) * c.s + c.k - w, 0) / 2) : 0;
  const at = (b: number, y: number, xx: number, k: number) => ((b * h + y) * w + xx) * ch + k;
  const g = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < ch; k++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const weight = 1 + 0.1 * (((oy * ow + ox) * ch + k) % 7); // d loss / d output
          const cells: number[] = [];
          for (let dy = 0; dy < c.k; dy++) {
            for (let dx = 0; dx < c.k; dx++) {
              const y = oy * c.s + dy - top;
              const xx = ox * c.s + dx - left;
              if (y >= 0 && xx >= 0 && y < h && xx < w) cells.push(at(b, y, xx, k));
            }
          }
          if (kind === "avg") for (const i of cells) g[i] += weight / cells.length;
          else g[cells.reduce((best, i) => (x[i] > x[best] ? i : best), cells[0])] += weight;
        }
      }
    }
  }
  return g;
}

function backendGrad(c: PoolCase, x: Float32Array, kind: "max" | "avg"): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.shape);
    const pool = (a: tf.Tensor) =>
      kind === "max"
        ? tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad)
        : tf.avgPool(a as tf.Tensor4D, c.k, c.s, c.pad);
    const out = pool(xt);
    const [, oh, ow, ch] = out.shape;
    const wts = Float32Array.from({ length: oh * ow * ch }, (_, i) => 1 + 0.1 * (i % 7));
    const weights = tf.tensor4d(wts, [1, oh, ow, ch]);
    return tf
      .grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), weights)))(xt)
      .dataSync() as Float32Array;
  });
}

describe("pooling gradients against direct loops", () => {
  let present: BackendName[] = [];
  before(async () => {
    present = (await availableBackends()).available.map((b) => b.backend);
  });
  for (const backend of ["tensorflow", "wasm", "cpu"] as const) {
    for (const kind of ["max", "avg"] as const) {
      it(`${backend}: ${kind} pooling gradients are exact`, async (t) => {
        if (!present.includes(backend)) return t.skip(`${backend} is not available here`);
        for (const c of CASES) {
          if (backend === "cpu" && kind === "avg" && c.pad === "same") {
            t.diagnostic(
              "skipped same-padded avg pooling on cpu: tfjs-backend-cpu 4.22's AvgPoolGrad divides by the full window",
            );
            continue;
          }
          const x = input(c);
          const got = await onBackend(backend, () => backendGrad(c, x, kind));
          assertClose(
            got,
            reference(c, x, kind),
            `${backend} ${kind}Pool k${c.k} s${c.s} ${c.pad} ${c.shape.join("x")}`,
          );
        }
      });
    }
  }
});
