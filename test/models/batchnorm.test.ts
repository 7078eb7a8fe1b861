import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { batchNorm, nativeBackend, type BatchNormVars } from "../../src/models/batchnorm";

function vars(c: number): BatchNormVars {
  return {
    gamma: tf.variable(tf.linspace(0.5, 1.5, c)),
    beta: tf.variable(tf.linspace(-0.2, 0.3, c)),
    movingMean: tf.variable(tf.zeros([c]), false),
    movingVariance: tf.variable(tf.ones([c]), false),
  };
}

/** y = relu((x - mean) / sqrt(var + eps) * gamma + beta + r), written with plain tfjs ops. */
function direct(x: tf.Tensor4D, v: BatchNormVars, r: tf.Tensor4D): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.relu(tf.add(tf.add(tf.mul(xhat, v.gamma as tf.Tensor), v.beta as tf.Tensor), r));
}

test("training-mode batch norm (+ residual + ReLU) matches the formula in value and gradient, native and tfjs", () => {
  assert.ok(nativeBackend(), "tfjs-node should expose the native backend");
  const x = tf.randomNormal([4, 3, 3, 5], 1, 2, "float32", 1) as tf.Tensor4D;
  const r = tf.randomNormal([4, 3, 3, 5], 0, 1, "float32", 2) as tf.Tensor4D;
  const w = tf.randomNormal([4, 3, 3, 5], 0, 1, "float32", 3); // random upstream gradient
  const v = vars(5);
  const loss =
    (f: (a: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor, rr: tf.Tensor4D) => tf.Tensor) =>
    (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor, rr: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor4D, g, b, rr as tf.Tensor4D), w));
  const ref = tf.grads(
    loss((a, g, b, rr) => direct(a, { ...v, gamma: g as tf.Variable, beta: b as tf.Variable }, rr)),
  );
  const want = ref([x, v.gamma as tf.Tensor, v.beta as tf.Tensor, r]).map((t) => t.arraySync());
  for (const impl of ["auto", "tfjs"] as const) {
    const bnVars = {
      ...v,
      movingMean: tf.variable(tf.zeros([5]), false),
      movingVariance: tf.variable(tf.ones([5]), false),
    };
    const f = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor, rr: tf.Tensor) =>
      tf.sum(
        tf.mul(
          batchNorm(
            a as tf.Tensor4D,
            { ...bnVars, gamma: g as tf.Variable, beta: b as tf.Variable },
            { training: true, relu: true, residual: rr as tf.Tensor4D, impl },
          ),
          w,
        ),
      ),
    );
    const got = f([x, v.gamma as tf.Tensor, v.beta as tf.Tensor, r]);
    got.forEach((g, i) => {
      const a = g.dataSync();
      const b = tf.tensor(want[i] as number[]).dataSync();
      a.forEach((val, j) =>
        assert.ok(
          Math.abs(val - b[j]) < 1e-4 * Math.max(1, Math.abs(b[j])),
          `${impl} grad ${i}[${j}]: ${val} vs ${b[j]}`,
        ),
      );
    });
    const y = batchNorm(x, bnVars, { training: true, relu: true, residual: r, impl }).dataSync();
    const yRef = direct(x, v, r).dataSync();
    y.forEach((val, j) => assert.ok(Math.abs(val - yRef[j]) < 1e-4, `${impl} y[${j}]`));
    // moving variance from the unbiased batch variance (n = 36)
    const { variance } = tf.moments(x, [0, 1, 2]);
    const mv = bnVars.movingVariance.dataSync();
    variance.dataSync().forEach((s, j) => {
      const once = 0.9 + 0.1 * s * (36 / 35);
      const twice = 0.9 * once + 0.1 * s * (36 / 35);
      assert.ok(Math.abs(mv[j] - twice) < 1e-4, `${impl} moving variance ${mv[j]} vs ${twice}`);
    });
  }
});

test("a ResNet's loss and gradients agree on the native tensorflow and the pure-JS cpu backends", async () => {
  const { createEncoder } = await import("../../src/models/encoder");
  const enc = createEncoder({ arch: "resnet18", widthMultiplier: 0.125 }, 4);
  const xs = tf.randomUniform([6, 8, 8, 3], 0, 1, "float32", 6).dataSync();
  const run = (): { loss: number; grads: Float32Array[] } => {
    const x = tf.tensor4d(xs, [6, 8, 8, 3]);
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(enc.apply(x, true))) as tf.Scalar,
      enc.trainableVariables,
    );
    const out = {
      loss: value.dataSync()[0],
      grads: enc.trainableVariables.map((v) => Float32Array.from(grads[v.name].dataSync())),
    };
    tf.dispose([x, value, grads]);
    return out;
  };
  const native = run();
  await initBackend({ prefer: "cpu", quiet: true }); // (without the tfjs banner, src/backend)
  try {
    const cpu = run();
    assert.ok(
      Math.abs(native.loss - cpu.loss) < 1e-4 * Math.abs(cpu.loss),
      `${native.loss} vs ${cpu.loss}`,
    );
    native.grads.forEach((g, i) => {
      const ref = cpu.grads[i];
      const scale = Math.max(...Array.from(ref, Math.abs), 1e-6);
      g.forEach((v, j) =>
        assert.ok(Math.abs(v - ref[j]) < 1e-3 * scale, `var ${i}[${j}]: ${v} vs ${ref[j]}`),
      );
    });
  } finally {
    await tf.setBackend("tensorflow");
    enc.dispose();
  }
});
