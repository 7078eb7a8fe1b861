import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import {
  contrastiveLoss,
  contrastiveMetrics,
  type ContrastiveLossOptions,
} from "../../src/loss/contrastive";
import { contrastivePairs, semiHardNegative } from "../../src/loss/pairs";
import { createRng } from "../../src/util/random";

type Rows = number[][];

function randomRows(n: number, d: number, seed: number): Rows {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
}

const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
const unit = (a: number[]): number[] => {
  const n = Math.sqrt(Math.max(dot(a, a), 1e-12));
  return a.map((x) => x / n);
};
const logSigmoid = (x: number): number => -Math.log1p(Math.exp(-x));

/**
 * Loop-by-loop transcription of SimCLR Algorithm 1 and Table 2, in float64: anchors k = 0..2N-1
 * of [z1; z2], positive of k is k +- N, every other j != k is a negative.
 */
function slowLoss(z1: Rows, z2: Rows, o: ContrastiveLossOptions): number {
  const n = z1.length;
  let z = [...z1, ...z2];
  if (o.l2Normalize) z = z.map(unit);
  const sim = (a: number, b: number): number => dot(z[a], z[b]);
  const tau = o.temperature;
  let total = 0;
  for (let k = 0; k < 2 * n; k++) {
    const p = k < n ? k + n : k - n;
    const negs: number[] = [];
    for (let j = 0; j < 2 * n; j++) if (j !== k && j !== p) negs.push(j);
    const sp = sim(k, p);
    if (o.kind === "ntxent") {
      let denom = 0;
      for (let j = 0; j < 2 * n; j++) if (j !== k) denom += Math.exp(sim(k, j) / tau);
      total += -Math.log(Math.exp(sp / tau) / denom);
      continue;
    }
    let chosen = negs;
    if (o.semiHard) {
      const below = negs.filter((j) => sim(k, j) < sp);
      const pool = below.length ? below : negs;
      const pick = below.length
        ? pool.reduce((a, b) => (sim(k, b) > sim(k, a) ? b : a))
        : pool.reduce((a, b) => (sim(k, b) < sim(k, a) ? b : a));
      chosen = [pick];
    }
    let negTerm = 0;
    for (const j of chosen) {
      negTerm +=
        o.kind === "ntlogistic"
          ? -logSigmoid(-sim(k, j) / tau)
          : Math.max(sim(k, j) - sp + o.margin, 0);
    }
    negTerm /= chosen.length;
    total += (o.kind === "ntlogistic" ? -logSigmoid(sp / tau) : 0) + negTerm;
  }
  return total / (2 * n);
}

function tfLoss(z1: Rows, z2: Rows, o: Partial<ContrastiveLossOptions>): number {
  return tf.tidy(() => {
    const out = contrastiveLoss(tf.tensor2d(z1), tf.tensor2d(z2), o);
    return out.loss.dataSync()[0];
  });
}

const KINDS: Partial<ContrastiveLossOptions>[] = [
  { kind: "ntxent", temperature: 0.5, l2Normalize: true },
  { kind: "ntxent", temperature: 0.1, l2Normalize: true },
  { kind: "ntxent", temperature: 1.0, l2Normalize: false },
  { kind: "ntlogistic", temperature: 0.5, l2Normalize: true, semiHard: false },
  { kind: "ntlogistic", temperature: 0.2, l2Normalize: true, semiHard: true },
  { kind: "ntlogistic", temperature: 2.0, l2Normalize: false, semiHard: true },
  { kind: "margin", margin: 0.5, l2Normalize: true, semiHard: false },
  { kind: "margin", margin: 1.0, l2Normalize: true, semiHard: true },
  { kind: "margin", margin: 0.3, l2Normalize: false, semiHard: false },
];
const full = (o: Partial<ContrastiveLossOptions>): ContrastiveLossOptions => ({
  kind: "ntxent",
  temperature: 0.5,
  l2Normalize: true,
  semiHard: false,
  margin: 0.5,
  ...o,
});

test("every loss matches a loop-by-loop transcription of the paper's formulas", () => {
  for (const o of KINDS) {
    for (const [n, d, seed] of [
      [2, 3, 1],
      [5, 4, 2],
      [8, 16, 3],
    ]) {
      const z1 = randomRows(n, d, seed);
      const z2 = randomRows(n, d, seed + 100);
      const want = slowLoss(z1, z2, full(o));
      const got = tfLoss(z1, z2, o);
      assert.ok(
        Math.abs(got - want) < 1e-4 * Math.max(1, Math.abs(want)),
        `${JSON.stringify(o)} n=${n}: ${got} vs ${want}`,
      );
    }
  }
});

test("NT-Xent of all-equal embeddings is exactly log(2N - 1)", () => {
  for (const n of [2, 4, 32]) {
    const row = [0.3, -1.2, 2.0];
    const z = Array.from({ length: n }, () => row);
    for (const tau of [0.1, 0.5, 1]) {
      const got = tfLoss(z, z, { kind: "ntxent", temperature: tau });
      assert.ok(Math.abs(got - Math.log(2 * n - 1)) < 1e-5, `n=${n} tau=${tau}: ${got}`);
    }
  }
});

