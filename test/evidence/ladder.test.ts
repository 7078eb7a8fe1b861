import { test } from "node:test";
import assert from "node:assert/strict";
import { ladderStudyOf, rungCell, validateLadders } from "../../src/evidence/ladder";
import {
  decideTrends,
  ladderTrends,
  slopeSentence,
  type LadderTrend,
} from "../../src/evidence/ladder-trend";
import { budgetTrend } from "../../src/stats/trend";
import { validateStudy, type Study } from "../../src/evidence/study";
import { cellLabel, expandDotted, planStudy, studyCells } from "../../src/grid/study-grid";
import { projectConfigResolver } from "../../src/sweep/run-study";
import { batchSizeStudy } from "../../src/studies/batch-size";
import { projectionHeadStudy } from "../../src/studies/projection-head";
import { ladderSentence, publishedText } from "../../src/evidence/ladder-report";
import { noPublishedComparison, publishedBatchComparison } from "../../src/paper/reference";
import { ladderStudies } from "../../src/studies";
import { kCells, standIn } from "../support/stand-in";

/** The labels of cells a and b at rungs 1, 3 and 10 of a 2-epoch study. */
const RUNG_LABELS = [
  "a",
  "b",
  "a, train.epochs=6",
  "b, train.epochs=6",
  "a, train.epochs=20",
  "b, train.epochs=20",
];

/** Two labelled cells, a third, epochs from the preset; cells a and b get 3 seeds at tiny. */
function study(multipliers: number[] = [1, 3, 10]): Study {
  return standIn<Study>({
    name: "cmp",
    description: "",
    base: {},
    cells: kCells("a", "b", "c"),
    presets: {
      tiny: { overrides: { train: { epochs: 2 } }, seeds: 1, cellSeeds: { a: 3, b: 3 } },
      other: {
        overrides: { train: { epochs: 4 } },
        cells: kCells("a"),
      },
    },
    seeds: 1,
    metrics: ["acc"],
    claims: [{ id: "a-beats-b", claim: "a beats b", metric: "acc", better: "a", worse: "b" }],
    ladders: [{ claim: "a-beats-b", multipliers }],
  });
}

test("a ladder study plans the claim's two cells at every rung, on the study's seeds", () => {
  const l = ladderStudyOf(study());
  assert.equal(l.name, "cmp-ladder");
  assert.equal(l.claims, undefined, "no claims of its own: the findings table stays the study's");
  assert.deepEqual(
    Object.keys(l.presets ?? {}),
    ["tiny"],
    "'other' has no cell b: no ladder there",
  );
  const plans = planStudy(l, { preset: "tiny" });
  assert.deepEqual(
    plans.map((p) => `${p.label}/${p.seed}/${JSON.stringify(p.config.train)}`),
    RUNG_LABELS.flatMap((label, i) =>
      [0, 1, 2].map((s) => `${label}/${s}/{"epochs":${[2, 6, 20][Math.floor(i / 2)]}}`),
    ),
  );
  // rung 1 is the study's own cell: the same config (hence hash) for the same seed
  const own = planStudy(study(), { preset: "tiny" }).filter((p) => p.label === "a");
  assert.deepEqual(
    own.map((p) => p.configHash),
    plans.filter((p) => p.label === "a").map((p) => p.configHash),
  );
  assert.deepEqual(
    l.ladderOf?.presets.tiny?.[0]?.rungs.map((r) => [r.multiplier, r.epochs, r.better, r.worse]),
    [
      [1, 2, "a", "b"],
      [3, 6, "a, train.epochs=6", "b, train.epochs=6"],
      [10, 20, "a, train.epochs=20", "b, train.epochs=20"],
    ],
  );
});

