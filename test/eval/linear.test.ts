import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { linearEval } from "../../src/eval/linear";
import type { FeatureSet } from "../../src/eval/features";
import { createRng, type Rng } from "../../src/util/random";

/** Gaussian blobs: class c has mean `sep` along a random direction per class. */
function blobs(
  n: number,
  dim: number,
  classes: number,
  sep: number,
  rng: Rng,
  labelsFrom?: Rng,
): FeatureSet {
  const dirs = Array.from({ length: classes }, (_, c) =>
    Float32Array.from({ length: dim }, (_, j) => (j === c ? sep : 0)),
  );
  const data = new Float32Array(n * dim);
  const labels = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(classes);
    labels[i] = labelsFrom ? labelsFrom.int(classes) : c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = dirs[c][j] + rng.normal() + 5; // offset: standardisation matters
  }
  return { n, dim, data, labels };
}

test("linear evaluation separates well-separated classes on held-out features", () => {
  const rng = createRng(1);
  const r = linearEval(blobs(2000, 20, 5, 4, rng), blobs(500, 20, 5, 4, rng), {
    epochs: 30,
    batchSize: 256,
    learningRate: 0.01,
  });
  assert.ok(r.testAccuracy > 0.95, `test accuracy ${r.testAccuracy}`);
  assert.ok(r.trainAccuracy > 0.95);
  assert.ok(r.trainLoss < 0.3, `loss ${r.trainLoss}`);
});

test("linear evaluation stays at chance on labels unrelated to the features", () => {
  const rng = createRng(2);
  const noise = createRng(9);
  const r = linearEval(blobs(2000, 20, 5, 4, rng, noise), blobs(1000, 20, 5, 4, rng, noise), {
    epochs: 20,
  });
  assert.ok(r.testAccuracy < 0.3 && r.testAccuracy > 0.1, `test accuracy ${r.testAccuracy}`);
});

test("linear evaluation ignores unlabelled images and does not leak tensors", () => {
  const rng = createRng(5);
  const train = blobs(600, 10, 3, 4, rng);
  const test = blobs(200, 10, 3, 4, rng);
  train.labels[0] = -1;
  test.labels[0] = -1;
  const before = tf.memory().numTensors;
  const r = linearEval(train, test, { epochs: 10, batchSize: 100, learningRate: 0.01 });
  assert.ok(r.testAccuracy > 0.9);
  assert.equal(tf.memory().numTensors, before);
});

test("with a hidden layer the classifier learns a task no linear classifier can (XOR of two features)", () => {
  const rng = createRng(3);
  const xor = (n: number): FeatureSet => {
    const data = new Float32Array(n * 2);
    const labels = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.int(2);
      const b = rng.int(2);
      data[2 * i] = (a ? 1 : -1) + 0.2 * rng.normal();
      data[2 * i + 1] = (b ? 1 : -1) + 0.2 * rng.normal();
      labels[i] = a ^ b;
    }
    return { n, dim: 2, data, labels };
  };
  const train = xor(1000);
  const test = xor(500);
  const opts = { epochs: 60, batchSize: 100, learningRate: 0.01, seed: 1 };
  const before = tf.memory().numTensors;
  const linear = linearEval(train, test, opts);
  const mlp = linearEval(train, test, { ...opts, hidden: 32 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(linear.testAccuracy < 0.7, `linear ${linear.testAccuracy}`);
  assert.ok(mlp.testAccuracy > 0.95, `mlp ${mlp.testAccuracy}`);
});
