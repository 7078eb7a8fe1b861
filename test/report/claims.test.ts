import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluateClaim, formatT } from "../../src/report/claims";
import type { Study } from "../../src/sweep/study";

const study: Study = {
  name: "heads",
  description: "",
  base: {},
  grid: { head: ["none", "linear", "nonlinear"] },
  seeds: 3,
  metrics: ["acc", "loss"],
};

function rows(
  label: string,
  values: number[],
  metric = "acc",
): { label: string; seed: number; metrics: Record<string, number> }[] {
  return values.map((v, seed) => ({ label, seed, metrics: { [metric]: v } }));
}

test("a claim agrees when the difference exceeds two standard errors (Welch t, hand-computed)", () => {
  // better: mean 0.6, sd 0.01; worse: mean 0.5, sd 0.01; se = sqrt(1e-4/3 * 2) = 0.008165; t = 12.25
  const results = [
    ...rows("head=nonlinear", [0.59, 0.6, 0.61]),
    ...rows("head=linear", [0.49, 0.5, 0.51]),
  ];
  const v = evaluateClaim(
    study,
    {
      claim: "mlp > linear",
      metric: "acc",
      better: { head: "nonlinear" },
      worse: { head: "linear" },
    },
    results,
  );
  assert.equal(v.verdict, "agrees");
  assert.ok(Math.abs(v.better.mean - 0.6) < 1e-12 && Math.abs(v.better.std - 0.01) < 1e-12);
  assert.ok(Math.abs(v.t - 0.1 / Math.sqrt((2 * 1e-4) / 3)) < 1e-9);
  // Accuracy metrics read in percent and points; other metrics as they are.
  assert.match(
    v.evidence,
    /better 60\.0% ± 1\.0 \(n=3\) vs worse 50\.0% ± 1\.0 \(n=3\); difference \+10\.0 points/,
  );
  const loss = evaluateClaim(
    study,
    { claim: "l", metric: "loss", better: { head: "nonlinear" }, worse: { head: "linear" } },
    results.map((r) => ({ ...r, metrics: { loss: r.metrics.acc } })),
  );
  assert.match(loss.evidence, /better 0\.6000 ± 0\.0100 \(n=3\)/);
});

test("a claim is inconclusive within the spread, disagrees when reversed, and respects lower-is-better", () => {
  const noisy = [
    ...rows("head=nonlinear", [0.5, 0.6, 0.7]),
    ...rows("head=linear", [0.45, 0.55, 0.65]),
  ];
  assert.equal(
    evaluateClaim(
      study,
      { claim: "c", metric: "acc", better: { head: "nonlinear" }, worse: { head: "linear" } },
      noisy,
    ).verdict,
    "inconclusive",
  );
  const reversed = [
    ...rows("head=nonlinear", [0.4, 0.41, 0.39]),
    ...rows("head=linear", [0.6, 0.61, 0.59]),
  ];
  assert.equal(
    evaluateClaim(
      study,
      { claim: "c", metric: "acc", better: { head: "nonlinear" }, worse: { head: "linear" } },
      reversed,
    ).verdict,
    "disagrees",
  );
  const loss = [
    ...rows("head=nonlinear", [1.0, 1.01, 0.99], "loss"),
    ...rows("head=none", [2, 2.01, 1.99], "loss"),
  ];
  assert.equal(
    evaluateClaim(
      study,
      {
        claim: "c",
        metric: "loss",
        better: { head: "nonlinear" },
        worse: "head=none",
        lowerIsBetter: true,
      },
      loss,
    ).verdict,
    "agrees",
  );
});

test("one seed decides by the sign and says so; a missing side gives no data", () => {
  const one = [...rows("head=nonlinear", [0.6]), ...rows("head=linear", [0.5])];
  const v = evaluateClaim(
    study,
    { claim: "c", metric: "acc", better: { head: "nonlinear" }, worse: { head: "linear" } },
    one,
  );
  assert.equal(v.verdict, "agrees");
  assert.match(v.evidence, /no spread: the sign decides/);
  assert.equal(
    evaluateClaim(
      study,
      { claim: "c", metric: "acc", better: "head=none", worse: { head: "linear" } },
      one,
    ).verdict,
    "no data",
  );
});

test("a t just below the threshold is not printed as the threshold", () => {
  assert.equal(formatT(1.998), "1.998");
  assert.equal(formatT(-1.996), "-1.996");
  assert.equal(formatT(2.004), "2.00");
  assert.equal(formatT(1.5), "1.50");
  assert.equal(formatT(Infinity), "Infinity");
});
