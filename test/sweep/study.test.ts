import { test } from "node:test";
import assert from "node:assert/strict";
import {
  expandDotted,
  mergeResolver,
  planStudy,
  selectCells,
  studyCells,
} from "../../src/grid/study-grid";
import { validateStudy, type Study } from "../../src/evidence/study";
import { getStudy, listStudies, registerStudy } from "../../src/sweep/registry";
import { lastJsonObject } from "../../src/sweep/executor";
import { formatDuration, formatProgress } from "../../src/sweep/progress";
import { configHash } from "../../src/track/hash";
import { standIn } from "../support/stand-in";

const grid: Study = {
  name: "grid-unit",
  description: "d",
  base: { train: { epochs: 2 } },
  presets: { small: { overrides: { train: { epochs: 9 } } } },
  grid: { "head.kind": ["linear", "nonlinear"], "loss.temperature": [0.1, 0.5, 1] },
  seeds: 2,
  metrics: ["linear_acc"],
};

test("a grid study expands to the product of its fields times seeds, each with its own config hash", () => {
  const plans = planStudy(grid, { preset: "tiny" });
  assert.equal(plans.length, 2 * 3 * 2);
  assert.equal(plans[0].label, "head.kind=linear, loss.temperature=0.1");
  assert.deepEqual(plans[0].config, {
    preset: "tiny",
    train: { epochs: 2 },
    head: { kind: "linear" },
    loss: { temperature: 0.1 },
    seed: 0,
  });
  assert.equal(plans[1].seed, 1);
  assert.equal(plans[0].configHash, configHash(plans[0].config));
  assert.equal(new Set(plans.map((p) => p.configHash)).size, 12);
  assert.equal(plans[0].runName, "head.kind=linear, loss.temperature=0.1/seed0 (grid-unit)");
  const small = planStudy(grid, { preset: "small", seeds: 1 });
  assert.equal(small.length, 6);
  assert.deepEqual(small[0].config.train, { epochs: 9 });
});

test("explicit cells keep their labels and order; a preset's cells and seeds replace them there", () => {
  const s: Study = {
    name: "pairs",
    description: "",
    base: {},
    cells: [
      { label: "crop+color", overrides: standIn({ ops: ["crop", "color"] }) },
      standIn({ ops: ["crop"] }),
    ],
    presets: {
      tiny: { cells: [{ label: "only", overrides: standIn({ ops: ["color"] }) }], seeds: 1 },
    },
    seeds: 3,
    metrics: ["acc"],
  };
  assert.deepEqual(
    studyCells(s).map((c) => c.label),
    ["crop+color", 'ops=["crop"]'],
  );
  assert.equal(planStudy(s, { preset: "small" }).length, 6);
  const tiny = planStudy(s, { preset: "tiny" });
  assert.deepEqual(
    tiny.map((p) => [p.label, p.seed]),
    [["only", 0]],
  );
  assert.deepEqual(
    selectCells(s, standIn({ ops: ["crop"] })).map((c) => c.label),
    ['ops=["crop"]'],
  );
  assert.deepEqual(selectCells(s, "crop+color").length, 1);
});

test("a preset's cellSeeds give named cells more seeds; an explicit seed count overrides them", () => {
  const s: Study = {
    name: "fig5-unit",
    description: "",
    base: {},
    cells: [
      { label: "crop", overrides: standIn({ ops: ["crop"] }) },
      { label: "crop+color", overrides: standIn({ ops: ["crop", "color"] }) },
      { label: "blur", overrides: standIn({ ops: ["blur"] }) },
    ],
    seeds: 1,
    presets: { small: { cellSeeds: { crop: 3, "crop+color": 2 } } },
    metrics: ["acc"],
  };
  assert.deepEqual(
    planStudy(s, { preset: "small" }).map((p) => `${p.label}/${p.seed}`),
    ["crop/0", "crop/1", "crop/2", "crop+color/0", "crop+color/1", "blur/0"],
  );
  assert.equal(planStudy(s, { preset: "tiny" }).length, 3);
  assert.equal(planStudy(s, { preset: "small", seeds: 1 }).length, 3);
  assert.throws(
    () => validateStudy({ ...s, presets: { small: { cellSeeds: { rotate: 3 } } } }),
    /presets.small.cellSeeds names cell 'rotate', which the small preset does not have/,
  );
  assert.throws(
    () => validateStudy({ ...s, presets: { small: { cellSeeds: { crop: 0 } } } }),
    /presets.small.cellSeeds\['crop'\] must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => validateStudy({ ...s, presets: { small: { seeds: 0 } } }),
    /presets.small.seeds must be an integer >= 1, got 0/,
  );
});