test("loss gradients match central finite differences of the float64 transcription", () => {
  const n = 3;
  const d = 4;
  const z1 = randomRows(n, d, 7);
  const z2 = randomRows(n, d, 8);
  for (const o of KINDS) {
    const opts = full(o);
    const [g1] = tf.tidy(() => {
      const g = tf.grads(
        (a: tf.Tensor, b: tf.Tensor) =>
          contrastiveLoss(a as tf.Tensor2D, b as tf.Tensor2D, opts).loss,
      )([tf.tensor2d(z1), tf.tensor2d(z2)]);
      return [g[0].arraySync() as Rows];
    });
    const eps = 1e-5;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const plus = z1.map((r) => r.slice());
        const minus = z1.map((r) => r.slice());
        plus[i][j] += eps;
        minus[i][j] -= eps;
        const fd = (slowLoss(plus, z2, opts) - slowLoss(minus, z2, opts)) / (2 * eps);
        assert.ok(
          Math.abs(g1[i][j] - fd) < 2e-3 * Math.max(1, Math.abs(fd)),
          `${JSON.stringify(o)} [${i},${j}]: ${g1[i][j]} vs ${fd}`,
        );
      }
    }
  }
});

test("semi-hard mining picks the most similar negative below the positive, else the least similar", () => {
  // Unit vectors at chosen angles so that anchor 0's similarities are known: with z = [z1; z2],
  // anchor 0 = e(0deg), positive 3 = e(60deg) (sim 0.5), negatives at 20deg (0.94, harder than
  // the positive), 75deg (0.26), 100deg (-0.17), 120deg (-0.5).
  const e = (deg: number): number[] => [
    Math.cos((deg * Math.PI) / 180),
    Math.sin((deg * Math.PI) / 180),
  ];
  const z1 = [e(0), e(20), e(75)];
  const z2 = [e(60), e(100), e(120)];
  const sims = tf.tidy(() => {
    const pairs = contrastivePairs(tf.tensor2d(z1), tf.tensor2d(z2), true);
    return semiHardNegative(pairs).arraySync() as number[];
  });
  const cos = (a: number, b: number): number => Math.cos(((a - b) * Math.PI) / 180);
  // anchor 0 (0deg, positive 60deg): negatives below 0.5 are 75, 100, 120 -> hardest is 75deg
  assert.ok(Math.abs(sims[0] - cos(0, 75)) < 1e-5, `anchor 0 picked ${sims[0]}`);
  // anchor 1 (20deg, positive 100deg, sim cos 80 = 0.17): negatives 0 (0.94), 75 (0.57), 60 (0.77), 120 (-0.17)
  // -> only 120deg is below the positive
  assert.ok(Math.abs(sims[1] - cos(20, 120)) < 1e-5, `anchor 1 picked ${sims[1]}`);
  // anchor 2 (75deg, positive 120deg, sim cos 45 = 0.71): negatives 0 (0.26), 20 (0.57), 60 (0.97), 100 (0.91)
  // -> below: 0deg and 20deg, hardest is 20deg
  assert.ok(Math.abs(sims[2] - cos(75, 20)) < 1e-5, `anchor 2 picked ${sims[2]}`);
  // anchor 3 (60deg, positive 0deg, sim 0.5): negatives 20 (0.77), 75 (0.97), 100 (0.77), 120 (0.5 -> not below)
  // -> none strictly below: least similar negative, 120deg (0.5)
  assert.ok(Math.abs(sims[3] - cos(60, 120)) < 1e-5, `anchor 3 picked ${sims[3]}`);
});

test("contrastive accuracy and entropy match hand computation", () => {
  // N = 2, no normalisation, tau = 1: z = [a, b, a', b'] with a = a' and b = b' orthogonal
  const z1 = [
    [1, 0],
    [0, 1],
  ];
  const z2 = [
    [1, 0],
    [0, 1],
  ];
  const out = contrastiveLoss(tf.tensor2d(z1), tf.tensor2d(z2), {
    temperature: 1,
    l2Normalize: false,
  });
  const m = contrastiveMetrics(out);
  // each anchor: logits over the 3 others = [0, 1 (positive), 0] -> positive ranks first
  assert.equal(m.accuracy, 1);
  const p = [1, Math.E, 1].map((x) => x / (2 + Math.E));
  const h = -p.reduce((s, x) => s + x * Math.log(x), 0);
  assert.ok(Math.abs(m.entropy - h) < 1e-5, `${m.entropy} vs ${h}`);
  tf.dispose([out.loss, out.logits, out.labels]);
  // swapping z2's rows makes every positive lose to a negative
  const out2 = contrastiveLoss(
    tf.tensor2d(z1),
    tf.tensor2d([
      [0, 1],
      [1, 0],
    ]),
    { temperature: 1, l2Normalize: false },
  );
  assert.equal(contrastiveMetrics(out2).accuracy, 0);
  tf.dispose([out2.loss, out2.logits, out2.labels]);
});

test("the loss leaves no tensors behind and rejects a batch without negatives", () => {
  const z = tf.randomNormal([6, 5]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  for (const o of KINDS) {
    const out = contrastiveLoss(z, z, o);
    contrastiveMetrics(out);
    tf.dispose([out.loss, out.logits, out.labels]);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => contrastiveLoss(tf.ones([1, 3]), tf.ones([1, 3])), /at least 2/);
  z.dispose();
});
