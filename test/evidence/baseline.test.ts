import { test } from "node:test";
import assert from "node:assert/strict";
import type { SeedResult } from "../../src/evidence/claims";
import { baselineSentence, cellGain, RANDOM_INIT_METRIC } from "../../src/evidence/baseline";

const run = (label: string, seed: number, acc: number, random?: number): SeedResult => ({
  label,
  seed,
  metrics: { linear_acc: acc, ...(random !== undefined ? { [RANDOM_INIT_METRIC]: random } : {}) },
});

test("a cell's gain over random init is taken run by run, over the runs that measured both", () => {
  const g = cellGain(
    [run("a", 0, 0.5, 0.4), run("a", 1, 0.52, 0.4), run("a", 2, 0.54, 0.41), run("a", 3, 0.6)],
    "linear_acc",
  );
  assert.equal(g.n, 3);
  assert.deepEqual(
    g.gains.map((x) => +x.toFixed(6)),
    [0.1, 0.12, 0.13],
  );
  assert.ok(Math.abs(g.mean - 0.35 / 3) < 1e-12);
  assert.ok(Math.abs(g.baseline - 1.21 / 3) < 1e-12);
  // t(0.975, 2) = 4.302652729911275; std of (0.1, 0.12, 0.13) = 0.015275252316519465
  const half = 4.302652729911275 * (0.015275252316519465 / Math.sqrt(3));
  assert.ok(
    g.ci &&
      Math.abs(g.ci[0] - (g.mean - half)) < 1e-9 &&
      Math.abs(g.ci[1] - (g.mean + half)) < 1e-9,
  );
  assert.equal(
    cellGain([run("a", 0, 0.5, 0.4)], "linear_acc").ci,
    undefined,
    "one run: no interval",
  );
});

test("the baseline sentence counts the cells above and below their random-init encoder", () => {
  const results = [
    run("crop", 0, 0.37, 0.38),
    run("color", 0, 0.42, 0.38),
    run("color", 1, 0.44, 0.39),
    run("crop+color", 0, 0.47, 0.38),
  ];
  assert.equal(
    baselineSentence(results, ["crop", "color", "crop+color", "never ran"]),
    "Against the random-init encoder of the same budget and seed (linear_acc): 2 of 3 cells score above it and 1 below it: crop; mean gains -1.0 to +9.0 points.",
  );
  assert.match(
    baselineSentence(results.slice(1), ["color", "crop+color"]) ?? "",
    /: all 2 cells score above it \(mean gains \+4\.5 to \+9\.0 points\)\.$/,
  );
  assert.equal(baselineSentence([run("a", 0, 0.5)], ["a"]), undefined, "no baseline measured");
  assert.equal(baselineSentence(results, ["other"]), undefined, "none of these cells ran");
  const onH: SeedResult = {
    label: "h",
    seed: 0,
    metrics: { linear_acc_h: 0.5, [RANDOM_INIT_METRIC]: 0.4 },
  };
  assert.match(
    baselineSentence([onH], ["h"]) ?? "",
    /\(linear_acc_h\): the one cell scores above it \(mean gain \+10\.0 points\)\.$/,
  );
});

test("runs that evaluate g(h) compare h, not g(h), with the random-init encoder (which is h's)", () => {
  // linear_acc is the configured representation g(h) in these runs; the baseline is h's.
  const gh: SeedResult[] = [0, 1].map((seed) => ({
    label: "nonlinear 128",
    seed,
    metrics: {
      linear_acc: 0.45,
      linear_acc_h: 0.47,
      linear_acc_gh: 0.45,
      [RANDOM_INIT_METRIC]: 0.4,
    },
  }));
  const said = baselineSentence(gh, ["nonlinear 128"]) ?? "";
  assert.match(
    said,
    /\(linear_acc_h\): the one cell scores above it \(mean gain \+7\.0 points\)\./,
  );
  assert.match(
    said,
    /g\(h\) \(linear_acc_gh\) is not compared with a baseline: its own random-init baseline .* is not measured/,
  );
});
