import { test } from "node:test";
import assert from "node:assert/strict";
import { summarize } from "../../src/plot/figures";
import { holmAdjust } from "../../src/stats/holm";
import { pairDifferences, pairedTest } from "../../src/stats/paired";
import { tQuantile, tUpperTail } from "../../src/stats/t-distribution";
import { decideFamily } from "../../src/stats/verdict";
import { welchContrast, welchTest } from "../../src/stats/welch";

// Reference values computed independently with scipy 1.17.1 (Python 3.11), printed to 15
// significant digits; the calls are named at each value.
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: ${actual} vs ${expected}`);

test("t quantiles and tails match scipy.stats.t.ppf / t.sf at fractional df", () => {
  close(tQuantile(0.975, 2.1), 4.11215275817388, "t.ppf(0.975, 2.1)");
  close(tQuantile(0.975, 3.2), 3.07282892971316, "t.ppf(0.975, 3.2)");
  close(tQuantile(0.95, 4), 2.13184678632665, "t.ppf(0.95, 4)");
  close(tQuantile(0.025, 7.5), -2.33303962686497, "t.ppf(0.025, 7.5)");
  // The point: |t| = 2 at df 2.1 is p = 0.089 one-sided, not a 95% test.
  close(tUpperTail(2.0, 2.1), 0.0886996075829222, "t.sf(2.0, 2.1)");
  close(tUpperTail(2.8, 3.2), 0.0315039858929185, "t.sf(2.8, 3.2)");
  close(tUpperTail(-3.6, 2.1), 0.967810729450537, "t.sf(-3.6, 2.1)");
  close(tUpperTail(12, 3), 0.000622507900394668, "t.sf(12, 3)");
  assert.throws(() => tQuantile(0.5, 0), /degrees of freedom must be a finite number > 0, got 0/);
  assert.throws(() => tQuantile(1, 3), /p must be in \(0, 1\), got 1/);
});

test("Welch's t, Welch-Satterthwaite df, one-sided p and 95% CI match scipy.stats.ttest_ind", () => {
  const a = [0.59, 0.61, 0.6, 0.64];
  const b = [0.5, 0.52, 0.47];
  const r = welchTest(summarize(a), summarize(b));
  // ttest_ind(a, b, equal_var=False, alternative='greater'): statistic, df, pvalue
  close(r.t, 6.25990740170859, "t");
  close(r.df, 4.00575373993096, "df");
  close(r.p, 0.00165297814858436, "p (greater)");
  // ttest_ind(b, a, equal_var=False, alternative='greater').pvalue
  close(r.pReverse, 0.998347021851416, "p reverse");
  // ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
  close(r.ci[0], 0.0630952724044519, "ci low");
  close(r.ci[1], 0.163571394262215, "ci high");
  assert.equal(r.kind, "welch");
  assert.throws(
    () => welchTest(summarize([0.5]), summarize(b)),
    /contrast cell 0: need n >= 2 .* got n=1/,
  );
});

test("the paired t over seeds matches scipy.stats.ttest_rel", () => {
  const x = [0.42, 0.45, 0.39, 0.48, 0.44];
  const y = [0.4, 0.44, 0.385, 0.455, 0.43];
  const byseed = (v: number[]): Map<number, number> => new Map(v.map((s, i) => [i, s]));
  const d = pairDifferences(byseed(x), byseed(y));
  const r = pairedTest(d);
  // ttest_rel(x, y, alternative='greater'); ttest_rel(x, y).confidence_interval(0.95)
  close(r.t, 3.81031737766273, "t");
  assert.equal(r.df, 4);
  close(r.p, 0.00946748935468094, "p (greater)");
  close(r.ci[0], 0.00379868929012618, "ci low");
  close(r.ci[1], 0.0242013107098738, "ci high");
  // Only seeds present on both sides pair up.
  assert.deepEqual(
    pairDifferences(
      new Map([
        [0, 1],
        [1, 2],
        [5, 3],
      ]),
      new Map([
        [1, 1.5],
        [5, 1],
      ]),
    ),
    [0.5, 2],
  );
  assert.throws(() => pairedTest([0.1]), /at least 2 pairs, got 1/);
});

test("an interaction over four cells: Welch-Satterthwaite df and p match a numpy + scipy.stats.t computation", () => {
  const cells = [
    [0.5, 0.53, 0.51],
    [0.44, 0.45, 0.41],
    [0.6, 0.62, 0.61, 0.59],
    [0.59, 0.6, 0.585],
  ];
  const w = [1, -1, -1, 1];
  const r = welchContrast(cells.map((c, i) => ({ ...summarize(c), weight: w[i] as number })));
  // est = sum w*mean; var = sum var(ddof=1)/n; df = var^2 / sum (v_i^2/(n_i-1));
  // p = scipy.stats.t.sf(est/sqrt(var), df); ci = est -+ scipy.stats.t.ppf(0.975, df)*sqrt(var)
  close(r.estimate, 0.0666666666666667, "estimate");
  close(r.t, 3.96059017190669, "t");
  close(r.df, 5.64361269324654, "df");
  close(r.p, 0.00421180622026785, "p");
  close(r.ci[0], 0.0248402331680099, "ci low");
  close(r.ci[1], 0.108493100165323, "ci high");
  assert.equal(r.kind, "contrast");
});

test("no spread at all decides by the sign with a point interval", () => {
  const r = welchTest({ mean: 0.6, std: 0, n: 3 }, { mean: 0.5, std: 0, n: 3 });
  assert.equal(r.t, Infinity);
  assert.equal(r.p, 0);
  assert.equal(r.pReverse, 1);
  assert.deepEqual(r.ci, [r.estimate, r.estimate]);
});

test("Holm-Bonferroni step-down: hand-computed adjusted p, order kept, untested claims skipped", () => {
  // sorted 0.01, 0.02, 0.03, 0.04 (m = 4): 0.04, 0.06, 0.06 (monotone), 0.04 -> 0.06
  const adj = holmAdjust([0.03, NaN, 0.01, 0.04, 0.02]);
  const want = [0.06, NaN, 0.04, 0.06, 0.06];
  adj.forEach((v, i) =>
    Number.isNaN(want[i]) ? assert.ok(Number.isNaN(v)) : close(v, want[i] as number, `p${i}`),
  );
  assert.deepEqual(holmAdjust([0.5, 0.9]), [1, 1]);
  assert.throws(() => holmAdjust([1.5]), /p-values must be in \[0, 1\], got 1.5 at 0/);
});

test("the verdict rule: both directions of every claim in one Holm family (FWER 0.05 over wrong decisive verdicts)", () => {
  // 4 tested claims -> 8 one-sided p-values in one family, sorted:
  // 0.001 (x8 = 0.008), 0.001 (x7 = 0.007 -> 0.008), 0.02 (x6 = 0.12), 0.5, 0.5, ...
  const d = decideFamily([
    { p: 0.001, pReverse: 0.999 }, // agrees
    { p: 0.02, pReverse: 0.98 }, // 0.12 -> inconclusive (agrees alone at 0.05)
    { p: 0.999, pReverse: 0.001 }, // reverse -> disagrees
    { p: 0.5, pReverse: 0.5 },
    {}, // too few seeds: not in the family
  ]);
  assert.deepEqual(
    d.map((x) => x?.verdict),
    ["agrees", "inconclusive", "disagrees", "inconclusive", undefined],
  );
  close(d[0]?.pAdjusted ?? NaN, 0.008, "adjusted, first step");
  close(d[2]?.pReverseAdjusted ?? NaN, 0.008, "reverse adjusted (monotone)");
  close(d[1]?.pAdjusted ?? NaN, 0.12, "adjusted");
  // One claim alone is a family of 2: 0.02 x 2 = 0.04 still agrees; 0.03 x 2 = 0.06 does not,
  // where adjusting each direction on its own would have let it through.
  assert.equal(decideFamily([{ p: 0.02, pReverse: 0.98 }])[0]?.verdict, "agrees");
  assert.equal(decideFamily([{ p: 0.03, pReverse: 0.97 }])[0]?.verdict, "inconclusive");
  // Two claims, one each way: before, each direction was a family of 1 (both decisive at 0.04);
  // now 4 tests: 0.04 x 4 = 0.16, so neither is.
  assert.deepEqual(
    decideFamily([
      { p: 0.04, pReverse: 0.96 },
      { p: 0.96, pReverse: 0.04 },
    ]).map((x) => x?.verdict),
    ["inconclusive", "inconclusive"],
  );
});

test("the family's chance of any wrong decisive verdict stays at 0.05 (simulation, all nulls true)", () => {
  // m claims with no true difference, each a t statistic with df 5; under H0 both one-sided p
  // are uniform. Seeded LCG so the test is deterministic; 4000 families of 6 claims.
  let state = 12345;
  const unif = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  let wrong = 0;
  const families = 4000;
  for (let k = 0; k < families; k++) {
    const claims = Array.from({ length: 6 }, () => {
      const p = unif();
      return { p, pReverse: 1 - p };
    });
    if (decideFamily(claims).some((x) => x?.verdict !== "inconclusive")) wrong++;
  }
  // Bonferroni-exact rate for 12 one-sided tests: 1 - (1 - 0.05/12)^6 ~ 0.0247 (two tails of 6);
  // per-direction Holm would give ~0.05 each way, ~0.098 in all.
  assert.ok(wrong / families <= 0.05, `wrong decisive verdicts ${wrong / families}`);
  assert.ok(wrong / families > 0.01, `the rule should still decide sometimes: ${wrong / families}`);
});
