import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { createEncoder } from "../../src/models/encoder";
import { createHead } from "../../src/models/head";
import { contrastiveLoss } from "../../src/loss/contrastive";
import { createOptimizer } from "../../src/optim/optimizer";

/** Three LARS steps of SimCLR on fixed views; returns every variable's values after them. */
function train(seed: number, x: tf.Tensor4D): Float32Array[] {
  const encoder = createEncoder({ arch: "convnet", widthMultiplier: 0.25 }, seed);
  const head = createHead(encoder.featureDim, { outDim: 16 }, seed + 1);
  const params = [...encoder.params, ...head.params];
  const opt = createOptimizer({ kind: "lars" }, params);
  const trainable = params.filter((p) => p.trainable).map((p) => p.variable);
  const counts: number[] = [];
  for (let step = 0; step < 3; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const [z1, z2] = tf.split(head.apply(encoder.apply(x, true), true), 2, 0) as [
        tf.Tensor2D,
        tf.Tensor2D,
      ];
      return contrastiveLoss(z1, z2, {}).loss;
    }, trainable);
    opt.applyGradients(grads, 0.5);
    tf.dispose([value, grads]);
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[2], counts[1], "a full SimCLR step must not leave tensors behind");
  const out = [...params, ...opt.slots].map((p) => Float32Array.from(p.variable.dataSync()));
  encoder.dispose();
  head.dispose();
  opt.dispose();
  return out;
}

test("two training runs from the same seed give bit-identical weights, BN statistics and momenta, without leaking tensors", () => {
  const x = tf.randomUniform([16, 12, 12, 3], 0, 1, "float32", 9) as tf.Tensor4D;
  const a = train(5, x);
  const b = train(5, x);
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.deepEqual(v, b[i], `variable ${i}`));
  const c = train(6, x);
  assert.notDeepEqual(a[0], c[0]);
  x.dispose();
});
