import { test } from "node:test";
import assert from "node:assert/strict";
import { labelWords, overrideValue, studyFigure } from "../../src/plot/study";
import { searchStudyOf } from "../../src/evidence/search";
import { lossStudy } from "../../src/studies/loss-temperature";
import { augmentationGridStudy, colorStrengthStudy } from "../../src/studies/augmentations";
import { batchSizeStudy } from "../../src/studies/batch-size";
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
  // the paper's percentages on the data's scale (fractions), in each series' slot
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.y]),
    [
      ["linear", [0.5]],
      ["nonlinear", [0.7]],
      ["paper, linear, Figure 8 (% as a fraction)", [0.64]],
      ["paper, nonlinear, Figure 8 (% as a fraction)", [0.64]],
    ],
  );
  assert.equal((fig.layout.title as { text: string }).text, "h: top-1");
  const words = (axis: string): string =>
    (fig.layout[axis] as { title: { text: string } }).title.text;
  assert.equal(words("xaxis"), "output dimension of the head");
  assert.equal((fig.layout.legend as { title: { text: string } }).title.text, "projection head");
});

const runsOf = (
  labels: readonly string[],
  seeds: number,
  value: (l: string, s: number) => Record<string, number>,
) =>
  labels.flatMap((label) =>
    Array.from({ length: seeds }, (_, seed) => ({ label, seed, metrics: value(label, seed) })),
  );

test("Figure 9's bars keep linear and square-root learning-rate scaling apart (no bar averages two cells)", () => {
  const cells = studyCells(batchSizeStudy, "small");
  const results = runsOf(
    cells.map((c) => c.label ?? ""),
    2,
    (l, s) => ({
      linear_acc: (l.includes("sqrt") ? 0.3 : 0.5) + s / 100,
      random_init_linear_acc: 0.2,
    }),
  );
  const fig = studyFigure(batchSizeStudy, results, undefined, "small");
  const bars = fig.data.filter((t) => t.type === "bar");
  assert.deepEqual(
    bars.map((t) => t.name),
    ["2 / linear", "2 / sqrt", "6 / linear", "6 / sqrt"],
  );
  for (const t of bars) {
    const want = String(t.name).endsWith("sqrt") ? 0.305 : 0.505;
    for (const y of t.y as number[]) assert.ok(Math.abs(y - want) < 1e-12, `${t.name}: ${y}`);
  }
  assert.equal(
    (fig.layout.legend as { title: { text: string } }).title.text,
    "epochs / learning-rate scaling",
  );
});

test("Table 1's bars score supervised cells by supervised_acc, as the claim does, and draw the paper's row on the same axis", () => {
  const cells = studyCells(colorStrengthStudy, "small");
  const results = runsOf(
    cells.map((c) => c.label ?? ""),
    2,
    (l) => ({
      linear_acc: l.startsWith("simclr") ? 0.4 : 0.1,
      supervised_acc: 0.7,
      random_init_linear_acc: 0.25,
    }),
  );
  const fig = studyFigure(colorStrengthStudy, results, undefined, "small");
  const bars = fig.data.filter((t) => t.type === "bar" && !String(t.name).startsWith("paper"));
  const sup = bars.find((t) => String(t.name).startsWith("supervised"));
  assert.ok(sup, bars.map((t) => t.name).join(", "));
  assert.deepEqual(sup.y, [0.7, 0.7, 0.7, 0.7]);
  assert.match(String(sup.name), /supervised classifier's accuracy/);
  assert.ok(
    bars.every((t) => /\(.+accuracy\)$/.test(String(t.name))),
    "each series names its metric",
  );
  const paper = fig.data.filter((t) => String(t.name).startsWith("paper"));
  assert.equal(paper.length, 2);
  for (const p of paper) {
    assert.ok(
      (p.y as (number | null)[]).every((v) => v !== null && v > 0 && v < 1),
      String(p.name),
    );
    assert.equal(p.yaxis, undefined);
  }
  // the baseline: simclr runs only (supervised_acc has no random-init counterpart)
  const line = (fig.layout.shapes as { y0: number; name: string }[])[0];
  assert.equal(line?.y0, 0.25);
  assert.match(line?.name ?? "", /over the 8 runs shown/);
});

test("Figure 5's heatmap names its axes in words and centres a diverging scale on the random-init baseline", () => {
  const cells = studyCells(augmentationGridStudy, "tiny");
  const results = cells.flatMap((c, i) => [
    { label: c.label ?? "", seed: 0, metrics: { linear_acc: i / 10, random_init_linear_acc: 0.3 } },
    { label: c.label ?? "", seed: 1, metrics: { linear_acc: i / 10, random_init_linear_acc: 0.4 } },
  ]);
  const fig = studyFigure(augmentationGridStudy, results, undefined, "tiny");
  const axis = (a: string): string => (fig.layout[a] as { title: { text: string } }).title.text;
  assert.equal(axis("xaxis"), "second transformation");
  assert.equal(axis("yaxis"), "first transformation");
  assert.ok(!JSON.stringify(fig).includes("augment.ops"));
  assert.equal(fig.data[0].zmid, 0.35);
  // cells 0..3 (0, 0.1, 0.2, 0.3) are below 0.35
  assert.match(
    (fig.layout.title as { text: string }).text,
    /white: random-init encoder, linear evaluation: 0\.350 .*4 of 9 cells below it/,
  );
});

test("a cell label's config keys read in words on the axis (the search stage's bars)", () => {
  assert.equal(labelWords("ntxent loss.temperature=0.2"), "ntxent, temperature τ 0.2");
  assert.equal(
    labelWords("train.batchSize=128, train.epochs=2, optimizer.lrScaling=linear"),
    "batch size 128, epochs 2, learning-rate scaling linear",
  );
  assert.equal(labelWords("l2 tau=0.5"), "l2 tau=0.5");
  const search = searchStudyOf(lossStudy);
  const labels = studyCells(search, "small").map((c) => c.label ?? "");
  const fig = studyFigure(
    search,
    labels.map((label, i) => ({ label, seed: 100, metrics: { linear_acc: 0.4 + i / 100 } })),
    undefined,
    "small",
  );
  const shown = JSON.stringify(fig);
  assert.ok(
    !/loss\.(temperature|margin)|linear_acc/.test(shown),
    "no config key or metric as code",
  );
  assert.match(shown, /ntxent, temperature τ 0\.2/);
});
