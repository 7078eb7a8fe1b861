import { test } from "node:test";
import assert from "node:assert/strict";
import { baseLearningRate, learningRateAt } from "../../src/optim/schedule";

const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

test("the linear and square-root rules give the paper's peak rates", () => {
  assert.ok(near(baseLearningRate(4096, "linear"), 4.8)); // 0.3 x 4096/256
  assert.ok(near(baseLearningRate(256, "linear"), 0.3));
  assert.ok(near(baseLearningRate(4096, "sqrt"), 4.8)); // 0.075 x 64
  assert.ok(near(baseLearningRate(1024, "sqrt", 0.1), 3.2));
  assert.throws(() => baseLearningRate(0, "linear"), /batch size/);
});

test("warm-up is linear from 0 and the decay is a half cosine reaching 0 at the last step", () => {
  const peak = 2;
  // warm-up 4 of 12 steps: 0, 0.5, 1, 1.5; then cosine over 8 steps
  assert.deepEqual(
    [0, 1, 2, 3].map((s) => learningRateAt(s, 12, 4, peak)),
    [0, 0.5, 1, 1.5],
  );
  assert.ok(near(learningRateAt(4, 12, 4, peak), 2));
  assert.ok(near(learningRateAt(6, 12, 4, peak), 2 * 0.5 * (1 + Math.cos(Math.PI / 4))));
  assert.ok(near(learningRateAt(8, 12, 4, peak), 1));
  assert.ok(near(learningRateAt(12, 12, 4, peak), 0));
  assert.ok(near(learningRateAt(20, 12, 4, peak), 0));
  // no warm-up: starts at the peak
  assert.ok(near(learningRateAt(0, 10, 0, peak), 2));
  assert.ok(near(learningRateAt(5, 10, 0, peak), 1));
});
