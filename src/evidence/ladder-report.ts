/**
 * Budget ladders (issue 24) in the findings README and the report: per laddered claim the effect
 * at each rung with its interval, the slope against log budget with its interval and whether it
 * points toward the paper (src/evidence/ladder-trend.ts), and its figure (src/plot/ladder.ts).
 * Nothing is shown for a preset without ladder runs: no numbers without runs behind them.
 */
import type { Figure } from "../plot/figures";
import { ladderFigure } from "../plot/ladder";
import {
  decideTrends,
  effectText,
  intervalText,
  ladderTrends,
  slopeSentence,
  type LadderTrend,
} from "./ladder-trend";
import type { ReportData } from "./runs";
import { countOf } from "./plural";
import { cpuNote } from "./blocks";
import { formatP } from "./finding";

/** The trends of every ladder study of a preset that has runs (in the data's order). */
export function presetTrends(data: ReportData, preset: string): LadderTrend[] {
  // one family: every ladder of the preset decides its direction together (decideTrends)
  return decideTrends(
    data.sections
      .filter((s) => s.preset === preset && s.study.ladderOf && s.results.length)
      .flatMap((s) => ladderTrends(s.study, s.results, preset)),
  );
}

/** The figure of one laddered claim's trend. */
export function trendFigure(t: LadderTrend): Figure {
  return ladderFigure({
    title: `${t.study}: ${t.plan.statement}`,
    slope: slopeSentence(t),
    metric: t.plan.metric,
    points: t.accuracy,
    ...(t.plan.trainLimit !== undefined ? { trainLimit: t.plan.trainLimit } : {}),
    rungs: t.plan.rungs.map((r, i) => {
      const e = t.trend.rungs[i];
      return {
        epochs: r.epochs,
        multiplier: r.multiplier,
        n: e?.n ?? 0,
        ...(e && e.n ? { mean: e.mean } : {}),
        ...(e?.ci ? { ci: e.ci } : {}),
      };
    }),
  });
}

/** One line per rung: "2 epochs (1x): +0.52 [-0.10, +1.14] points, 4 seeds". */
export function rungLines(t: LadderTrend): string[] {
  const unit = t.accuracy ? " points" : "";
  return t.plan.rungs.map((r, i) => {
    const e = t.trend.rungs[i];
    const at = `${r.epochs} epochs (${r.multiplier}x)`;
    if (!e?.n) return `${at}: no paired runs`;
    const ci = intervalText(e.ci, t.accuracy);
    return `${at}: ${effectText(e.mean, t.accuracy)}${ci ? ` ${ci}` : ""}${unit}, ${countOf(e.n, "seed")}`;
  });
}

/**
 * A laddered claim's trend in a few words, for the findings table beside its verdict at the study
 * budget: "ladder 1-10x: slope +1.80 [+0.94, +2.66] points per tenfold budget, toward the paper".
 */
export function trendCell(t: LadderTrend): string {
  const m = t.plan.rungs.map((r) => r.multiplier);
  const span = `ladder ${m[0]}-${m[m.length - 1]}x`;
  const s = t.trend.slope;
  if (!s) return `${span}: no seed has every rung yet`;
  const ci = intervalText(s.ci, t.accuracy);
  const where =
    s.n < 2
      ? "one seed, no direction decided"
      : `${t.trend.decided ? (t.trend.points === "toward" ? "toward the paper" : "away from the paper") : "no clear trend"}${t.holm ? ` (Holm p ${formatP(t.holm.p)})` : ""}`;
  return `${span}: slope ${effectText(s.mean, t.accuracy)}${ci ? ` ${ci}` : ""} ${t.accuracy ? "points" : t.plan.metric} per tenfold budget, ${where}`;
}

/**
 * The published comparison beside a ladder, in words, or "" where the ladder declares none:
 * "published at a larger budget (lightly benchmarks; ResNet-18, 200 epochs, kNN k=200, one run per
 * batch size): batch 512 84.8% against batch 128 84.7%, +0.1 points, no interval (one run each)",
 * or, where none is known, "no published small-scale comparison: <why>".
 */
export function publishedText(t: LadderTrend): string {
  const p = t.plan.published;
  if (!p) return "";
  if ("none" in p) return `no published small-scale comparison: ${p.none}`;
  const d = p.better - p.worse;
  return `published at a larger budget (${p.source}; ${p.setting}): ${p.betterName} ${p.better}% against ${p.worseName} ${p.worse}%, ${d >= 0 ? "+" : ""}${d.toFixed(1)} points, no interval (one run each)`;
}

/**
 * A laddered claim in one sentence: the statement, each rung's effect, the slope, and the
 * published comparison where the ladder names one (the README, the report and the notebooks).
 */
export function ladderSentence(t: LadderTrend): string {
  return `${t.plan.statement}: ${ladderFindings(t)}.`;
}

/** Each rung's effect, the slope, and the published comparison where there is one. */
function ladderFindings(t: LadderTrend): string {
  const published = publishedText(t);
  return `${rungLines(t).join("; ")}; ${slopeSentence(t)}${published ? `; ${published}` : ""}${cpuNote(t.cpu)}`;
}

/**
 * The findings README's "Budget ladders" section: per laddered claim with runs, the effect at
 * each rung and the slope; [] where the preset has no ladder runs (the section is absent).
 */
export function ladderMarkdown(data: ReportData, preset: string): string[] {
  const trends = presetTrends(data, preset);
  if (!trends.length) return [];
  const lines = [
    "## Budget ladders",
    "",
    "Each laddered claim's two cells trained at several multiples of the study budget (more epochs on the same images, the same seeds at every rung, the study's evaluation). The difference is the better cell minus the worse, seed by seed, so positive is the paper's direction; intervals are 95% t intervals over seeds; the slope is each seed's least-squares slope against log10(budget), then a t interval over seeds; its direction is decided as the table's claims are, by one-sided t tests of the mean slope in both directions, Holm-adjusted over every laddered claim of this table at alpha = 0.05. The findings table above keeps its verdict at the study budget.",
    "",
  ];
  for (const t of trends)
    lines.push(`- **${t.study}: ${t.plan.statement}** (${t.plan.metric}): ${ladderFindings(t)}.`);
  lines.push("");
  return lines;
}
