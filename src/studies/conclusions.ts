/**
 * Conclusions a study notebook prints, computed from that sweep's per-seed results: the verdict on
 * each comparison the study declares (src/report/claims.ts) plus the comparisons that are not a
 * plain "cell A beats cell B" (Table 1: color helps SimCLR MORE than supervised; Table 3: h keeps
 * more information about the transformation than g(h); Figure 5: crop and color is the strongest
 * pair and compositions beat single transformations; Figure 9: a larger batch helps most when
 * training is short).
 */
import { summarize, type Summary } from "../plot/figures";
import {
  CLAIM_DEFAULTS,
  evaluateClaims,
  formatT,
  tStatistic,
  type ClaimVerdict,
  type SeedResult,
} from "../report/claims";
import { getStudy } from "../sweep/registry";
import { selectCells, type CellSelector, type Study } from "../sweep/study";

/** A computed finding: the paper's statement, whether this run agrees, and the numbers. */
export interface Finding {
  claim: string;
  source?: string;
  verdict: ClaimVerdict["verdict"];
  evidence: string;
}

function finished(results: readonly SeedResult[]): SeedResult[] {
  return results.filter((r) => (r as SeedResult & { status?: string }).status !== "FAILED");
}

function metricOf(results: readonly SeedResult[], label: string, metric: string): number[] {
  return results
    .filter((r) => r.label === label)
    .map((r) => r.metrics[metric])
    .filter((v) => Number.isFinite(v));
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}` : "n/a");

/** Table 1: is SimCLR's gain from strong color (s=1 over s=1/8) larger than supervised's? */
function colorInteraction(results: readonly SeedResult[]): Finding {
  const claim = "stronger color augmentation helps SimCLR more than supervised learning (Table 1)";
  // Supervised cells are scored by their own classifier (Table 1's second row), SimCLR by linear evaluation.
  const cell = (mode: string, s: number): Summary => {
    const metric = mode === "supervised" ? "supervised_acc" : "linear_acc";
    return summarize(metricOf(results, `${mode} s=${s}`, metric));
  };
  const cells = [
    cell("simclr", 1),
    cell("simclr", 0.125),
    cell("supervised", 1),
    cell("supervised", 0.125),
  ];
  if (cells.some((c) => c.n === 0)) {
    return {
      claim,
      source: "Table 1",
      verdict: "no data",
      evidence: "needs simclr and supervised runs at s=1/8 and s=1",
    };
  }
  const [s1, s8, v1, v8] = cells as [Summary, Summary, Summary, Summary];
  const simclrGain = s1.mean - s8.mean;
  const supervisedGain = v1.mean - v8.mean;
  const t = tStatistic(simclrGain - supervisedGain, cells);
  return {
    claim,
    source: "Table 1",
    verdict: verdictOfT(t),
    evidence: `gain from s=1/8 to s=1: SimCLR ${pct(simclrGain)} points, supervised ${pct(supervisedGain)} points; t = ${formatT(t)} (n=${Math.min(...cells.map((c) => c.n))} seeds per cell)`,
  };
}

/** A paired t statistic over runs: each run's `a` minus its own `b` (the same encoder evaluated twice). */
function pairedT(
  results: readonly SeedResult[],
  a: string,
  b: string,
): { a: Summary; b: Summary; t: number; n: number } {
  const rows = results.filter(
    (r) => Number.isFinite(r.metrics[a]) && Number.isFinite(r.metrics[b]),
  );
  const sa = summarize(rows.map((r) => r.metrics[a] as number));
  const sb = summarize(rows.map((r) => r.metrics[b] as number));
  const d = summarize(rows.map((r) => (r.metrics[a] as number) - (r.metrics[b] as number)));
  return { a: sa, b: sb, t: tStatistic(d.mean, [d]), n: d.n };
}

/** Table 3: is the transformation more predictable from h than from g(h)? (paired over runs) */
function probeFinding(results: readonly SeedResult[]): Finding {
  const claim = "h keeps more information about the applied transformation than z = g(h) (Table 3)";
  // Table 3 probes the non-linear head (without a head, g(h) = h and the comparison is empty).
  const p = pairedT(
    results.filter((r) => r.label.startsWith("nonlinear")),
    "probe_h",
    "probe_gh",
  );
  if (p.n === 0)
    return { claim, source: "Table 3", verdict: "no data", evidence: "the probe did not run" };
  return {
    claim,
    source: "Table 3",
    verdict: verdictOfT(p.t),
    evidence: `non-linear heads: probe accuracy from h ${pct(p.a.mean)}% ± ${pct(p.a.std)} vs from g(h) ${pct(p.b.mean)}% ± ${pct(p.b.std)}; paired t = ${formatT(p.t)} over ${p.n} runs`,
  };
}

/** Figure 8: does evaluating h beat evaluating z = g(h) for the non-linear head? (paired over runs) */
function hVersusGh(results: readonly SeedResult[]): Finding {
  const claim =
    "the representation before the head (h) beats the one after it, z = g(h) (Figure 8)";
  const p = pairedT(
    results.filter((r) => r.label.startsWith("nonlinear")),
    "linear_acc_h",
    "linear_acc_gh",
  );
  if (p.n === 0)
    return {
      claim,
      source: "Figure 8",
      verdict: "no data",
      evidence: "linear evaluation of g(h) did not run",
    };
  return {
    claim,
    source: "Figure 8",
    verdict: verdictOfT(p.t),
    evidence: `non-linear heads: linear eval on h ${pct(p.a.mean)}% ± ${pct(p.a.std)} vs on g(h) ${pct(p.b.mean)}% ± ${pct(p.b.std)}; paired t = ${formatT(p.t)} over ${p.n} runs`,
  };
}

/** Verdict from a t statistic, the rule every finding uses (decisive at |t| >= 2). */
function verdictOfT(t: number): Finding["verdict"] {
  const m = CLAIM_DEFAULTS.minT;
  return t >= m ? "agrees" : t <= -m ? "disagrees" : "inconclusive";
}

/** Per-cell mean of a metric, over the seeds of each label present in the results. */
export function cellMeans(results: readonly SeedResult[], metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const label of new Set(results.map((r) => r.label))) {
    const s = summarize(metricOf(results, label, metric));
    if (s.n > 0) out.set(label, s.mean);
  }
  return out;
}

/** Figure 5: is crop with color the best pair, and do pairs beat single transformations? */
function gridFindings(results: readonly SeedResult[]): Finding[] {
  const means = cellMeans(results, "linear_acc");
  const pairs = [...means].filter(([l]) => l.includes("+")).sort((a, b) => b[1] - a[1]);
  const singles = [...means].filter(([l]) => !l.includes("+"));
  const strongest = "crop and color distortion is the strongest composition of two (Figure 5)";
  const compose = "compositions of two transformations beat single transformations (Figure 5)";
  const out: Finding[] = [];
  const rank = pairs.findIndex(([l]) => l === "crop+color" || l === "color+crop");
  if (rank < 0) {
    out.push({
      claim: strongest,
      source: "Figure 5",
      verdict: "no data",
      evidence: "the crop+color cell did not run",
    });
  } else {
    const [bestLabel, bestAcc] = pairs[0] as [string, number];
    const [label, acc] = pairs[rank] as [string, number];
    const seeds = [...means.keys()].map((l) => metricOf(results, l, "linear_acc").length);
    const lo = Math.min(...seeds);
    const hi = Math.max(...seeds);
    const mine = metricOf(results, label, "linear_acc").length;
    const seedText =
      lo === hi
        ? `${lo} seed${lo === 1 ? "" : "s"} per cell`
        : `${label} over ${mine} seed${mine === 1 ? "" : "s"}, cells ${lo}-${hi} seeds`;
    out.push({
      claim: strongest,
      source: "Figure 5",
      verdict: rank === 0 ? "agrees" : "disagrees",
      evidence:
        `${label} ${pct(acc)}% ranks ${rank + 1} of ${pairs.length} compositions` +
        (rank === 0 ? "" : `; best is ${bestLabel} ${pct(bestAcc)}%`) +
        ` (cell means; ${seedText}${lo === 1 ? ", so small gaps between cells are within noise" : ""})`,
    });
  }
  const p = summarize(pairs.map(([, v]) => v));
  const s = summarize(singles.map(([, v]) => v));
  if (p.n === 0 || s.n === 0) {
    out.push({
      claim: compose,
      source: "Figure 5",
      verdict: "no data",
      evidence: "needs both diagonal and off-diagonal cells",
    });
  } else {
    const t = tStatistic(p.mean - s.mean, [p, s]);
    out.push({
      claim: compose,
      source: "Figure 5",
      verdict: verdictOfT(t),
      evidence: `mean over cells: compositions ${pct(p.mean)}% ± ${pct(p.std)} (${p.n} cells) vs single ${pct(s.mean)}% ± ${pct(s.std)} (${s.n} cells); Welch t = ${formatT(t)}`,
    });
  }
  return out;
}

/** Figure 9: is the gain of batch 512 over 128 larger at the short training length than at the long one? */
function batchInteraction(
  results: readonly SeedResult[],
  study: Study,
  preset: string | undefined,
): Finding {
  const claim = "a larger batch helps most when training is short (Figure 9)";
  const side = (sel: CellSelector): { mean: number; std: number; n: number } => {
    const labels = selectCells(study, sel, preset).map((c) => c.label ?? "");
    return summarize(labels.flatMap((l) => metricOf(results, l, "linear_acc")));
  };
  const epochs = [
    ...new Set(selectCells(study, {}, preset).map((c) => c.overrides["train.epochs"])),
  ]
    .filter((e): e is number => typeof e === "number")
    .sort((a, b) => a - b);
  const short = epochs[0];
  const long = epochs[epochs.length - 1];
  if (short === undefined || long === undefined || short === long)
    return {
      claim,
      source: "Figure 9",
      verdict: "no data",
      evidence: "needs two training lengths",
    };
  const cell = (b: number, e: number): { mean: number; std: number; n: number } =>
    side({ "train.batchSize": b, "train.epochs": e, "optimizer.lrScaling": "linear" });
  const [s512, s128, l512, l128] = [
    cell(512, short),
    cell(128, short),
    cell(512, long),
    cell(128, long),
  ];
  if ([s512, s128, l512, l128].some((x) => x.n === 0))
    return {
      claim,
      source: "Figure 9",
      verdict: "no data",
      evidence: `needs batch 128 and 512 at ${short} and ${long} epochs (linear scaling)`,
    };
  const gainShort = s512.mean - s128.mean;
  const gainLong = l512.mean - l128.mean;
  const diff = gainShort - gainLong;
  const t = tStatistic(diff, [s512, s128, l512, l128]);
  return {
    claim,
    source: "Figure 9",
    verdict: verdictOfT(t),
    evidence: `gain of batch 512 over 128 (linear scaling): ${pct(gainShort)} points at ${short} epochs vs ${pct(gainLong)} at ${long} epochs; t = ${formatT(t)} (n=${Math.min(s512.n, s128.n, l512.n, l128.n)} seeds per cell)`,
  };
}

/** Study-specific findings beyond the study's declared claims. */
const EXTRA: Record<
  string,
  (results: readonly SeedResult[], study: Study, preset: string | undefined) => Finding[]
> = {
  "augmentation-grid": (r) => gridFindings(r),
  "color-strength": (r) => [colorInteraction(r)],
  "projection-head": (r) => [hVersusGh(r), probeFinding(r)],
  "batch-size": (r, s, p) => [batchInteraction(r, s, p)],
};

/** Every finding of a study's sweep, computed from its per-seed results. */
export function studyFindings(
  study: string | Study,
  results: readonly SeedResult[],
  preset?: string,
): Finding[] {
  const s = typeof study === "string" ? getStudy(study) : study;
  const ok = finished(results);
  const declared = evaluateClaims(s, ok, preset !== undefined ? { preset } : {}).map((v) => ({
    claim: v.claim,
    ...(v.source !== undefined ? { source: v.source } : {}),
    verdict: v.verdict,
    evidence: v.evidence,
  }));
  return [...declared, ...(EXTRA[s.name]?.(ok, s, preset) ?? [])];
}

/** The findings as text lines: "[agrees] claim — evidence". */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.verdict}] ${f.claim}\n    ${f.evidence}`).join("\n");
}

/** A study's conclusion as printed by its notebook. */
export function studyConclusion(
  study: string | Study,
  results: readonly SeedResult[],
  preset?: string,
): string {
  const f = studyFindings(study, results, preset);
  const agree = f.filter((x) => x.verdict === "agrees").length;
  const decided = f.filter((x) => x.verdict === "agrees" || x.verdict === "disagrees").length;
  return `${agree} of ${f.length} findings agree with the paper (${decided} decided).\n${formatFindings(f)}`;
}
