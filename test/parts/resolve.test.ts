/**
 * src/parts/resolve.ts: a built-in name resolves to the leaf's own function, so training through
 * the resolver gives the same bits as the direct call (issue 23's numerics guard on any CPU);
 * plugin names resolve to the plugin's part, unknown names throw listing both.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { contrastiveLoss } from "../../src/loss/contrastive";
import { createEncoder } from "../../src/models/encoder";
import { createHead } from "../../src/models/head";
import { createEncoderPart, createHeadPart, resolveLoss } from "../../src/parts/resolve";

test("a built-in loss resolves to contrastiveLoss with its options bound: the same bits for every kind", () => {
  const z1 = tf.randomNormal([6, 8], 0, 1, "float32", 1) as tf.Tensor2D;
  const z2 = tf.randomNormal([6, 8], 0, 1, "float32", 2) as tf.Tensor2D;
  for (const kind of ["ntxent", "ntlogistic", "margin"] as const) {
    const a = resolveLoss({ kind, temperature: 0.2 })(z1, z2);
    const b = contrastiveLoss(z1, z2, { kind, temperature: 0.2 });
    assert.deepEqual(Array.from(a.loss.dataSync()), Array.from(b.loss.dataSync()), kind);
    tf.dispose([a.loss, a.logits, a.labels, b.loss, b.logits, b.labels]);
  }
  tf.dispose([z1, z2]);
});

test("built-in encoders and heads resolve to the leaves' constructors: the same weights and outputs", () => {
  const opts = { arch: "convnet" as const, widthMultiplier: 0.25 };
  const [e1, e2] = [createEncoderPart(opts, 3), createEncoder(opts, 3)];
  const [h1, h2] = [
    createHeadPart(e1.featureDim, { outDim: 8 }, 4),
    createHead(e2.featureDim, { outDim: 8 }, 4),
  ];
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const [z1, z2] = [h1.apply(e1.apply(x, true), true), h2.apply(e2.apply(x, true), true)];
  assert.deepEqual(Array.from(z1.dataSync()), Array.from(z2.dataSync()));
  tf.dispose([x, z1, z2]);
  [e1, e2, h1, h2].forEach((m) => m.dispose());
});

test("an unknown name throws listing the built-ins and how to add one", () => {
  assert.throws(
    () => resolveLoss({ kind: "nope" }),
    /unknown loss kind "nope"; expected ntxent, ntlogistic, margin.*plugins/,
  );
  assert.throws(() => resolveLoss({ temperature: 0 }), /loss temperature must be > 0, got 0/);
  assert.throws(
    () => createHeadPart(4, { kind: "nohead" as never }, 0),
    /unknown head kind "nohead"; expected none, linear, nonlinear/,
  );
  assert.throws(
    () => createEncoderPart({ arch: "noenc" as never }, 0),
    /unknown encoder arch "noenc"; expected convnet/,
  );
});