test("a ladder is refused with fewer than 3 rungs, an unknown claim or a side of two cells", () => {
  assert.throws(
    () => validateStudy(study([1, 3])),
    /'a-beats-b' needs at least 3 increasing multipliers starting at 1/,
  );
  assert.throws(() => validateStudy(study([2, 3, 10])), /starting at 1/);
  assert.throws(() => validateStudy(study([1, 10, 3])), /increasing/);
  const perPreset = study();
  const tinyTwo = {
    ...perPreset,
    ladders: [{ claim: "a-beats-b", multipliers: [1, 3, 10], presets: { tiny: [1, 2] } }],
  };
  assert.throws(() => validateStudy(tinyTwo), /'a-beats-b' at preset 'tiny' needs at least 3/);
  const s = study();
  assert.throws(
    () => validateLadders({ ...s, ladders: [{ claim: "nope", multipliers: [1, 3, 10] }] }),
    /study 'cmp': ladders names no claim 'nope'/,
  );
  const two = { ...s, claims: [{ ...s.claims![0]!, worse: {} }] };
  assert.throws(() => ladderStudyOf(two), /must select one cell per side, \{\} selects 3/);
  assert.throws(() => rungCell({ label: "a", overrides: {} }, 1.5, 3), /4.5 is not a whole number/);
  const searched = { ...s, search: { name: "s", over: [], choose: "max mean acc", presets: {} } };
  assert.throws(
    () => ladderStudyOf(searched),
    /has a search stage: ladder the comparison at its chosen settings/,
  );
});

test("Figure 9's grid is the short training's ladder: the same labels and overrides as the grid it replaced", () => {
  const grid = [128, 512].flatMap((b) =>
    [2, 6].flatMap((e) =>
      (["linear", "sqrt"] as const).map((s) => {
        const f = { "train.batchSize": b, "train.epochs": e, "optimizer.lrScaling": s };
        return { label: cellLabel(f), overrides: expandDotted(f) };
      }),
    ),
  );
  assert.deepEqual(studyCells(batchSizeStudy), grid);
  assert.deepEqual(ladderStudies.map((s) => s.name).sort(), [
    "batch-size-ladder",
    "projection-head-ladder",
  ]);
  const l = ladderStudies.find((s) => s.name === "batch-size-ladder")!;
  const small = planStudy(l, { preset: "small", resolveConfig: projectConfigResolver });
  const own = new Map(
    planStudy(batchSizeStudy, { preset: "small", resolveConfig: projectConfigResolver }).map(
      (p) => [`${p.label}/${p.seed}`, p.configHash],
    ),
  );
  // 2 cells x 3 rungs x the claim cells' 4 seeds, 8000 images at every rung
  assert.equal(small.length, 24);
  assert.deepEqual([...new Set(small.map((p) => p.seed))], [0, 1, 2, 3]);
  assert.deepEqual([...new Set(small.map((p) => p.config.train.epochs))], [2, 6, 20]);
  assert.ok(small.every((p) => p.config.data.trainLimit === 8000));
  // at tiny, the plumbing: 2, 3 and 4 epochs, one seed
  const tiny = planStudy(l, { preset: "tiny", resolveConfig: projectConfigResolver });
  assert.deepEqual(
    tiny.map((p) => [p.config.train.epochs, p.config.train.batchSize, p.seed]),
    [2, 3, 4].flatMap((e) => [
      [e, 512, 0],
      [e, 128, 0],
    ]),
  );
  // rungs 1 and 3 are the study's 2- and 6-epoch cells, config hash for config hash
  const shared = small.filter((p) => p.config.train.epochs < 20);
  assert.equal(shared.length, 16);
  for (const p of shared) assert.equal(p.configHash, own.get(`${p.label}/${p.seed}`), p.label);
});

