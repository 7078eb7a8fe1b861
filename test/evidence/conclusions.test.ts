import { test } from "node:test";
import assert from "node:assert/strict";
import type { SeedResult } from "../../src/evidence/claims";
import type { ReportData, ReportRun } from "../../src/evidence/runs";
import { formatN, type Finding } from "../../src/evidence/finding";
import { studyConclusion, studyFindings } from "../../src/workbench/conclusions";
import { findingsMarkdown, studyCompute } from "../../src/evidence/findings-markdown";
import { strongestFinding } from "../../src/evidence/comparisons";
import { getStudy, registerStudy } from "../../src/sweep/registry";
import { selectCells } from "../../src/grid/study-grid";
import type { Study } from "../../src/evidence/study";

const r = (label: string, seed: number, metrics: Record<string, number>): SeedResult => ({
  label,
  seed,
  metrics,
});

/** A full 7 x 7 grid where every cell scores `score(label)`, give or take 0.001 over its seeds. */
function grid(score: (label: string) => number, seeds = 1): SeedResult[] {
  const ops = ["crop", "cutout", "color", "sobel", "noise", "blur", "rotate"];
  const out: SeedResult[] = [];
  for (const a of ops)
    for (const b of ops) {
      const label = a === b ? a : `${a}+${b}`;
      for (let seed = 0; seed < seeds; seed++)
        out.push(r(label, seed, { linear_acc: score(label) + (seed % 2 ? 0.001 : -0.001) }));
    }
  return out;
}

/** Report data of study sections at a preset (the study comes from the registry). */
function reportData(
  sections: { experiment: string; preset?: string; results?: SeedResult[]; runs?: ReportRun[] }[],
  missingExperiments: string[] = [],
): ReportData {
  return {
    title: "t",
    generatedAt: "2026-01-01T00:00:00Z",
    trackingUri: "http://127.0.0.1:1",
    sections: sections.map((x) => ({
      experiment: x.experiment,
      study: getStudy(x.experiment),
      preset: x.preset ?? "small",
      runs: x.runs ?? [],
      results: x.results ?? [],
      verdicts: [],
      curves: [],
      codeVersions: [],
    })),
    missingExperiments,
    environments: [],
  };
}

