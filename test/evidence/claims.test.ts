import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluateClaim, evaluateClaims } from "../../src/evidence/claims";
import { welchTest } from "../../src/stats/welch";
import { summarize } from "../../src/plot/figures";
import type { Study } from "../../src/evidence/study";
import { standIn } from "../support/stand-in";

const study: Study = {
  name: "heads",
  description: "",
  base: {},
  grid: standIn({ head: ["none", "linear", "nonlinear"] }),
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

test("a claim agrees when its one-sided Welch test passes at 5% (t hand-computed, p from the t distribution)", () => {
  // better: mean 0.6, sd 0.01; worse: mean 0.5, sd 0.01; se = sqrt(1e-4/3 * 2) = 0.008165; t = 12.25
  const results = [
    ...rows("head=nonlinear", [0.59, 0.6, 0.61]),
    ...rows("head=linear", [0.49, 0.5, 0.51]),
  ];
  const v = evaluateClaim(
    study,
    {
      id: "mlp-linear",
      claim: "mlp > linear",
      metric: "acc",
      better: standIn({ head: "nonlinear" }),
      worse: standIn({ head: "linear" }),
    },
    results,
  );
  assert.equal(v.verdict, "agrees");
  assert.ok(Math.abs(v.better.mean - 0.6) < 1e-12 && Math.abs(v.better.std - 0.01) < 1e-12);
  // The grid study's cells share encoder, data and batch size, but the heads differ only in a key
  // that does not fix randomness, so the seeds pair: equal spreads make every difference 0.1.
  assert.equal(v.test?.kind, "paired");
  assert.ok(Math.abs((v.test?.estimate ?? 0) - 0.1) < 1e-12);
  assert.ok((v.p ?? 1) < 1e-6);
  // Accuracy metrics read in percent and points; other metrics as they are.
  assert.match(v.evidence, /better 60\.0% ± 1\.0 \(n=3\) vs worse 50\.0% ± 1\.0 \(n=3\)/);
  // Unpaired seeds (different seed numbers on the two sides): Welch's t = 0.1 / sqrt(2e-4/3), df 4.
  const shifted = results.map((r) => (r.label === "head=linear" ? { ...r, seed: r.seed + 10 } : r));
  const w = evaluateClaim(
    study,
    {
      id: "c",
      claim: "c",
      metric: "acc",
      better: standIn({ head: "nonlinear" }),
      worse: standIn({ head: "linear" }),
    },
    shifted,
  );
  assert.equal(w.test?.kind, "welch");
  assert.ok(Math.abs((w.test?.t ?? 0) - 0.1 / Math.sqrt((2 * 1e-4) / 3)) < 1e-9);
  assert.ok(Math.abs((w.test?.df ?? 0) - 4) < 1e-9);
  const loss = evaluateClaim(
    study,
    {
      id: "l",
      claim: "l",
      metric: "loss",
      better: standIn({ head: "nonlinear" }),
      worse: standIn({ head: "linear" }),
    },
    results.map((r) => ({ ...r, metrics: { loss: r.metrics.acc } })),
  );
  assert.match(loss.evidence, /better 0\.6000 ± 0\.0100 \(n=3\)/);
});

test("a claim is inconclusive within the spread, disagrees when reversed, and respects lower-is-better", () => {
  const noisy = [
    ...rows("head=nonlinear", [0.5, 0.6, 0.7]),
    // the same shift in the mean, but not seed by seed: paired differences -0.15, +0.15, +0.15
    ...rows("head=linear", [0.65, 0.45, 0.55]),
  ];
  assert.equal(
    evaluateClaim(
      study,
      {
        id: "c",
        claim: "c",
        metric: "acc",
        better: standIn({ head: "nonlinear" }),
        worse: standIn({ head: "linear" }),
      },
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
      {
        id: "c",
        claim: "c",
        metric: "acc",
        better: standIn({ head: "nonlinear" }),
        worse: standIn({ head: "linear" }),
      },
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
        id: "c",
        claim: "c",
        metric: "loss",
        better: standIn({ head: "nonlinear" }),
        worse: "head=none",
        lowerIsBetter: true,
      },
      loss,
    ).verdict,
    "agrees",
  );
});