test("the ladder's trend reads the paired differences per rung from the runs", () => {
  const l = ladderStudyOf(study());
  const rungs = l.ladderOf!.presets.tiny![0]!.rungs;
  // a - b by seed: rung 1 -0.01, rung 2 +0.01, rung 3 +0.03 (+ seed/1000); seed 2 lacks rung 3's b
  const results = rungs.flatMap((r, i) =>
    [0, 1, 2].flatMap((seed) => [
      { label: r.better, seed, metrics: { acc: 0.5 + (i - 1.5) * 0.02 + seed / 1000 } },
      ...(i === 2 && seed === 2 ? [] : [{ label: r.worse, seed, metrics: { acc: 0.5 } }]),
    ]),
  );
  const [t] = ladderTrends(l, results, "tiny");
  assert.ok(t);
  assert.deepEqual(
    t.trend.rungs.map((r) => [r.budget, r.n, Number(r.mean.toFixed(6))]),
    [
      [2, 3, -0.029],
      [6, 3, -0.009],
      [20, 2, 0.0105],
    ],
  );
  assert.deepEqual(t.trend.slope?.seeds, [0, 1]);
  assert.match(
    slopeSentence(t),
    /^slope \+[0-9.]+ \[\+[0-9.]+, \+[0-9.]+\] points per tenfold budget over 2 seeds: toward the paper's direction/,
  );
  assert.deepEqual(ladderTrends(study(), results, "tiny"), [], "a study that is no ladder");
});

test("a ladder's trend keeps one CPU model: runs of the claim's cells on another are left out and named", () => {
  const l = ladderStudyOf(study());
  const rungs = l.ladderOf!.presets.tiny![0]!.rungs;
  // CPU A: a - b = +0.01 x rung index + seed/1000 at every rung and seed 0-2
  const onA = rungs.flatMap((r, i) =>
    [0, 1, 2].flatMap((seed) => [
      { label: r.better, seed, cpu: "A", metrics: { acc: 0.5 + 0.01 * i + seed / 1000 } },
      { label: r.worse, seed, cpu: "A", metrics: { acc: 0.5 } },
    ]),
  );
  // CPU B: the top rung of seeds 0 and 1 again, later in the list, with the effect reversed
  const onB = [0, 1].flatMap((seed) => [
    { label: rungs[2]!.better, seed, cpu: "B", metrics: { acc: 0.4 } },
    { label: rungs[2]!.worse, seed, cpu: "B", metrics: { acc: 0.6 } },
  ]);
  const [alone] = ladderTrends(l, onA, "tiny");
  const [mixed] = ladderTrends(l, [...onA, ...onB], "tiny");
  assert.ok(alone && mixed);
  assert.deepEqual(mixed.trend, alone.trend, "B's runs change nothing");
  assert.deepEqual(mixed.cpu, { cpu: "A", left: 4 });
  assert.deepEqual(alone.cpu, { cpu: "A", left: 0 });
  assert.match(
    ladderSentence(mixed),
    /; CPU model as a blocking factor: runs on A only, 4 runs on other CPU models left out\.$/,
  );
  assert.doesNotMatch(ladderSentence(alone), /blocking factor/);
});

