import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { createOptimizer, type OptimizerOptions } from "../../src/optim/optimizer";
import type { NamedVariable, ParamRole } from "../../src/models/params";

function param(name: string, role: ParamRole, values: number[]): NamedVariable {
  return { name, role, variable: tf.variable(tf.tensor1d(values), true), trainable: true };
}

function close(got: ArrayLike<number>, want: number[], tol = 1e-6): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    assert.ok(
      Math.abs(got[i] - want[i]) < tol * Math.max(1, Math.abs(want[i])),
      `[${i}] ${got[i]} vs ${want[i]}`,
    );
  }
}

const norm = (a: number[]): number => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

test("LARS takes two hand-computed steps, leaving BN and bias out of decay and trust ratio", () => {
  const w = param("w/kernel", "kernel", [3, -4]);
  const b = param("w/bias", "bias", [1, 2]);
  const gm = param("bn/gamma", "gamma", [1, 1]);
  const opts: Partial<OptimizerOptions> = {
    kind: "lars",
    weightDecay: 0.1,
    momentum: 0.9,
    trustCoefficient: 0.001,
  };
  const opt = createOptimizer(opts, [w, b, gm]);
  const gW = [0.5, 0.25];
  const gB = [0.1, -0.2];
  const gG = [0.3, 0.4];
  const grads = {
    [w.variable.name]: tf.tensor1d(gW),
    [b.variable.name]: tf.tensor1d(gB),
    [gm.variable.name]: tf.tensor1d(gG),
  };
  // by hand: kernel g' = g + wd w; r = eta |w| / |g'|; v = m v + lr r g'; w -= v. Excluded: v = m v + lr g; p -= v.
  let wv = [3, -4];
  let vW = [0, 0];
  let bv = [1, 2];
  let vB = [0, 0];
  let gv = [1, 1];
  let vG = [0, 0];
  for (const lr of [0.5, 0.25]) {
    opt.applyGradients(grads, lr);
    const gp = gW.map((g, i) => g + 0.1 * wv[i]);
    const r = (0.001 * norm(wv)) / norm(gp);
    vW = vW.map((v, i) => 0.9 * v + lr * r * gp[i]);
    wv = wv.map((x, i) => x - vW[i]);
    vB = vB.map((v, i) => 0.9 * v + lr * gB[i]);
    bv = bv.map((x, i) => x - vB[i]);
    vG = vG.map((v, i) => 0.9 * v + lr * gG[i]);
    gv = gv.map((x, i) => x - vG[i]);
    close(w.variable.dataSync(), wv);
    close(b.variable.dataSync(), bv);
    close(gm.variable.dataSync(), gv);
  }
  assert.equal(opt.iterations, 2);
  tf.dispose(Object.values(grads));
  opt.dispose();
  [w, b, gm].forEach((p) => p.variable.dispose());
});

test("LARS uses trust ratio 1 for a zero weight", () => {
  const w = param("k/kernel", "kernel", [0, 0]);
  const opt = createOptimizer({ kind: "lars", weightDecay: 0, momentum: 0.9 }, [w]);
  const g = tf.tensor1d([1, 2]);
  opt.applyGradients({ [w.variable.name]: g }, 0.1);
  close(w.variable.dataSync(), [-0.1, -0.2]);
  tf.dispose(g);
  opt.dispose();
  w.variable.dispose();
});

test("SGD, Nesterov and Adam take two hand-computed steps", () => {
  const g0 = [0.5, -1];
  const lr = 0.1;
  const m = 0.9;
  const wd = 0.01;
  for (const kind of ["sgd", "nesterov", "adam"] as const) {
    const w = param("k/kernel", "kernel", [1, 2]);
    const bias = param("k/bias", "bias", [1, 2]);
    const opt = createOptimizer({ kind, momentum: m, weightDecay: wd }, [w, bias]);
    const grads = { [w.variable.name]: tf.tensor1d(g0), [bias.variable.name]: tf.tensor1d(g0) };
    const run = (start: number[], decay: number): number[] => {
      let x = start.slice();
      let v = [0, 0];
      let s = [0, 0];
      for (let t = 1; t <= 2; t++) {
        const g = g0.map((gi, i) => gi + decay * x[i]);
        if (kind === "adam") {
          v = v.map((vi, i) => 0.9 * vi + 0.1 * g[i]);
          s = s.map((si, i) => 0.999 * si + 0.001 * g[i] * g[i]);
          const a = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
          x = x.map((xi, i) => xi - (a * v[i]) / (Math.sqrt(s[i]) + 1e-8));
        } else {
          v = v.map((vi, i) => m * vi + g[i]);
          x = x.map((xi, i) => xi - lr * (kind === "nesterov" ? g[i] + m * v[i] : v[i]));
        }
      }
      return x;
    };
    opt.applyGradients(grads, lr);
    opt.applyGradients(grads, lr);
    close(w.variable.dataSync(), run([1, 2], wd), 1e-5);
    close(bias.variable.dataSync(), run([1, 2], 0), 1e-5);
    tf.dispose(Object.values(grads));
    opt.dispose();
    [w, bias].forEach((p) => p.variable.dispose());
  }
});

test("restoring the optimizer state reproduces the same later steps", () => {
  for (const kind of ["lars", "sgd", "nesterov", "adam"] as const) {
    const make = (): NamedVariable => param("k/kernel", "kernel", [1, -2, 3]);
    const g = tf.tensor1d([0.3, 0.1, -0.2]);
    const a = make();
    const optA = createOptimizer({ kind }, [a]);
    for (let i = 0; i < 3; i++) optA.applyGradients({ [a.variable.name]: g }, 0.1);
    const state = optA.getState();
    const weights = a.variable.dataSync().slice();
    for (let i = 0; i < 2; i++) optA.applyGradients({ [a.variable.name]: g }, 0.1);

    const b = make();
    b.variable.assign(tf.tensor1d(weights));
    const optB = createOptimizer({ kind }, [b]);
    optB.setState(state);
    assert.equal(optB.iterations, 3);
    for (let i = 0; i < 2; i++) optB.applyGradients({ [b.variable.name]: g }, 0.1);
    assert.deepEqual(Array.from(b.variable.dataSync()), Array.from(a.variable.dataSync()), kind);
    assert.throws(
      () => optB.setState({ step: new Float32Array([0]) }),
      /no entry "k\/kernel\/(momentum|m)"/,
    );
    tf.dispose(g);
    optA.dispose();
    optB.dispose();
    a.variable.dispose();
    b.variable.dispose();
  }
});

test("optimizer steps do not leak tensors", () => {
  const w = param("k/kernel", "kernel", [1, 2, 3]);
  const gm = param("bn/gamma", "gamma", [1, 2, 3]);
  for (const kind of ["lars", "sgd", "nesterov", "adam"] as const) {
    const opt = createOptimizer({ kind }, [w, gm]);
    const grads = {
      [w.variable.name]: tf.tensor1d([1, 1, 1]),
      [gm.variable.name]: tf.tensor1d([1, 0, 1]),
    };
    opt.applyGradients(grads, 0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.applyGradients(grads, 0.1);
    assert.equal(tf.memory().numTensors, before, kind);
    tf.dispose(Object.values(grads));
    opt.dispose();
  }
  w.variable.dispose();
  gm.variable.dispose();
});
