import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyChoices,
  chooseSettings,
  parseChooseRule,
  SearchNotFinished,
  searchStatus,
  searchStudyOf,
  type SearchRun,
  type SearchAxis,
} from "../../src/evidence/search";
import { kCells, standIn } from "../support/stand-in";
import { deviationRows, searchMarkdownLines } from "../../src/evidence/protocol-text";
import { validateStudy, type Study } from "../../src/evidence/study";
import { planStudy } from "../../src/grid/study-grid";
import { getStudy } from "../../src/sweep/registry";
import { runSweep } from "../../src/sweep/sweep";
import { protocolHtml } from "../../src/report/protocol-html";
import type { ReportData, ReportRun } from "../../src/evidence/runs";

/** A comparison of two cells, `a` searched over x, `b` over y, on seeds 0-1; search seeds 7-8. */
function study(searchSeeds: number[] = [7, 8], choose = "max mean acc"): Study {
  return standIn<Study>({
    name: "cmp",
    description: "",
    base: {},
    cells: kCells("a", "b"),
    presets: { tiny: { overrides: { epochs: 6 } } },
    seeds: 2,
    metrics: ["acc"],
    search: {
      name: "cmp-search",
      choose,
      over: [
        { cells: ["a"], field: "x", values: [1, 2, 3] },
        { cells: ["b"], field: "y", values: [10, 20] },
      ],
      presets: { tiny: { seeds: searchSeeds, budget: { epochs: 2 } } },
    },
  });
}

/** Finished search runs of every planned cell and seed, acc from `score`. */
function runs(s: Study, score: (label: string, seed: number) => number): SearchRun[] {
  return planStudy(searchStudyOf(s), { preset: "tiny" }).map((p) => ({
    label: p.label,
    seed: p.seed,
    status: "FINISHED",
    runId: `${p.label}/${p.seed}`,
    metrics: { acc: score(p.label, p.seed) },
  }));
}

test("the search study plans each searched cell at each value on the search's own seeds and budget", () => {
  const plans = planStudy(searchStudyOf(study()), { preset: "tiny" });
  assert.deepEqual(
    plans.map((p) => `${p.label}/${p.seed}`),
    [
      "a x=1/7",
      "a x=1/8",
      "a x=2/7",
      "a x=2/8",
      "a x=3/7",
      "a x=3/8",
      "b y=10/7",
      "b y=10/8",
    ].concat(["b y=20/7", "b y=20/8"]),
  );
  assert.deepEqual(plans[2]?.config, { preset: "tiny", epochs: 2, k: "a", x: 2, seed: 7 });
});

test("the choice is the value with the highest mean over the search seeds, with the runs it came from", () => {
  const s = study();
  const acc: Record<string, number> = { "a x=1": 0.4, "a x=2": 0.6, "a x=3": 0.5 };
  const choices = chooseSettings(
    s,
    "tiny",
    runs(s, (l, seed) => (acc[l] ?? (l === "b y=20" ? 0.3 : 0.2)) + seed / 1000),
  );
  assert.deepEqual(
    choices.map((c) => [c.cell, c.field, c.value]),
    [
      ["a", "x", 2],
      ["b", "y", 20],
    ],
  );
  assert.deepEqual(choices[0]?.candidates[1]?.runIds, ["a x=2/7", "a x=2/8"]);
  assert.ok(Math.abs((choices[0]?.candidates[1]?.mean ?? 0) - 0.6075) < 1e-12);
  assert.match(choices[0]?.rule ?? "", /max mean acc over seeds 7, 8/);
  // "min mean" picks the lowest
  const low = chooseSettings(
    study([7, 8], "min mean acc"),
    "tiny",
    runs(s, (l) => acc[l] ?? 0),
  );
  assert.equal(low[0]?.value, 1);
});

test("equal means go to the value declared first, and the tie is recorded", () => {
  const s = study();
  const choices = chooseSettings(
    s,
    "tiny",
    runs(s, (l) => (l === "a x=1" ? 0.1 : 0.5)),
  );
  assert.equal(choices[0]?.value, 2);
  assert.deepEqual(choices[0]?.tiedWith, [3]);
  assert.equal(choices[1]?.value, 10);
  assert.deepEqual(choices[1]?.tiedWith, [20]);
});

