import { test } from "node:test";
import assert from "node:assert/strict";
import { averageRanks, spearman } from "../../src/stats/spearman";

// Reference values from scipy 1.17.1 (Python 3.11): scipy.stats.spearmanr(x, y).statistic and
// scipy.stats.rankdata(x), printed with repr().
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: ${actual} vs ${expected}`);

test("Spearman's rho, ties by average rank, matches scipy.stats.spearmanr", () => {
  // spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233, "ties in y");
  // spearmanr([0.4, 0.41, 0.41, 0.39, 0.45, 0.45], [59.7, 64.4, 60.7, 58.0, 57.2, 57.0])
  close(
    spearman([0.4, 0.41, 0.41, 0.39, 0.45, 0.45], [59.7, 64.4, 60.7, 58.0, 57.2, 57.0]),
    -0.44136741475237473,
    "ties in x (Table 5's paper column)",
  );
  // spearmanr([3, 1, 2, 2], [1, 1, 2, 3])
  close(spearman([3, 1, 2, 2], [1, 1, 2, 3]), 0.0, "ties on both sides");
  close(spearman([1, 2, 3], [3, 2, 1]), -1, "reversed");
  // rankdata([0.4, 0.41, 0.41, 0.39, 0.45, 0.45])
  assert.deepEqual(averageRanks([0.4, 0.41, 0.41, 0.39, 0.45, 0.45]), [2, 3.5, 3.5, 1, 5.5, 5.5]);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])), "no spread: no rank correlation");
  assert.throws(() => spearman([1, 2], [1]), /samples differ in length \(2 and 1\)/);
  assert.throws(() => spearman([1], [1]), /at least 2 pairs, got 1/);
  assert.throws(() => spearman([1, NaN], [1, 2]), /finite/);
});