test("a side with one seed reads 'too few seeds', never 'agrees'; a missing side gives no data", () => {
  const one = [...rows("head=nonlinear", [0.6]), ...rows("head=linear", [0.5, 0.49])];
  const v = evaluateClaim(
    study,
    {
      id: "c",
      claim: "c",
      metric: "acc",
      better: standIn({ head: "nonlinear" }),
      worse: standIn({ head: "linear" }),
    },
    one,
  );
  assert.equal(v.verdict, "too few seeds");
  assert.equal(v.test, undefined);
  assert.match(v.evidence, /a side needs at least 2 seeds/);
  assert.equal(
    evaluateClaim(
      study,
      {
        id: "c",
        claim: "c",
        metric: "acc",
        better: "head=none",
        worse: standIn({ head: "linear" }),
      },
      one,
    ).verdict,
    "no data",
  );
});

test("|t| >= 2 is no longer enough: at Welch df 2.4, t = 2.27 is inconclusive, and Holm counts every claim", () => {
  // better n=3, worse n=2: t = 2.27 with df = 2.4 (one-sided p about 0.07).
  const better = [0.53, 0.56, 0.59];
  const worse = [0.48, 0.52];
  const t = welchTest(summarize(better), summarize(worse));
  assert.ok(t.t > 2 && t.df < 3, `t ${t.t} df ${t.df}`);
  const two = [...rows("head=nonlinear", better), ...rows("head=linear", worse)];
  const v = evaluateClaim(
    study,
    {
      id: "c",
      claim: "c",
      metric: "acc",
      better: standIn({ head: "nonlinear" }),
      worse: "head=linear",
    },
    two.map((r) => (r.label === "head=linear" ? { ...r, seed: r.seed + 5 } : r)),
  );
  assert.equal(v.test?.kind, "welch");
  assert.ok((v.p ?? 0) > 0.05, `p ${v.p}`);
  assert.equal(v.verdict, "inconclusive");
  // Two claims decided together: one Holm family of both directions (4 one-sided p-values; the
  // reverse p's are 1 - p, above both): the smaller p x 4, the larger x 3 (monotone).
  const s2: Study = {
    ...study,
    claims: [
      {
        id: "strong",
        claim: "strong",
        metric: "acc",
        better: standIn({ head: "nonlinear" }),
        worse: standIn({ head: "none" }),
      },
      {
        id: "weak",
        claim: "weak",
        metric: "acc",
        better: standIn({ head: "linear" }),
        worse: standIn({ head: "none" }),
      },
    ],
  };
  const data = [
    ...rows("head=nonlinear", [0.7, 0.71, 0.69]),
    ...rows("head=linear", [0.52, 0.5, 0.55]),
    ...rows("head=none", [0.5, 0.49, 0.51]),
  ];
  const both = evaluateClaims(s2, data);
  const [ps, pw] = [both[0]?.p ?? NaN, both[1]?.p ?? NaN];
  assert.ok(ps < pw);
  assert.ok(pw < 1 - pw, `pw ${pw}`);
  assert.equal(both[0]?.pAdjusted, Math.min(1, 4 * ps));
  assert.equal(both[1]?.pAdjusted, Math.max(Math.min(1, 4 * ps), Math.min(1, 3 * pw)));
  // Alone, a claim is its own family of its two directions.
  const alone = evaluateClaim(s2, s2.claims?.[1] as NonNullable<Study["claims"]>[number], data);
  assert.equal(alone.pAdjusted, Math.min(1, 2 * (alone.p ?? NaN)));
  assert.equal(both[1]?.family, 2);
});
