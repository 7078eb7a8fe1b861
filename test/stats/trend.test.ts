import { test } from "node:test";
import assert from "node:assert/strict";
import { budgetTrend, leastSquaresSlope, seedMean } from "../../src/stats/trend";

// Reference values from scipy 1.17.1 (Python 3.11, the project's .venv), printed with repr():
// per rung, r = scipy.stats.ttest_1samp(v, 0.0) with numpy.mean(v) and
// r.confidence_interval(0.95); per seed, scipy.stats.linregress(numpy.log10([2, 6, 20]), d).slope,
// then ttest_1samp(slopes, 0.0).confidence_interval(0.95) over the 4 seeds with every rung.
const close = (actual: number | undefined, expected: number, what: string): void =>
  assert.ok(Math.abs((actual ?? NaN) - expected) <= 1e-6, `${what}: ${actual} vs ${expected}`);

const BY_SEED: Record<number, number[]> = {
  0: [-1.2, -0.3, 0.9],
  1: [-0.8, 0.1, 1.5],
  2: [-1.5, -0.9, 0.2],
  3: [-0.4, 0.6, 0.7],
  4: [0.3, 0.2], // no run at the top rung: in the rung means, not in the slope
};
const rungs = [2, 6, 20].map((budget, i) => ({
  budget,
  differences: new Map(
    Object.entries(BY_SEED)
      .filter(([, d]) => d[i] !== undefined)
      .map(([s, d]) => [Number(s), d[i] as number]),
  ),
}));

test("the effect per rung and its per-seed slope against log10(budget) match scipy", () => {
  const t = budgetTrend(rungs);
  const want = [
    [5, -0.72, -1.5953511031376908, 0.15535110313769096],
    [5, -0.06000000000000002, -0.7656760046031185, 0.6456760046031184],
    [4, 0.825, -0.030667828444400747, 1.6806678284444008],
  ] as const;
  want.forEach(([n, mean, lo, hi], i) => {
    const r = t.rungs[i];
    assert.equal(r?.n, n, `rung ${i} seeds`);
    close(r?.mean, mean, `rung ${i} mean`);
    close(r?.ci?.[0], lo, `rung ${i} low`);
    close(r?.ci?.[1], hi, `rung ${i} high`);
  });
  // linregress slopes of seeds 0-3: 2.1031079564039383, 2.306016842420452, ...
  close(
    leastSquaresSlope([2, 6, 20].map(Math.log10), BY_SEED[3] as number[]),
    1.0855151544580968,
    "seed 3's slope",
  );
  assert.deepEqual(t.slope?.seeds, [0, 1, 2, 3]);
  close(t.slope?.mean, 1.800268813310804, "mean slope");
  close(t.slope?.ci?.[0], 0.944763682461977, "slope low");
  close(t.slope?.ci?.[1], 2.6557739441596313, "slope high");
  assert.equal(t.points, "toward");
  assert.equal(t.decided, true);
  // ttest_1samp(slopes, 0.0, alternative="greater" / "less").pvalue
  close(t.slope?.p, 0.003396304013089799, "slope p toward");
  close(t.slope?.pReverse, 0.9966036959869102, "slope p away");
});

test("a flat or reversed trend, one seed, and bad budgets are reported as such", () => {
  const flipped = budgetTrend(
    rungs.map((r) => ({
      budget: r.budget,
      differences: new Map([...r.differences].map(([s, d]) => [s, -d])),
    })),
  );
  assert.equal(flipped.points, "away");
  assert.equal(flipped.decided, true);
  close(flipped.slope?.ci?.[1], -0.944763682461977, "reversed slope high");
  const one = budgetTrend(rungs.map((r) => ({ ...r, differences: new Map([[0, 1]]) })));
  assert.equal(one.slope?.n, 1);
  assert.equal(one.slope?.ci, undefined);
  assert.equal(one.decided, false, "one seed decides nothing");
  assert.equal(seedMean([]).n, 0);
  assert.throws(() => budgetTrend([rungs[0]!, { ...rungs[1]!, budget: 2 }]), /distinct, got 2,2/);
  assert.throws(() => budgetTrend([{ ...rungs[0]!, budget: 0 }]), /positive/);
});
