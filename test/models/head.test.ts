import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { createHead } from "../../src/models/head";

test("head kinds have the official layout: dense + BN per layer, no bias/offset/ReLU on the last", () => {
  const none = createHead(64, { kind: "none" }, 1);
  assert.equal(none.outDim, 64);
  assert.equal(none.params.length, 0);
  const linear = createHead(64, { kind: "linear", outDim: 32 }, 1);
  assert.deepEqual(
    linear.params.map((p) => p.name),
    [
      "head/out0/kernel",
      "head/out0/bn/gamma",
      "head/out0/bn/movingMean",
      "head/out0/bn/movingVariance",
    ],
  );
  assert.equal(linear.paramCount(), 64 * 32 + 32);
  const mlp = createHead(64, { kind: "nonlinear", layers: 3, outDim: 16 }, 1);
  // hidden width defaults to the input width: 64x64 (+gamma, beta), 64x64 (+gamma, beta), 64x16 (+gamma)
  assert.equal(mlp.paramCount(), 64 * 64 + 128 + 64 * 64 + 128 + 64 * 16 + 16);
  assert.equal(mlp.forwardFlops(), 2 * (64 * 64 * 2 + 64 * 16));
  const noBn = createHead(
    64,
    { kind: "nonlinear", layers: 2, hiddenDim: 100, outDim: 8, batchNorm: false },
    1,
  );
  assert.deepEqual(
    noBn.params.map((p) => p.name),
    ["head/hidden0/kernel", "head/hidden0/bias", "head/out1/kernel"],
  );
  [none, linear, mlp, noBn].forEach((h) => h.dispose());
});

test("heads map [N, inDim] to [N, outDim] with gradients for every trainable variable", () => {
  const h = tf.randomNormal([6, 20], 0, 1, "float32", 1) as tf.Tensor2D;
  for (const opts of [
    { kind: "none" },
    { kind: "linear" },
    { kind: "nonlinear" },
    { kind: "nonlinear", batchNorm: false, layers: 3 },
  ] as const) {
    const head = createHead(20, { ...opts, outDim: 12 }, 2);
    const z = tf.tidy(() => head.apply(h, true));
    assert.deepEqual(z.shape, [6, opts.kind === "none" ? 20 : 12]);
    const all = head.applyAll(h, false);
    assert.equal(all.length, head.params.filter((p) => p.role === "kernel").length + 1);
    assert.deepEqual(all[all.length - 1].shape, z.shape);
    if (head.trainableVariables.length) {
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(head.apply(h, true))) as tf.Scalar,
        head.trainableVariables,
      );
      assert.equal(Object.keys(grads).length, head.trainableVariables.length);
      tf.dispose(grads);
    }
    tf.dispose([z, ...all]);
    head.dispose();
  }
  h.dispose();
});

test("a BN head in training mode outputs per-feature batch-normalised z", () => {
  const head = createHead(10, { kind: "linear", outDim: 4 }, 3);
  const z = tf.tidy(() =>
    head.apply(tf.randomNormal([32, 10], 3, 2, "float32", 4) as tf.Tensor2D, true),
  );
  const { mean, variance } = tf.moments(z, 0);
  mean.dataSync().forEach((m) => assert.ok(Math.abs(m) < 1e-4));
  variance.dataSync().forEach((v) => assert.ok(Math.abs(v - 1) < 1e-2));
  tf.dispose([z, mean, variance]);
  head.dispose();
});

test("invalid head options fail with a message naming the field", () => {
  assert.throws(() => createHead(8, { outDim: 0 }, 1), /outDim must be >= 1/);
  assert.throws(() => createHead(8, { kind: "nonlinear", layers: 0 }, 1), /layers >= 1/);
  assert.throws(() => createHead(8, { kind: "mlp" as "linear" }, 1), /unknown head kind "mlp"/);
});
