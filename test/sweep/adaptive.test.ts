import { test } from "node:test";
import assert from "node:assert/strict";
import type { SeedResult } from "../../src/evidence/claims";
import { nextAdaptivePlans } from "../../src/sweep/adaptive";
import { planStudy } from "../../src/grid/study-grid";
import type { Study } from "../../src/evidence/study";
import { standIn } from "../support/stand-in";

const study: Study = {
  name: "adaptive-unit",
  description: "",
  base: {},
  cells: [
    { label: "a", overrides: standIn({ k: "a" }) },
    { label: "b", overrides: standIn({ k: "b" }) },
    { label: "c", overrides: standIn({ k: "c" }) },
    { label: "d", overrides: standIn({ k: "d" }) },
  ],
  seeds: 5,
  presets: { small: { seedPolicy: { min: 3, max: 9, step: 3 } } },
  metrics: ["acc"],
  claims: [
    { id: "a-beats-b", claim: "a beats b", metric: "acc", better: "a", worse: "b" },
    { id: "c-beats-d", claim: "c beats d", metric: "acc", better: "c", worse: "d" },
  ],
};

const run = (label: string, seed: number, acc: number): SeedResult & { seconds: number } => ({
  label,
  seed,
  metrics: { acc },
  seconds: 60,
});

test("an adaptive study plans min seeds, then more seeds only for the cells of undecided claims", () => {
  // The plan starts at the policy's minimum.
  const first = planStudy(study, { preset: "small" });
  assert.equal(first.length, 4 * 3);
  // a clearly beats b (decided); c and d overlap (undecided): only c and d get seeds 3..5.
  const results = [0, 1, 2].flatMap((s) => [
    run("a", s, 0.8 + [0.001, -0.001, 0][s]!),
    run("b", s, 0.5 + [0, 0.001, -0.001][s]!),
    run("c", s, 0.5 + [0.02, -0.02, 0][s]!),
    run("d", s, 0.5 + [0, 0.02, -0.02][s]!),
  ]);
  const next = nextAdaptivePlans(study, { preset: "small" }, results);
  assert.equal(next.decision?.reason, "undecided");
  assert.deepEqual(
    next.plans.map((p) => `${p.label}/${p.seed}`),
    ["c/3", "c/4", "c/5", "d/3", "d/4", "d/5"],
  );
  assert.equal(next.plans[0]?.runName, "c/seed3 (adaptive-unit)");
  // Without a policy (another preset) or with an explicit seed count, nothing is added.
  assert.deepEqual(nextAdaptivePlans(study, { preset: "tiny" }, results).plans, []);
  assert.deepEqual(nextAdaptivePlans(study, { preset: "small", seeds: 3 }, results).plans, []);
  // Missing seeds below min are planned first, whatever the claims say.
  const gap = nextAdaptivePlans(
    study,
    { preset: "small" },
    results.filter((r) => !(r.label === "a" && r.seed === 1)),
  );
  assert.deepEqual(
    gap.plans.map((p) => `${p.label}/${p.seed}`),
    ["a/1"],
  );
});
