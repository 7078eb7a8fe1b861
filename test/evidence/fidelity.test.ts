import { test } from "node:test";
import assert from "node:assert/strict";
import type { SeedResult } from "../../src/evidence/study";
import {
  FIDELITY_RESAMPLES,
  fidelityScore,
  fidelitySentence,
  formatFidelity,
} from "../../src/evidence/fidelity";
import { spearman } from "../../src/stats/spearman";

const table = {
  table: "Table 4",
  cells: [
    { label: "a", metric: "acc", paper: 50.9 },
    { label: "b", metric: "acc", paper: 51.6 },
    { label: "c", metric: "acc", paper: 57.5 },
    { label: "d", metric: "acc", paper: 63.9 },
  ],
};

/** Seeds 0..n-1 of each cell: the cell's level plus a per-seed wobble. */
function runs(levels: Record<string, number>, seeds: number, wobble: number): SeedResult[] {
  return Object.entries(levels).flatMap(([label, level]) =>
    Array.from({ length: seeds }, (_, seed) => ({
      label,
      seed,
      metrics: { acc: level + wobble * Math.sin(7 * seed + label.charCodeAt(0)) },
    })),
  );
}

test("the fidelity score is Spearman of the cell means, with a fixed-seed bootstrap over seeds", () => {
  const r = runs({ a: 0.4, b: 0.41, c: 0.43, d: 0.44 }, 6, 0.002);
  const s = fidelityScore(table, r);
  // cell means in the paper's order: rho = 1; the wobble never swaps the ranks.
  assert.equal(s.rho, 1);
  assert.deepEqual(s.ci, [1, 1]);
  assert.equal(s.resamples, FIDELITY_RESAMPLES);
  assert.deepEqual([s.cells, s.of, s.seeds], [4, 4, 6]);
  // Reversed ranks, then noise that swaps neighbours: the interval widens and holds the estimate.
  const noisy = runs({ a: 0.44, b: 0.435, c: 0.43, d: 0.4 }, 6, 0.01);
  const n = fidelityScore(table, noisy);
  const means = ["a", "b", "c", "d"].map(
    (l) =>
      noisy.filter((x) => x.label === l).reduce((a, x) => a + (x.metrics.acc as number), 0) / 6,
  );
  assert.equal(n.rho, spearman(means, [50.9, 51.6, 57.5, 63.9]));
  assert.ok(n.ci && n.ci[0] <= n.rho && n.rho <= n.ci[1] && n.ci[0] < n.ci[1], JSON.stringify(n));
  // Reproducible: the bootstrap seed is fixed.
  assert.deepEqual(fidelityScore(table, noisy), n);
  assert.match(
    formatFidelity(n),
    /^Table 4: -?\d\.\d\d \[-?\d\.\d\d, -?\d\.\d\d\] over 4 cells and 6 seeds$/,
  );
  assert.match(fidelitySentence([n]) ?? "", /2000 resamples, bootstrap seed 27/);
});

test("a cell with fewer seeds is averaged over the drawn seeds it ran; too few cells give no score", () => {
  // cell d ran seeds 0 and 1 only: some draws miss both and are drawn again (counted)
  const r = runs({ a: 0.4, b: 0.41, c: 0.43 }, 6, 0.01).concat(runs({ d: 0.44 }, 2, 0.01));
  const s = fidelityScore(table, r);
  assert.equal(s.resamples, FIDELITY_RESAMPLES);
  assert.ok(s.redrawn > 0, "draws without seed 0 or 1 are redrawn");
  const few = fidelityScore(table, runs({ a: 0.4, b: 0.41 }, 3, 0));
  assert.ok(Number.isNaN(few.rho));
  assert.match(formatFidelity(few), /not computable \(2 of 4 cells; needs 3\)/);
  const one = fidelityScore(table, runs({ a: 0.4, b: 0.41, c: 0.42 }, 1, 0));
  assert.equal(one.rho, 1);
  assert.equal(one.ci, undefined);
  assert.match(formatFidelity(one), /no interval: one seed/);
});
