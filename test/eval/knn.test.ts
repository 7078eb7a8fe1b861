import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { knnEval } from "../../src/eval/knn";
import type { FeatureSet } from "../../src/eval/features";
import { createRng, type Rng } from "../../src/util/random";

function randomSet(n: number, dim: number, classes: number, rng: Rng): FeatureSet {
  const data = Float32Array.from({ length: n * dim }, () => rng.normal());
  const labels = Int16Array.from({ length: n }, () => rng.int(classes));
  return { n, dim, data, labels };
}

/** Loop-by-loop weighted kNN: cosine similarity, top-k, votes exp(sim / T). */
function slowKnn(
  train: FeatureSet,
  test: FeatureSet,
  k: number,
  t: number,
  classes: number,
): number {
  const unit = (f: FeatureSet, i: number): number[] => {
    const v = Array.from(f.data.subarray(i * f.dim, (i + 1) * f.dim));
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / n);
  };
  const bank = Array.from({ length: train.n }, (_, i) => unit(train, i));
  let ok = 0;
  for (let i = 0; i < test.n; i++) {
    const q = unit(test, i);
    const sims = bank.map((b, j) => ({ s: b.reduce((a, x, d) => a + x * q[d], 0), j }));
    sims.sort((a, b) => b.s - a.s);
    const votes = new Array<number>(classes).fill(0);
    for (const { s, j } of sims.slice(0, k)) votes[train.labels[j]] += Math.exp(s / t);
    const pred = votes.indexOf(Math.max(...votes));
    if (pred === test.labels[i]) ok++;
  }
  return ok / test.n;
}

test("weighted kNN matches a loop-by-loop transcription for several k and temperatures", () => {
  const rng = createRng(3);
  const train = randomSet(300, 8, 4, rng);
  const query = randomSet(120, 8, 4, rng);
  for (const [k, t] of [
    [1, 0.1],
    [7, 0.5],
    [50, 0.07],
    [200, 1],
  ]) {
    const fast = knnEval(train, query, { k, temperature: t, classes: 4, chunk: 50 });
    assert.equal(fast, slowKnn(train, query, k, t, 4), `k=${k} T=${t}`);
  }
});

test("kNN finds the class of clustered features and does not leak tensors", () => {
  const rng = createRng(4);
  const make = (n: number): FeatureSet => {
    const s = randomSet(n, 16, 3, rng);
    for (let i = 0; i < n; i++) s.data[i * 16 + s.labels[i]] += 6;
    return s;
  };
  const train = make(400);
  const query = make(100);
  const before = tf.memory().numTensors;
  assert.ok(knnEval(train, query, { k: 20 }) > 0.95);
  assert.equal(tf.memory().numTensors, before);
});
