import { test } from "node:test";
import assert from "node:assert/strict";
import { summarize } from "../../src/plot/figures";
import {
  isDecided,
  lookLevel,
  nextSeeds,
  policyLooks,
  validateSeedPolicy,
  type SeedPolicy,
} from "../../src/stats/seed-policy";
import { ALPHA } from "../../src/stats/verdict";
import { welchTest } from "../../src/stats/welch";
import { createRng, type Rng } from "../../src/util/random";

const POLICY: SeedPolicy = { min: 3, max: 12, step: 3 };

test("the policy looks at min, min + step, ..., max and tests each look at alpha / (2 x looks)", () => {
  assert.deepEqual(policyLooks(POLICY), [3, 6, 9, 12]);
  assert.deepEqual(policyLooks({ min: 2, max: 5 }), [2, 4, 5]);
  assert.equal(lookLevel(POLICY), ALPHA / 8);
  assert.throws(
    () => validateSeedPolicy({ min: 1, max: 3 }),
    /seedPolicy.min must be an integer >= 2, got 1/,
  );
  assert.throws(
    () => validateSeedPolicy({ min: 3, max: 2 }),
    /seedPolicy.max must be an integer >= min \(3\), got 2/,
  );
  assert.throws(
    () => validateSeedPolicy({ min: 2, max: 4, budget: { runs: 0 } }),
    /seedPolicy.budget.runs must be a number > 0, got 0/,
  );
});

test("more seeds go only to the cells of undecided claims, up to the next look, within the budget", () => {
  const cell = (label: string, seeds: number) => ({ label, seeds, seconds: 100 * seeds });
  // Below min: every cell is filled up to min first.
  const first = nextSeeds(POLICY, [cell("a", 1), cell("b", 3)], []);
  assert.deepEqual([...first.targets], [["a", 3]]);
  assert.equal(first.reason, "min");
  const cells = [cell("a", 3), cell("b", 3), cell("c", 3), cell("d", 3)];
  const claims = [
    { cells: ["a", "b"], p: 0.001, pReverse: 0.999 }, // decided at 0.05 / 8
    { cells: ["c", "d"], p: 0.2, pReverse: 0.8 }, // undecided
  ];
  const next = nextSeeds(POLICY, cells, claims);
  assert.deepEqual(
    [...next.targets],
    [
      ["c", 6],
      ["d", 6],
    ],
  );
  assert.equal(next.done, false);
  // A budget of 15 runs leaves room for 3 more: only c fits.
  const tight = nextSeeds({ ...POLICY, budget: { runs: 15 } }, cells, claims);
  assert.deepEqual([...tight.targets], [["c", 6]]);
  // CPU-seconds: 1200 s spent at 100 s a run, 1300 allowed: nothing more fits.
  const cpu = nextSeeds({ ...POLICY, budget: { cpuSeconds: 1300 } }, cells, claims);
  assert.equal(cpu.done, true);
  assert.equal(cpu.reason, "budget");
  // At max, or with every claim decided, the sweep stops.
  assert.equal(
    nextSeeds(
      POLICY,
      cells.map((c) => cell(c.label, 12)),
      claims,
    ).reason,
    "max",
  );
  assert.equal(nextSeeds(POLICY, cells, [claims[0]!]).reason, "decided");
});

/** One simulated two-cell study under the policy: normal draws with unit seed SD. */
function adaptiveStudy(rng: Rng, delta: number, p: SeedPolicy): { runs: number; decided: boolean } {
  const values: Record<string, number[]> = { better: [], worse: [] };
  const level = lookLevel(p);
  for (;;) {
    const cells = Object.entries(values).map(([label, v]) => ({
      label,
      seeds: v.length,
      seconds: v.length,
    }));
    const t =
      values.better!.length >= 2
        ? welchTest(summarize(values.better!), summarize(values.worse!))
        : undefined;
    const claim = { cells: ["better", "worse"], ...(t ? { p: t.p, pReverse: t.pReverse } : {}) };
    const d = nextSeeds(p, cells, [claim]);
    if (d.done)
      return {
        runs: values.better!.length + values.worse!.length,
        decided: isDecided(claim, level),
      };
    for (const [label, target] of d.targets)
      while (values[label]!.length < target)
        values[label]!.push(rng.normal() + (label === "better" ? delta : 0));
  }
}

/** The fixed design with the same maximum: max seeds per cell, one look at alpha / 2 per direction. */
function fixedStudy(rng: Rng, delta: number, p: SeedPolicy): { runs: number; decided: boolean } {
  const a = Array.from({ length: p.max }, () => rng.normal() + delta);
  const b = Array.from({ length: p.max }, () => rng.normal());
  const t = welchTest(summarize(a), summarize(b));
  return { runs: 2 * p.max, decided: t.p <= ALPHA / 2 || t.pReverse <= ALPHA / 2 };
}

function simulate(
  study: (rng: Rng, delta: number, p: SeedPolicy) => { runs: number; decided: boolean },
  delta: number,
  seed: number,
): { decisive: number; runs: number; runsPerVerdict: number } {
  const rng = createRng(seed);
  const N = 2000;
  let decided = 0;
  let runs = 0;
  for (let i = 0; i < N; i++) {
    const r = study(rng, delta, POLICY);
    decided += r.decided ? 1 : 0;
    runs += r.runs;
  }
  return { decisive: decided / N, runs: runs / N, runsPerVerdict: runs / Math.max(1, decided) };
}

test("simulation, no true difference: at most alpha of 2,000 adaptive studies end decisive", () => {
  const sim = simulate(adaptiveStudy, 0, 12);
  // Binomial tolerance: 3 standard errors of a rate alpha over 2,000 studies.
  const tol = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / 2000);
  assert.ok(sim.decisive <= ALPHA + tol, `decisive in ${sim.decisive} of null studies`);
});

test("simulation, a true difference of 1.5 seed SDs: verdicts with fewer runs than the fixed design", () => {
  const adaptive = simulate(adaptiveStudy, 1.5, 15);
  const fixed = simulate(fixedStudy, 1.5, 15);
  assert.ok(adaptive.runs < fixed.runs, `runs ${adaptive.runs} vs fixed ${fixed.runs}`);
  assert.ok(
    adaptive.runsPerVerdict < fixed.runsPerVerdict,
    `runs per verdict ${adaptive.runsPerVerdict} vs fixed ${fixed.runsPerVerdict}`,
  );
  // It still finds most true differences (the price of the corrected looks is small).
  assert.ok(adaptive.decisive > 0.75, `decisive in ${adaptive.decisive}`);
});