test("a failed search run rules its value out, even when its other seed scored best", () => {
  const s = study();
  const all = runs(s, (l) => (l === "a x=3" ? 0.9 : l === "a x=1" ? 0.5 : 0.4));
  const failed = all.map((r) =>
    r.label === "a x=3" && r.seed === 8 ? { ...r, status: "FAILED", metrics: {} } : r,
  );
  const choices = chooseSettings(s, "tiny", failed);
  assert.equal(choices[0]?.value, 1);
  const x3 = choices[0]?.candidates[2];
  assert.deepEqual([x3?.eligible, x3?.finished, x3?.failed], [false, [7], [8]]);
  // a finished run with a diverged (NaN) metric counts as failed too
  const nan = all.map((r) => (r.label === "a x=1" ? { ...r, metrics: { acc: NaN } } : r));
  assert.equal(chooseSettings(s, "tiny", nan)[0]?.value, 3);
  // a retried seed that finished after a failure counts as finished
  const retried = [...failed, { ...all[5]!, runId: "retry" }];
  assert.equal(chooseSettings(s, "tiny", retried)[0]?.value, 3);
  // every value failed: an error naming the cell and the field
  const none = all.map((r) => (r.label.startsWith("a ") ? { ...r, status: "FAILED" } : r));
  assert.throws(
    () => chooseSettings(s, "tiny", none),
    /study 'cmp': no value of x for cell 'a' has all its search runs finished/,
  );
});

test("the comparison is refused before its search has finished, naming the study and the missing runs", () => {
  const s = study();
  const some = runs(s, () => 0.5).filter((r) => !(r.label === "b y=20" && r.seed === 8));
  assert.throws(
    () => chooseSettings(s, "tiny", some),
    (e: unknown) =>
      e instanceof SearchNotFinished &&
      /study 'cmp': its comparison cannot be planned before its search 'cmp-search' has finished; missing runs \(1\): b y=20\/seed8$/.test(
        e.message,
      ),
  );
  assert.throws(
    () => chooseSettings(s, "tiny", []),
    /missing runs \(10\): a x=1\/seed7, a x=1\/seed8/,
  );
  // a run still RUNNING has not ended
  const running = runs(s, () => 0.5).map((r, i) => (i === 0 ? { ...r, status: "RUNNING" } : r));
  assert.throws(() => chooseSettings(s, "tiny", running), /missing runs \(1\): a x=1\/seed7/);
  // a preset the search does not declare
  assert.throws(
    () => chooseSettings(s, "small", []),
    /study 'cmp': its search 'cmp-search' declares no preset 'small' \(declared: tiny\)/,
  );
});

test("search seeds that the comparison also uses are an error: no run may both choose and test", () => {
  assert.throws(
    () => validateStudy(study([1, 7])),
    /study 'cmp' at preset 'tiny': the comparison's seeds 0, 1 and its search 'cmp-search''s seeds 1, 7 share 1: no run may both choose and test/,
  );
  assert.doesNotThrow(() => validateStudy(study([2, 3])));
  assert.throws(
    () => validateStudy({ ...study(), search: { ...study().search!, choose: "best acc" } }),
    /study 'cmp': search: choose must read "max mean <metric>" or "min mean <metric>", got "best acc"/,
  );
  const bad = study();
  bad.search = {
    ...bad.search!,
    over: [standIn<SearchAxis>({ cells: ["c"], field: "x", values: [1] })],
  };
  assert.throws(() => validateStudy(bad), /search at preset 'tiny' names no cell 'c'/);
  assert.throws(() => parseChooseRule("max acc"), /choose must read/);
});

test("a comparison is never planned without its search: runSweep refuses it, an explicit seed count is checked", async () => {
  await assert.rejects(
    runSweep(study(), { preset: "tiny" }),
    /study 'cmp' has a search stage \('cmp-search'\): run it with sweepWithSearch/,
  );
  const s = study();
  const all = runs(s, () => 0.5);
  assert.equal(chooseSettings(s, "tiny", all, 7).length, 2);
  assert.throws(
    () => chooseSettings(s, "tiny", all, 8),
    /share 7: no run may both choose and test/,
  );
});

test("the comparison plans each searched cell at its choice, labels and seeds unchanged", () => {
  const s = study();
  const choices = chooseSettings(
    s,
    "tiny",
    runs(s, (l) => (l === "a x=3" || l === "b y=10" ? 0.9 : 0.1)),
  );
  const plans = planStudy(applyChoices(s, "tiny", choices), { preset: "tiny" });
  assert.deepEqual(
    plans.map((p) => [p.label, p.seed, p.config]),
    [
      ["a", 0, { preset: "tiny", epochs: 6, k: "a", x: 3, seed: 0 }],
      ["a", 1, { preset: "tiny", epochs: 6, k: "a", x: 3, seed: 1 }],
      ["b", 0, { preset: "tiny", epochs: 6, k: "b", y: 10, seed: 0 }],
      ["b", 1, { preset: "tiny", epochs: 6, k: "b", y: 10, seed: 1 }],
    ],
  );
});