test("dotted override keys expand into nested objects and merge", () => {
  assert.deepEqual(expandDotted(standIn({ "a.b": 1, "a.c": 2, d: 3 })), {
    a: { b: 1, c: 2 },
    d: 3,
  });
  assert.deepEqual(mergeResolver("tiny", { loss: { temperature: 1 } }, { loss: { margin: 2 } }), {
    preset: "tiny",
    loss: { temperature: 1, margin: 2 },
  });
});

test("invalid studies are rejected naming the field", () => {
  assert.throws(() => validateStudy({ ...grid, name: "bad name!" }), /study name "bad name!"/);
  assert.throws(() => validateStudy({ ...grid, seeds: 0 }), /seeds must be an integer >= 1/);
  assert.throws(() => validateStudy({ ...grid, metrics: [] }), /metrics must list at least one/);
  assert.throws(
    () => validateStudy({ ...grid, grid: standIn({ x: [] }) }),
    /grid field 'x' needs a non-empty array/,
  );
  assert.throws(
    () =>
      validateStudy({
        ...grid,
        claims: [{ id: "c", claim: "c", metric: "m", better: { "head.kind": "mlp" }, worse: "x" }],
      }),
    /claim 'c' \("c"\) better selector \{"head.kind":"mlp"\} matches no cell/,
  );
  const claim = { id: "a", claim: "c", metric: "m", better: "x", worse: "x" };
  const sel = { "head.kind": "linear" };
  assert.throws(
    () => validateStudy({ ...grid, claims: [{ ...claim, id: "" }] }),
    /claim "c" needs an id of letters, digits/,
  );
  assert.throws(
    () =>
      validateStudy({
        ...grid,
        claims: [
          { ...claim, better: sel, worse: sel },
          { ...claim, better: sel, worse: sel },
        ],
      }),
    /two claims share the id 'a'/,
  );
  assert.throws(
    () => planStudy(grid, { preset: "tiny", seeds: 1.5 }),
    /--seeds must be an integer/,
  );
});

test("the registry returns registered studies and names the known ones for an unknown name", () => {
  registerStudy(grid);
  assert.equal(getStudy("grid-unit"), grid);
  assert.ok(listStudies().some((s) => s.name === "grid-unit"));
  assert.throws(
    () => getStudy("no-such-study"),
    /unknown study 'no-such-study'; known studies: .*grid-unit/,
  );
});

test("the cell's result is the last JSON object on stdout", () => {
  assert.deepEqual(lastJsonObject('log\n{"a":1}\nmore log\n{"run_id":"x","acc":0.5}\n'), {
    run_id: "x",
    acc: 0.5,
  });
  assert.deepEqual(lastJsonObject('progress\n{\n  "a": 2\n}\n'), { a: 2 });
  assert.equal(lastJsonObject("no json here\n[1,2]\n"), undefined);
});

test("progress shows cells done, time per cell and time left", () => {
  assert.equal(formatDuration(12.34), "12.3s");
  assert.equal(formatDuration(245), "4m 05s");
  assert.equal(formatDuration(3720), "1h 02m");
  const line = formatProgress(
    {
      study: "s",
      total: 4,
      done: 1,
      skipped: 1,
      failed: 0,
      meanCellSeconds: 30,
      etaSeconds: 90,
      elapsedSeconds: 31,
      running: "x=2 seed 0",
    },
    8,
  );
  assert.equal(
    line,
    "s [##......] 1/4 cells (1 skipped) | 30.0s/cell | ETA 1m 30s | running x=2 seed 0",
  );
});
