import { test } from "node:test";
import assert from "node:assert/strict";
import { minimumDetectableEffect, noncentralTUpperTail, pairedPower } from "../../src/stats/power";

// Reference values from scipy 1.17.1 (Python 3.11): scipy.stats.nct.sf(c, df, nc), and the
// minimum detectable effect by scipy.optimize.brentq on nct.sf(t.ppf(1 - alpha, n - 1), n - 1,
// d * sqrt(n) / sd) - 0.8 (xtol 1e-13), printed with repr().
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: ${actual} vs ${expected}`);

test("the noncentral t upper tail matches scipy.stats.nct.sf", () => {
  const cases: [number, number, number, number][] = [
    [2.0, 1, 1.5, 0.5089800984822763],
    [5.0, 2, 3.0, 0.31050940378794767],
    [3.5, 3, 4.0, 0.6882843171025286],
    [2.5, 5, 2.0, 0.386757023018469],
    [4.7, 5, 6.0, 0.8091364176270354],
    [1.8, 20, 2.5, 0.7565904511226746],
    [-1.0, 4, 0.0, 0.8130495168499705],
  ];
  for (const [c, df, nc, expected] of cases)
    close(noncentralTUpperTail(c, df, nc), expected, `nct.sf(${c}, ${df}, ${nc})`);
  assert.throws(() => noncentralTUpperTail(1, 0.5, 1), /degrees of freedom .* >= 1, got 0.5/);
});

test("paired power and the minimum detectable effect match scipy", () => {
  // nct.sf(t.ppf(1 - 0.05/24, 3), 3, 1.2 * 2 / 0.35)
  close(pairedPower(1.2, 0.35, 4, 0.05 / 24), 0.473544186107594, "power of 1.2 points, n = 4");
  close(minimumDetectableEffect(0.35, 4, 0.05 / 24), 1.751231314827654, "MDE n = 4, sd 0.35");
  close(minimumDetectableEffect(0.5, 6, 0.05 / 12), 1.0986518652042392, "MDE n = 6, sd 0.5");
  // more seeds detect smaller effects; power grows with the effect
  assert.ok(minimumDetectableEffect(0.35, 6, 0.01) < minimumDetectableEffect(0.35, 4, 0.01));
  assert.ok(pairedPower(2, 0.35, 4, 0.01) > pairedPower(1, 0.35, 4, 0.01));
  assert.throws(() => pairedPower(1, 0.35, 1, 0.05), /n must be an integer >= 2, got 1/);
  assert.throws(() => pairedPower(1, 0, 4, 0.05), /sd must be > 0, got 0/);
});