test("the findings' search lines show each value's mean, the choice, its runs and what the comparison ran at", () => {
  const s = study();
  const all = runs(s, (l) => (l === "a x=2" ? 0.7 : 0.2));
  const lines = searchMarkdownLines(s, "tiny", all, [
    { label: "a", params: { x: "2" } },
    { label: "b", params: { y: "20" } },
  ]);
  assert.match(
    lines[0] ?? "",
    /\*\*cmp\*\*, after its search stage `cmp-search` \(rule: max mean acc/,
  );
  assert.match(
    lines[1] ?? "",
    /a, x: 1: 0.2000 \(2 finished\); 2: 0.7000 \(2 finished\); .*chose 2 from runs a x=2\/7, a x=2\/8; the comparison ran at x=2 \(1 run\), the choice\./,
  );
  assert.match(
    lines[2] ?? "",
    /chose 10 \(tied with 20\).*ran at y=20 \(1 run\), not \(only\) the choice\./,
  );
  const empty = searchMarkdownLines(s, "tiny", [], [{ label: "a", params: { x: "1" } }]);
  assert.match(empty[1] ?? "", /no search runs at `tiny` yet.*x=1 \(1 run\) for a, no runs for b/);
  assert.deepEqual(
    searchStatus(s, "tiny", []).map((c) => c.value),
    [undefined, undefined],
  );
});

test("deviations are listed once each with the studies they hold for, at their presets only", () => {
  const d = (what: string, presets?: string[]) => ({
    what,
    why: "w",
    ...(presets ? { presets } : {}),
  });
  const one: Study = {
    ...study(),
    name: "one",
    search: undefined,
    deviations: [d("shared"), d("small only", ["small"])],
  };
  const two: Study = {
    ...study(),
    name: "two",
    search: undefined,
    deviations: [d("shared"), d("own")],
  };
  assert.deepEqual(
    deviationRows([one, two], "tiny").map((r) => [r.what, r.studies]),
    [
      ["shared", ["one", "two"]],
      ["own", ["two"]],
    ],
  );
  assert.equal(deviationRows([one, two], "small").length, 3);
  assert.throws(
    () => validateStudy({ ...one, deviations: [{ what: "x", why: "" }] }),
    /study 'one': each deviation needs a 'what' and a 'why'/,
  );
});

test("Table 4's search: per-loss values on seeds disjoint from the comparison's, about a third of the training", () => {
  const losses = getStudy("losses");
  const search = getStudy("losses-search");
  for (const preset of ["tiny", "small"]) {
    const cmp = new Set(planStudy(losses, { preset }).map((p) => p.seed));
    const srch = planStudy(search, { preset });
    assert.ok(
      srch.every((p) => !cmp.has(p.seed)),
      preset,
    );
  }
  const small = planStudy(search, { preset: "small" });
  assert.equal(small.length, 5 * 3 * 1); // 5 cells x 3 values x 1 seed
  assert.equal(planStudy(search, { preset: "tiny" }).length, 3 * 2);
  const epochs = (st: Study): unknown => st.presets?.small?.overrides?.train?.epochs;
  assert.equal(Number(epochs(losses)) / Number(epochs(search)), 3);
  assert.ok(small.some((p) => p.label === "margin (semi-hard) loss.margin=1"));
});

test("the report shows the search's choice and the deviations from the archive's runs, escaped", () => {
  const s: Study = { ...study(), deviations: [{ what: "x <b> y", why: "CPU" }] };
  const run = (r: SearchRun, params: Record<string, string> = {}): ReportRun => ({
    runId: r.runId ?? "",
    runName: r.label,
    label: r.label,
    seed: r.seed,
    status: "FINISHED",
    startTime: 0,
    params,
    tags: {},
    metrics: r.metrics,
  });
  const section = (st: Study, runs: ReportRun[]): ReportData["sections"][number] => ({
    experiment: st.name,
    study: st,
    preset: "tiny",
    runs,
    results: [],
    verdicts: [],
    curves: [],
    codeVersions: [],
  });
  const data: ReportData = {
    title: "t",
    generatedAt: "",
    trackingUri: "",
    sections: [
      section(s, [run({ label: "a", seed: 0, metrics: {} }, { x: "3" })]),
      section(
        searchStudyOf(s),
        runs(s, (l) => (l === "a x=3" ? 0.9 : 0.1)).map((r) => run(r)),
      ),
    ],
    missingExperiments: [],
    environments: [],
  };
  const html = protocolHtml(data);
  assert.match(html, /<li><b>cmp<\/b>, after its search stage <code>cmp-search<\/code>/);
  assert.match(
    html,
    /<ul><li>a, x: .*chose 3 from runs a x=3\/7, a x=3\/8; the comparison ran at x=3 \(1 run\), the choice\.<\/li>/,
  );
  assert.match(html, /<li>cmp: x &lt;b&gt; y\. <i>Why:<\/i> CPU\.<\/li>/);
});