test("a ladder's own overrides reach every rung on both sides under the study's labels; train.epochs and clashing overrides are refused", () => {
  const s = study();
  const drop = { eval: { transformProbe: false as const } };
  const l = ladderStudyOf({
    ...s,
    ladders: [{ claim: "a-beats-b", multipliers: [1, 3, 10], overrides: drop }],
  });
  const plans = planStudy(l, { preset: "tiny" });
  assert.equal(plans.length, 18);
  assert.ok(
    plans.every((p) => (p.config.eval as { transformProbe?: unknown }).transformProbe === false),
  );
  assert.deepEqual([...new Set(plans.map((p) => p.label))], RUNG_LABELS);
  assert.deepEqual(l.ladderOf?.presets.tiny?.[0]?.overrides, drop);
  assert.match(l.description, /every rung with \{"eval":\{"transformProbe":false\}\}/);
  // rung 1 differs from the study's own cell by the ladder's overrides only
  const own = planStudy(s, { preset: "tiny" }).find((p) => p.label === "a" && p.seed === 0)!;
  const rung1 = plans.find((p) => p.label === "a" && p.seed === 0)!;
  const ownEval = (own.config.eval ?? {}) as Record<string, unknown>;
  assert.deepEqual(rung1.config, { ...own.config, eval: { ...ownEval, transformProbe: false } });
  assert.notEqual(rung1.configHash, own.configHash);
  assert.throws(
    () =>
      validateLadders({
        ...s,
        ladders: [
          { claim: "a-beats-b", multipliers: [1, 3, 10], overrides: { train: { epochs: 4 } } },
        ],
      }),
    /claim 'a-beats-b' sets train.epochs in its overrides; the rungs set it/,
  );
  const twoClaims: Study = {
    ...s,
    claims: [
      ...s.claims!,
      { id: "a-beats-c", claim: "a beats c", metric: "acc", better: "a", worse: "c" },
    ],
    presets: { tiny: { overrides: { train: { epochs: 2 } }, seeds: 2 } },
    ladders: [
      { claim: "a-beats-b", multipliers: [1, 3, 10], overrides: drop },
      { claim: "a-beats-c", multipliers: [1, 3, 10] },
    ],
  };
  assert.throws(
    () => ladderStudyOf(twoClaims),
    /two laddered claims run cell 'a' with different overrides/,
  );
});

test("the projection-head ladder: non-linear against linear 128 at 6, 18 and 60 epochs on the claim's 4 seeds, without the transformation probe", () => {
  const l = ladderStudies.find((s) => s.name === "projection-head-ladder")!;
  const small = planStudy(l, { preset: "small", resolveConfig: projectConfigResolver });
  assert.equal(small.length, 24);
  assert.deepEqual([...new Set(small.map((p) => p.seed))], [0, 1, 2, 3]);
  assert.deepEqual([...new Set(small.map((p) => p.config.train.epochs))], [6, 18, 60]);
  assert.deepEqual(
    [...new Set(small.map((p) => `${p.config.head.kind} ${p.config.head.outDim}`))],
    ["nonlinear 128", "linear 128"],
  );
  // the claim's metric is still logged (h and g(h)), the probe it does not read is left out
  assert.ok(
    small.every(
      (p) => p.config.eval.representation === "gh" && p.config.eval.transformProbe === false,
    ),
  );
  const own = planStudy(projectionHeadStudy, {
    preset: "small",
    resolveConfig: projectConfigResolver,
  });
  for (const p of small.filter((x) => x.config.train.epochs === 6)) {
    const o = own.find((x) => x.label === p.label && x.seed === p.seed)!;
    assert.equal(o.config.eval.transformProbe, "mlp");
    assert.deepEqual(
      p.config,
      { ...o.config, eval: { ...o.config.eval, transformProbe: false } },
      p.label,
    );
  }
});