/** The findings-table row that mentions `part`. */
const rowOf = (md: string, part: string): string =>
  md.split("\n").find((l) => l.includes(part)) ?? "";

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: ${actual} vs ${expected}`);

const find = (fs: Finding[], part: string): Finding => {
  const f = fs.find((x) => x.claim.includes(part));
  assert.ok(f, `no finding mentioning '${part}' in ${fs.map((x) => x.claim).join(" / ")}`);
  return f;
};

test("Figure 5 findings: crop & color (either order) against every other unordered pair, and compositions against singles as a description", () => {
  const goodScore = (l: string): number =>
    l === "crop+color"
      ? 0.6
      : l.includes("+")
        ? 0.4 + (l.length % 5) / 100
        : 0.3 + (l.length % 3) / 100;
  const fs = studyFindings("augmentation-grid", grid(goodScore, 2), "small");
  const strongest = find(fs, "strongest composition");
  assert.equal(strongest.verdict, "agrees");
  assert.match(
    strongest.evidence,
    /^color&crop .*\(n=2\) ranks 1 of 21 unordered pairs by mean .*; against the closest rival .*intersection-union test over 20 rivals/,
  );
  // the mirror cell color+crop is part of the target, not its rival
  assert.doesNotMatch(strongest.evidence, /rival color\+crop/);
  const pooled = find(fs, "beat single");
  assert.equal(pooled.verdict, "descriptive");
  assert.equal(pooled.p, undefined, "a description takes no part in the Holm family");
  assert.match(pooled.evidence, /a fixed grid of cells is no sample/);

  // One seed for most cells (the old `small` grid): no interval to rank by, whatever the means say.
  const one = studyFindings("augmentation-grid", grid(goodScore, 1), "small");
  assert.equal(find(one, "strongest composition").verdict, "too few seeds");
  assert.match(
    find(one, "strongest composition").evidence,
    /ranks 1 of 21 unordered pairs by mean .*; 20 of 20 rival pairs have fewer than 2 seeds/,
  );
  // `small` as committed: crop+color 6 seeds, every other composition 1: still too few seeds,
  // because a rival of one seed has no spread however many seeds the target has.
  const six = [
    ...grid(goodScore, 1),
    ...[1, 2, 3, 4, 5].map((seed) => r("crop+color", seed, { linear_acc: 0.6 })),
  ];
  assert.equal(
    find(studyFindings("augmentation-grid", six, "small"), "strongest composition").verdict,
    "too few seeds",
  );

  // crop+color third best, and singles spread as widely as pairs around the same mean: both turn.
  const bad = grid(
    (l) =>
      l === "sobel+blur"
        ? 0.7
        : l === "noise+blur"
          ? 0.65
          : l === "crop+color"
            ? 0.6
            : l.includes("+")
              ? 0.5 + (l.length % 4) / 100
              : l.length % 2
                ? 0.45
                : 0.6,
    2,
  );
  const fb = studyFindings("augmentation-grid", bad, "small");
  const worse = find(fb, "strongest composition");
  assert.equal(worse.verdict, "disagrees");
  assert.match(worse.evidence, /ranks [2-9] of 21 unordered pairs/);
  assert.equal(find(fb, "beat single").verdict, "descriptive");

  const none = studyFindings("augmentation-grid", [r("crop", 0, { linear_acc: 0.4 })], "small");
  assert.equal(find(none, "strongest composition").verdict, "no data");
  assert.equal(find(none, "beat single").verdict, "no data");
});

/** The `small` batch-size study's label for a (batch, epochs, scaling) cell. */
function labelFor(b: number, e: number, s: "linear" | "sqrt"): string {
  const c = selectCells(
    getStudy("batch-size"),
    { "train.batchSize": b, "train.epochs": e, "optimizer.lrScaling": s },
    "small",
  );
  assert.equal(c.length, 1);
  return c[0]?.label ?? "";
}

/** Three seeds of every `small` batch-size cell, scored by `acc`. */
function batchRuns(acc: (b: number, e: number, s: string, seed: number) => number): SeedResult[] {
  const out: SeedResult[] = [];
  for (const b of [128, 512])
    for (const e of [2, 6])
      for (const s of ["linear", "sqrt"] as const)
        for (let seed = 0; seed < 3; seed++)
          out.push(r(labelFor(b, e, s), seed, { linear_acc: acc(b, e, s, seed) }));
  return out;
}

test("Figure 9 finding: the batch-size gain is compared between short and long training with its spread", () => {
  const noise = (seed: number): number => (seed - 1) * 0.002;
  // Batch 512 gains 6 points at 2 epochs and 1 point at 6 epochs: the paper's interaction.
  const agrees = batchRuns(
    (b, e, _s, seed) =>
      0.4 + (e === 6 ? 0.1 : 0) + (b === 512 ? (e === 2 ? 0.06 : 0.01) : 0) + noise(seed),
  );
  const f = find(studyFindings("batch-size", agrees, "small"), "helps most when training is short");
  assert.equal(f.verdict, "agrees");
  assert.match(f.evidence, /6\.0 points at 2 epochs vs 1\.0 at 6 epochs/);
  // The reverse interaction disagrees.
  const reverse = batchRuns(
    (b, e, _s, seed) => 0.4 + (b === 512 ? (e === 2 ? 0.0 : 0.05) : 0) + noise(seed),
  );
  assert.equal(
    find(studyFindings("batch-size", reverse, "small"), "helps most when training is short")
      .verdict,
    "disagrees",
  );
  // Square-root scaling at batch 128 / 2 epochs is a declared claim.
  const sqrt = batchRuns(
    (b, e, s, seed) => 0.4 + (s === "sqrt" && b === 128 ? 0.03 : 0) + noise(seed),
  );
  assert.equal(find(studyFindings("batch-size", sqrt, "small"), "square-root").verdict, "agrees");
  // At tiny (one training length) the interaction has no data rather than a made-up verdict.
  assert.equal(
    find(studyFindings("batch-size", [], "tiny"), "helps most when training is short").verdict,
    "no data",
  );
});

test("the findings table gives each claim its verdict, the numbers and a reason when it does not reproduce", () => {
  const study = getStudy("losses");
  const results: SeedResult[] = [];
  for (let seed = 0; seed < 3; seed++) {
    results.push(r("ntxent", seed, { linear_acc: 0.5 + seed * 0.001 }));
    results.push(r("ntlogistic", seed, { linear_acc: 0.4 + [0.002, 0, 0.001][seed]! }));
    results.push(r("margin", seed, { linear_acc: 0.55 + seed * 0.001 }));
  }
  const data = reportData([{ experiment: "losses", results }], ["batch-size"]);
  const md = findingsMarkdown(data, { preset: "small" });
  const row = (part: string): string => rowOf(md, part);
  // Every row: n per side, the difference with its 95% CI, raw and Holm p, the test and the means.
  assert.match(
    row("NT-Xent beats NT-Logistic"),
    // paired differences 0.098, 0.101, 0.101: t = 100 on 2 df, p = t.sf(100, 2) = 5.00e-5; one Holm
    // family of both directions of 2 claims (4 p): the margin claim's reverse p (0) first, then x 3
    /\| \*\*agrees\*\* \| 3 \/ 3 \| \+10\.0 points \[9\.6, 10\.4\] \| 5\.00e-5 \| 1\.50e-4 \| paired t = 100\.00, df = 2\.0; .*50\.1% ± 0\.1 \(n=3\)/,
  );
  assert.match(
    row("NT-Xent beats the margin"),
    /\*\*disagrees\*\*.*\| each loss.s temperature or margin comes from a search/,
  );
  // A "disagrees" shows the reverse test's raw and Holm p too: that is what decided it.
  assert.match(
    row("NT-Xent beats the margin"),
    /\| \*\*disagrees\*\* \(the interval lies wholly against the paper\) \| 3 \/ 3 \| -5\.0 points \[[^\]]+\] \| 1\.00; reverse [^|]+ \| 1\.00; reverse [^|]+ \|/,
  );
  assert.match(md, /margin triplet loss -5\.0 points \[[^\]]+\], disagrees \(reverse Holm p = /);
  assert.match(
    md,
    /over NT-Logistic, as the paper reports; over the margin loss, contradicted at this budget\./,
  );
  assert.match(
    md,
    /Holm-Bonferroni over both directions of the 2 tested claims \(4 one-sided tests/,
  );
  assert.match(
    md,
    /Summary: 1 agrees, 1 disagrees, 0 inconclusive, 0 too few seeds, 0 descriptive, 0 no data/,
  );
  // the margin claim's interval lies wholly below 0: the row says so in words
  assert.match(
    row("NT-Xent beats the margin"),
    /\*\*disagrees\*\* \(the interval lies wholly against the paper\)/,
  );
  // The findings come first; compute and environment after.
  assert.ok(md.indexOf("| paper's claim |") < md.indexOf("## Compute and environment"));
  assert.match(md, /Not run yet: batch-size\./);
  // Studies the table should cover but that have no runs get their claims as "no data" rows.
  const withAll = findingsMarkdown(data, {
    preset: "small",
    studies: [study, getStudy("batch-size")],
  });
  assert.match(
    withAll,
    /\| longer training helps \(Figure 9\) \| batch-size \| \*\*no data\*\* \| 0 \/ 0 \| {2}\| {2}\| {2}\| no runs at `small` \| not run yet \|/,
  );
  assert.equal((withAll.match(/\| losses \| \*\*/g) ?? []).length, 2);
  // Another preset's runs do not appear.
  assert.match(findingsMarkdown(data, { preset: "paper" }), /no study has runs at this preset yet/);
});

test("a temperature finding that does not reproduce gets a reason computed from the run's contrastive accuracy and entropy", () => {
  const results: SeedResult[] = [];
  const cells: [string, number, number, number, number[]][] = [
    // label, linear_acc, contrastive_acc, entropy, seed-to-seed variation (not shared by seed)
    ["l2 tau=0.5", 0.43, 0.12, 5.9, [0, 0.01, 0.02]],
    ["l2 tau=1", 0.428, 0.08, 6.1, [0.02, 0, 0.01]],
    ["no l2 tau=10", 0.5, 0.11, 4.7, [0.01, 0.02, 0]],
  ];
  for (const [label, acc, cacc, ent, jitter] of cells)
    for (let seed = 0; seed < 3; seed++)
      results.push(
        r(label, seed, {
          linear_acc: acc + (jitter[seed] ?? 0),
          contrastive_acc: cacc,
          entropy: ent + seed * 0.1,
        }),
      );
  const data = reportData([{ experiment: "temperature", results }]);
  const md = findingsMarkdown(data, { preset: "small" });
  const row = (part: string): string => rowOf(md, part);
  const noL2 = row("beats no normalisation");
  assert.match(noL2, /\*\*disagrees\*\*/);
  assert.match(
    noL2,
    /contrastive accuracy at the end of training is 8-12% across cells \(paper: 59.1-92.1%\)/,
  );
  assert.match(noL2, /entropy without l2 is 4\.8-4\.8 here against 0\.5/);
  const moderate = row("moderate temperature");
  assert.match(moderate, /\*\*inconclusive\*\*/);
  assert.match(
    moderate,
    /the difference is not significant after Holm's adjustment; contrastive accuracy/,
  );
});

test("Table 1 and Table 3 findings: a per-seed contrast over four cells sharing seeds, Welch only without them, and h against g(h) with the seed as the unit (scipy)", () => {
  const cols = {
    "simclr s=1": [0.5, 0.53, 0.49, 0.52],
    "simclr s=0.125": [0.44, 0.46, 0.45, 0.45],
    "supervised s=1": [0.6, 0.62, 0.59, 0.61],
    "supervised s=0.125": [0.59, 0.6, 0.6, 0.58],
  };
  const color: SeedResult[] = Object.entries(cols).flatMap(([label, v]) =>
    v.map((x, seed) =>
      r(label, seed, { [label.startsWith("supervised") ? "supervised_acc" : "linear_acc"]: x }),
    ),
  );
  const c = find(studyFindings("color-strength", color, "small"), "helps SimCLR more");
  // contrasts a - b - c + d per seed; scipy.stats.ttest_1samp(con, 0, alternative='greater') and
  // ttest_1samp(con, 0).confidence_interval(0.95) (scipy 1.17.1)
  close(c.test?.estimate ?? NaN, 0.04749999999999993, "estimate");
  close(c.test?.t ?? NaN, 18.999999999999957, "t");
  close(c.p ?? NaN, 0.0001591717200355797, "p");
  close(c.test?.ci[0] ?? NaN, 0.03954388423679066, "ci low");
  close(c.test?.ci[1] ?? NaN, 0.055456115763209204, "ci high");
  assert.equal(c.test?.df, 3);
  assert.match(
    c.evidence,
    /per-seed contrast over the 4 seeds common to the four cells \(df = 3\)/,
  );
  assert.deepEqual(
    c.sides.map((x) => x.n),
    [4, 4, 4, 4],
  );
  // Seeds shared by no two cells: Welch-Satterthwaite over the four independent cells.
  const apart = color.map((x, i) => ({ ...x, seed: 10 * i }));
  const w = find(studyFindings("color-strength", apart, "small"), "helps SimCLR more");
  assert.equal(w.test?.kind, "contrast");
  assert.match(w.evidence, /Welch over the four cells/);
  // Cells on two CPU models: the seeds of one model only, and the table says so.
  const mixed = color.map((x) => ({ ...x, cpu: x.seed < 3 ? "AMD EPYC" : "Intel Xeon" }));
  const m = find(studyFindings("color-strength", mixed, "small"), "helps SimCLR more");
  assert.equal(m.test?.df, 2);
  assert.match(
    m.evidence,
    /CPU model as a blocking factor: runs on AMD EPYC only, 4 runs on other CPU models left out/,
  );

  // h against g(h): 5 runs from 3 seeds are 3 units, each seed the mean of its runs.
  const hs = [0.42, 0.45, 0.47, 0.44, 0.5];
  const gs = [0.41, 0.43, 0.44, 0.43, 0.47];
  const heads: SeedResult[] = [0, 0, 1, 1, 2].map((seed, i) =>
    r(`nonlinear ${i % 2 ? 128 : 32}`, seed, {
      linear_acc_h: hs[i] as number,
      linear_acc_gh: gs[i] as number,
      probe_h: 0.7,
      probe_gh: 0.7 + 0.001 * (i % 2 ? 1 : -1),
    }),
  );
  const fs = studyFindings("projection-head", heads, "small");
  const h = find(fs, "before the head (h) beats");
  // scipy.stats.ttest_rel(h per-seed means, g(h) per-seed means, alternative='greater')
  close(h.test?.t ?? NaN, 4.913538149119946, "h t");
  close(h.p ?? NaN, 0.01950617387952772, "h p");
  close(h.test?.ci[0] ?? NaN, 0.0026937514986828358, "h ci low");
  close(h.test?.ci[1] ?? NaN, 0.040639581834650496, "h ci high");
  assert.equal(h.test?.df, 2);
  assert.match(h.evidence, /paired over 3 seeds \(5 runs\)/);
  assert.equal(find(fs, "transformation than z").verdict, "inconclusive");
});

test("the findings table sums each study's run time from its tracked runs, resumed or not, and names their CPUs", () => {
  const cpu = (model: string, isa: string): Record<string, string> => ({
    "env.cpu_model": model,
    "env.cpu_id": "fam 1",
    "env.cpu_isa": isa,
    "env.onednn": "true",
    "env.threads": "2",
  });
  const run = (
    id: string,
    status: string,
    seconds: number | undefined,
    seed = 0,
    params: Record<string, string> = {},
  ): ReportRun => ({
    runId: id,
    runName: id,
    label: "ntxent",
    seed,
    status,
    startTime: 1_000_000,
    ...(seconds !== undefined ? { endTime: 1_000_000 + seconds * 1000 } : {}),
    params,
    tags: {},
    metrics: {},
  });
  const data = reportData([
    {
      experiment: "losses",
      // Two finished runs behind the results (one from an earlier session), one superseded by a
      // later run of the same cell and seed, one failed, one still running.
      runs: [
        run("old", "FINISHED", 1000, 1, cpu("Old CPU", "AVX")),
        run("a", "FINISHED", 60, 1, cpu("AMD EPYC", "AVX2")),
        run("b", "FINISHED", 90, 2),
        run("c", "FAILED", 5),
        run("d", "RUNNING", undefined),
      ],
    },
    { experiment: "losses", preset: "tiny", runs: [run("e", "FINISHED", 9)] },
  ]);
  assert.deepEqual(studyCompute(data, "small"), [
    // Run "a" recorded 2 threads (120 core-seconds); "b" recorded none and is named, not guessed.
    { study: "losses", finished: 2, failed: 1, runSeconds: 150, coreSeconds: 120, noThreads: 1 },
  ]);
  assert.match(
    findingsMarkdown(data, { preset: "small" }),
    /\| losses \| 2 \| 1 \| 2\.5 min \| 75 s \| 0\.0 core-h \(1 run without a thread count left out\) \|/,
  );
  const md = findingsMarkdown(data, { preset: "small" });
  assert.match(md, /- AMD EPYC \[fam 1\] \(AVX2\), oneDNN on, 2 threads: 1 run \(losses 1\)/);
  assert.match(md, /- not recorded: 1 run \(losses 1\)/);
  assert.doesNotMatch(md, /Old CPU/, "a superseded run's CPU is not listed");
});

test("an inconclusive claim gets its own reason where the study's is about something else", () => {
  // 2 -> 6 epochs gains 0.5 points against a spread of a few points (not shared by seed): inconclusive.
  const results = batchRuns(
    (b, e, s, seed) => 0.4 + (e === 6 ? 0.005 : 0) + (seed - 1) * 0.03 * (e === 6 ? -1 : 1),
  );
  const data = reportData([{ experiment: "batch-size", results }]);
  const md = findingsMarkdown(data, { preset: "small" });
  const row = (part: string): string => rowOf(md, part);
  assert.match(row("longer training helps"), /\*\*inconclusive\*\*.*far from converged/);
  assert.doesNotMatch(row("longer training helps"), /fewer optimizer steps/);
  assert.match(row("with short training, a larger batch"), /fewer optimizer steps/);
});

test("findings and reasons follow a claim's id, not its words: a reworded claim keeps both", () => {
  const results = batchRuns(
    (b, e, s, seed) => 0.4 + (e === 6 ? 0.005 : 0) + (seed - 1) * 0.03 * (e === 6 ? -1 : 1),
  );
  const study = getStudy("batch-size");
  const reworded = {
    ...study,
    name: "batch-size-reworded",
    claims: (study.claims ?? []).map((c) =>
      c.id === "longer-training-helps" ? { ...c, claim: "six epochs beat two (reworded)" } : c,
    ),
  };
  const f = studyFindings(reworded, results, "small").find((x) => x.id === "longer-training-helps");
  assert.equal(f?.claim, "six epochs beat two (reworded)");
  // The conclusion still finds it (by id) and the table still gives it its own reason (by id).
  assert.match(
    studyConclusion(reworded, results, "small"),
    /the long length against the short at batch 512 [+-]\d/,
  );
  registerStudy(reworded);
  const data = reportData([{ experiment: "batch-size-reworded", results }]);
  assert.match(
    rowOf(findingsMarkdown(data, { preset: "small" }), "six epochs beat two"),
    /far from converged/,
  );
});

test("every study prints its own conclusion, computed from its findings, before the list", () => {
  // Projection head: a linear head 5 points over none over 6 seeds (paired), non-linear level
  // with linear, h over g(h) by 3 points and the probe from h over g(h) by 4 in every run.
  const results: SeedResult[] = [];
  for (let seed = 0; seed < 6; seed++) {
    const jitter = [0.001, -0.002, 0.0, 0.002, -0.001, 0.0][seed] as number;
    for (const [label, acc] of [
      ["none", 0.4],
      ["linear 128", 0.45],
      ["nonlinear 128", 0.45 + (seed % 2 ? 0.004 : -0.004)],
    ] as [string, number][])
      results.push(
        r(label, seed, {
          linear_acc_h: acc + jitter,
          linear_acc_gh: acc + jitter - 0.03 + seed * 0.001,
          probe_h: 0.8 + jitter,
          probe_gh: 0.76 + jitter - seed * 0.001,
        }),
      );
  }
  const text = studyConclusion("projection-head", results, "small");
  const first = text.split("\n")[0] ?? "";
  assert.match(first, /^Figure 8 at 6 epochs on a 5000-image training subset/);
  assert.match(first, /a linear head against none \+5\.0 points \[[\d.]+, [\d.]+\], agrees/);
  assert.match(first, /a non-linear head against a linear one [+-]0\.\d points .*inconclusive/);
  assert.match(first, /discards information the layer before it keeps, as the paper argues/);
  assert.match(text, /findings agree with the paper/);
  // the notebook's family is the study's; the README's, every study's: the text says so
  assert.match(
    text,
    /this study's tested claims; the findings README decides the claims of every study in one family/,
  );
  // Every built-in study has one, and it names what is not run when there are no results.
  for (const name of ["augmentation-grid", "color-strength", "losses", "temperature", "batch-size"])
    assert.match(studyConclusion(name, [], "small").split("\n")[0] ?? "", /not run/, name);
});

test("n per side lists up to four sides and condenses a claim against many cells", () => {
  const f = (ns: number[]): Finding => ({
    id: "c",
    claim: "c",
    verdict: "too few seeds",
    unit: "points",
    evidence: "",
    sides: ns.map((n, i) => ({ name: `s${i}`, n, mean: 0, std: 0 })),
  });
  assert.equal(formatN(f([6, 6])), "6 / 6");
  assert.equal(formatN(f([6, 6, 2, 2])), "6 / 6 / 2 / 2");
  assert.equal(formatN(f([6, ...Array<number>(41).fill(1)])), "6 / 41 cells of 1");
  assert.equal(formatN(f([6, 1, 2, 1, 1])), "6 / 4 cells of 1-2");
});

test("a study of one's own ideas speaks of its own hypotheses, not of the paper", () => {
  const own: Study = {
    name: "own-ideas-conclusion",
    description: "two ideas of ours against the default",
    base: {},
    cells: [
      { label: "default", overrides: {} },
      { label: "idea", overrides: { loss: { temperature: 0.3 } } },
    ],
    seeds: 2,
    metrics: ["linear_acc"],
    claims: [
      {
        id: "idea-beats-default",
        claim: "the idea beats the default",
        metric: "linear_acc",
        better: "idea",
        worse: "default",
      },
    ],
  };
  const text = studyConclusion(own, [], "tiny");
  assert.match(text, /0 of 1 hypotheses of this study hold/);
  assert.doesNotMatch(text, /paper/);
});

test("the strongest pair's intersection-union test: p is the largest paired p over the rival unordered pairs (scipy)", () => {
  const rows: SeedResult[] = [];
  const put = (label: string, v: number[]): void =>
    v.forEach((x, seed) => rows.push(r(label, seed, { linear_acc: x })));
  put("crop+color", [0.5, 0.52, 0.49]);
  put("color+crop", [0.48, 0.5, 0.47]);
  put("crop+blur", [0.45, 0.47, 0.46]);
  put("blur+crop", [0.44, 0.46, 0.44]);
  put("color+blur", [0.47, 0.48, 0.44]);
  const cells = ["crop+color", "color+crop", "crop+blur", "blur+crop", "color+blur"];
  const f = strongestFinding(
    { id: "s", claim: "s", source: "Figure 5" },
    rows,
    "linear_acc",
    "crop+color",
    cells,
  );
  // per seed: target the mean of both orders; blur&crop likewise; blur&color one order.
  // scipy.stats.ttest_rel(target, rival, alternative='greater' / 'less') for each rival:
  //   blur&crop: t = 7.999999999999978, p = 0.007634036082669111, reverse 0.9923659639173309
  //   blur&color: t = 5.196152422706644, p = 0.01754935932299225, reverse 0.9824506406770077
  close(f.p ?? NaN, 0.01754935932299225, "IUT p = the largest component p");
  close(f.test?.t ?? NaN, 5.196152422706644, "the closest rival's t");
  close(f.pReverse ?? NaN, 1, "reverse: min(1, 2 rivals x 0.98245...), Bonferroni");
  assert.match(f.evidence, /^color&crop .* ranks 1 of 3 unordered pairs/);
  assert.match(f.evidence, /closest rival blur&color .*intersection-union test over 2 rivals/);
});

test("a claim pairs only runs of one CPU model and names the runs it leaves out (scipy)", () => {
  const xeon = "Intel(R) Xeon(R) Processor";
  const epyc = "AMD EPYC";
  const nt = [0.45, 0.44, 0.46, 0.45, 0.44, 0.46];
  const margin = [0.43, 0.435, 0.4, 0.41, 0.4, 0.41];
  const rows: SeedResult[] = [
    ...nt.map((x, seed) => ({ ...r("ntxent", seed, { linear_acc: x }), cpu: xeon })),
    ...margin.map((x, seed) => ({
      ...r("margin", seed, { linear_acc: x }),
      cpu: seed < 2 ? xeon : epyc,
    })),
  ];
  const f = find(studyFindings("losses", rows, "small"), "NT-Xent beats the margin");
  // only seeds 0 and 1 ran both on the Xeon:
  // scipy.stats.ttest_rel([0.45, 0.44], [0.43, 0.435], alternative='greater').pvalue
  close(f.p ?? NaN, 0.17202086962263072, "p over the 2 same-CPU pairs");
  assert.equal(f.test?.df, 1);
  assert.match(
    f.evidence,
    /CPU model as a blocking factor: runs on Intel\(R\) Xeon\(R\) Processor only, 4 runs on other CPU models left out/,
  );
});
