import { test } from "node:test";
import assert from "node:assert/strict";
import { overrideValue, studyFigure } from "../../src/plot/study";
import { augmentationGridStudy } from "../../src/studies/augmentations";
import { studyCells } from "../../src/grid/study-grid";
import type { Study } from "../../src/evidence/study";

test("axis keys pick fields or array elements of a cell's overrides", () => {
  const o = { augment: { ops: ["crop", "color"] }, head: { kind: "linear" } };
  assert.equal(overrideValue(o, "head.kind"), "linear");
  assert.equal(overrideValue(o, "augment.ops[0]"), "crop");
  assert.equal(overrideValue(o, "augment.ops[-1]"), "color");
  assert.equal(overrideValue({ augment: { ops: ["crop"] } }, "augment.ops[-1]"), "crop");
  assert.equal(overrideValue(o, "missing[0]"), undefined);
});

test("Figure 5's study draws a row-by-column heatmap with the diagonal as single transformations", () => {
  const cells = studyCells(augmentationGridStudy, "tiny");
  const results = cells.map((c, i) => ({
    label: c.label ?? "",
    seed: 0,
    metrics: { linear_acc: i / 10 },
  }));
  const fig = studyFigure(augmentationGridStudy, results, undefined, "tiny");
  assert.equal(fig.data[0].type, "heatmap");
  assert.deepEqual(fig.data[0].y, ["crop", "color", "rotate"]);
  assert.deepEqual(fig.data[0].x, ["crop", "color", "rotate"]);
  // row "crop", column "color" is the cell "crop+color" (index 1); the diagonal (color, color) is index 4
  const z = fig.data[0].z as number[][];
  assert.equal(z[0][1], 0.1);
  assert.equal(z[1][1], 0.4);
});

test("bars group by a field, average seeds, and carry the paper's numbers by category", () => {
  const study: Study = {
    name: "h",
    description: "",
    base: {},
    cells: [
      { label: "linear 32", overrides: { head: { kind: "linear", outDim: 32 } } },
      { label: "nonlinear 32", overrides: { head: { kind: "nonlinear", outDim: 32 } } },
    ],
    seeds: 2,
    metrics: ["acc"],
    plot: { kind: "bars", x: "head.outDim", group: "head.kind", title: "top-1" },
    paper: { metric: "acc", values: { "32": 64 }, source: "Figure 8" },
  };
  const results = [
    { label: "linear 32", seed: 0, metrics: { acc: 0.4 } },
    { label: "linear 32", seed: 1, metrics: { acc: 0.6 } },
    { label: "nonlinear 32", seed: 0, metrics: { acc: 0.7 } },
  ];
  const fig = studyFigure(study, results);
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.y]),
    [
      ["linear", [0.5]],
      ["nonlinear", [0.7]],
      ["paper (Figure 8)", [64]],
    ],
  );
  assert.equal((fig.layout.title as { text: string }).text, "h: top-1");
});