test("a ladder's published comparison is said beside its trend, from the reference table", () => {
  const p = publishedBatchComparison("lightly benchmarks", 200, 512, 128);
  assert.deepEqual(
    [p.better, p.worse, p.betterName, p.worseName],
    [84.8, 84.7, "batch 512", "batch 128"],
  );
  assert.throws(
    () => publishedBatchComparison("lightly benchmarks", 200, 512, 256),
    /no row of 'lightly benchmarks' at 200 epochs and batch 256/,
  );
  const l = ladderStudyOf({
    ...study(),
    ladders: [{ claim: "a-beats-b", multipliers: [1, 3, 10], published: p }],
  });
  const rungs = l.ladderOf!.presets.tiny![0]!.rungs;
  const results = rungs.flatMap((r, i) =>
    [0, 1, 2].flatMap((seed) => [
      { label: r.better, seed, metrics: { acc: 0.5 + i * 0.01 + seed / 1000 } },
      { label: r.worse, seed, metrics: { acc: 0.5 } },
    ]),
  );
  const [t] = ladderTrends(l, results, "tiny");
  assert.ok(t);
  assert.equal(
    publishedText(t),
    "published at a larger budget (lightly benchmarks; ResNet-18, 200 epochs, kNN k=200, one run per batch size): batch 512 84.8% against batch 128 84.7%, +0.1 points, no interval (one run each)",
  );
  assert.match(
    ladderSentence(t),
    /^a beats b: 2 epochs \(1x\): \+0\.10 .*; slope .*; published at a larger budget .*\.$/,
  );
  const [bare] = ladderTrends(ladderStudyOf(study()), results, "tiny");
  assert.equal(publishedText(bare!), "");
  assert.doesNotMatch(ladderSentence(bare!), /published/);
  // none known: the references searched are named, from the reference table
  const none = noPublishedComparison("a with b", "one setting of it");
  const [unknown] = ladderTrends(
    ladderStudyOf({
      ...study(),
      ladders: [{ claim: "a-beats-b", multipliers: [1, 3, 10], published: none }],
    }),
    results,
    "tiny",
  );
  assert.equal(
    publishedText(unknown!),
    "no published small-scale comparison: none of the small-scale CIFAR-10 references tracked here (google-research/simclr README, solo-learn README, lightly benchmarks, sthalles/SimCLR README) compares a with b: each reports one setting of it only",
  );
  assert.match(ladderSentence(unknown!), /; no published small-scale comparison: .*\.$/);
});

test("the ladders of a table decide their slopes' directions in one Holm family over both directions, as the table's claims do (scipy)", () => {
  const close = (a: number | undefined, b: number, what: string): void =>
    assert.ok(Math.abs((a ?? NaN) - b) <= 1e-9, `${what}: ${a} vs ${b}`);
  // two rungs a decade apart with difference 0 at the first: each seed's slope is its second value
  const trendOf = (claim: string, slopes: number[]): LadderTrend => ({
    study: "s",
    preset: "small",
    plan: { claim, statement: claim, metric: "acc", rungs: [] },
    trend: budgetTrend([
      { budget: 1, differences: new Map(slopes.map((_, s) => [s, 0])) },
      { budget: 10, differences: new Map(slopes.map((v, s) => [s, v])) },
    ]),
    accuracy: false,
    cpu: { cpu: "x", left: 0 },
  });
  const a = trendOf("a", [1.0, 1.2, 0.9, 1.1]);
  const b = trendOf("b", [0.5, 0.2, 0.9, 0.45]);
  // scipy.stats.ttest_1samp(v, 0, alternative="greater").pvalue; b alone: 95% CI [0.0514, 0.9736]
  close(a.trend.slope?.p, 0.00025274267306952077, "a's one-sided p");
  close(b.trend.slope?.p, 0.01921667817007229, "b's one-sided p");
  assert.equal(b.trend.decided, true, "alone, b's interval excludes 0");
  const [da, db] = decideTrends([a, b]);
  // Holm over the 4 one-sided p-values: a's x 4, then b's x 3 = 0.0577 > 0.05
  assert.equal(da?.trend.decided, true);
  close(da?.holm?.p, 4 * 0.00025274267306952077, "a's Holm p");
  assert.equal(db?.trend.decided, false, "in the family of two, b's direction is not decided");
  close(db?.holm?.p, 3 * 0.01921667817007229, "b's Holm p");
  assert.equal(da?.holm?.family, 2);
  assert.match(
    slopeSentence(db!),
    /: no clear trend \(Holm p = 0\.0577 over both directions of the slopes of 2 laddered claims; the mean points toward the paper\)$/,
  );
  assert.match(slopeSentence(da!), /: toward the paper's direction \(Holm p = 0\.00101 over/);
  // a slope of one seed takes no part in the family
  const one = trendOf("c", [0.7]);
  const [, , dc] = decideTrends([a, b, one]);
  assert.equal(dc?.holm, undefined);
  assert.equal(dc?.trend.decided, false);
});
