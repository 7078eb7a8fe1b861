/**
 * What a budget ladder's runs show (issue 24; Figure 9's accuracy against epochs): per laddered
 * claim, the paired difference at each rung (better - worse, seed by seed, so positive is the
 * paper's direction; worse - better for a lower-is-better metric) with its 95% CI over seeds, and
 * the slope of the difference against log10(budget) per seed (src/stats/trend.ts). The findings
 * table keeps its verdict at the study budget; this is the trend beside it.
 */
import { budgetTrend, type BudgetTrend } from "../stats/trend";
import { decideFamily } from "../stats/verdict";
import type { LadderClaimPlan, LadderRung } from "./ladder";
import type { SeedResult, Study } from "./study";
import { oneCpuModel, type OneCpu } from "./blocks";
import { countOf } from "./plural";
import { formatP } from "./finding";

/** One laddered claim's trend, with what the figure and the README need to say it. */
export interface LadderTrend {
  /** The laddered study. */
  study: string;
  preset: string;
  plan: LadderClaimPlan;
  trend: BudgetTrend;
  /** Whether the metric is an accuracy (differences shown in points). */
  accuracy: boolean;
  /**
   * The CPU model whose runs the trend keeps, and how many runs of the claim's cells on other CPU
   * models it left out: every rung and seed of a claim on one CPU model (issue 24), the CPU as a
   * blocking factor as in the findings table (src/evidence/blocks.ts).
   */
  cpu: Pick<OneCpu, "cpu" | "left">;
  /**
   * The slope's direction decided in a family of ladders ({@link decideTrends}): its Holm-adjusted
   * one-sided p in the direction the mean points, and how many slopes the family tests.
   */
  holm?: { p: number; family: number };
}

/**
 * Decides the slopes of a family of laddered claims with the findings table's rule
 * (src/stats/verdict.ts): both one-sided directions of every slope with 2 or more seeds in one
 * Holm family at alpha 0.05, so the chance of any wrongly decided direction among them is at most
 * 0.05. The findings README and the report decide every ladder of the preset together; a notebook
 * its own ladder study's. A slope's interval stays its unadjusted 95% t interval.
 */
export function decideTrends(trends: readonly LadderTrend[]): LadderTrend[] {
  const raw = trends.map((t) => ({ p: t.trend.slope?.p, pReverse: t.trend.slope?.pReverse }));
  const decisions = decideFamily(raw);
  const family = decisions.filter((d) => d !== undefined).length;
  return trends.map((t, i) => {
    const { holm: _old, ...rest } = t;
    const d = decisions[i];
    if (!d) return { ...rest, trend: { ...t.trend, decided: false } };
    const p = t.trend.points === "away" ? d.pReverseAdjusted : d.pAdjusted;
    return {
      ...rest,
      trend: { ...t.trend, decided: d.verdict !== "inconclusive" },
      holm: { p, family },
    };
  });
}

/** A side's metric by seed (the last result per seed wins). */
function bySeed(
  results: readonly SeedResult[],
  label: string,
  metric: string,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of results) {
    const v = r.metrics[metric];
    if (r.label === label && typeof v === "number" && Number.isFinite(v)) out.set(r.seed, v);
  }
  return out;
}

/** One rung's paired differences by seed, positive in the paper's direction. */
function rungDifferences(
  results: readonly SeedResult[],
  plan: LadderClaimPlan,
  rung: LadderRung,
): Map<number, number> {
  const b = bySeed(results, rung.better, plan.metric);
  const w = bySeed(results, rung.worse, plan.metric);
  const sign = plan.lowerIsBetter ? -1 : 1;
  const out = new Map<number, number>();
  for (const [seed, v] of b) if (w.has(seed)) out.set(seed, sign * (v - (w.get(seed) as number)));
  return out;
}

/** The results of a laddered claim's cells, one side per cell (both cells of every rung). */
function claimSides(results: readonly SeedResult[], plan: LadderClaimPlan): SeedResult[][] {
  const labels = [...new Set(plan.rungs.flatMap((r) => [r.better, r.worse]))];
  return labels.map((l) => results.filter((r) => r.label === l));
}

/** Training images per epoch of a plan (1 where the preset does not set it: epochs stand in). */
export function rungBudget(plan: LadderClaimPlan, rung: LadderRung): number {
  return rung.epochs * (plan.trainLimit ?? 1);
}

/**
 * The trend of every laddered claim of a ladder study at a preset from its per-seed results; []
 * for a study that is no ladder or has no rung plan at the preset. A rung without pairs shows as
 * n = 0 (no fake numbers).
 */
export function ladderTrends(
  study: Study,
  results: readonly SeedResult[],
  preset: string,
): LadderTrend[] {
  const plans = study.ladderOf?.presets[preset] ?? [];
  const trends = plans.map((plan) => {
    const one = oneCpuModel(claimSides(results, plan));
    const kept = one.sides.flat();
    const rungs = plan.rungs.map((r) => ({
      budget: rungBudget(plan, r),
      differences: rungDifferences(kept, plan, r),
    }));
    return {
      study: study.ladderOf?.of ?? study.name,
      preset,
      plan,
      trend: budgetTrend(rungs),
      accuracy: /acc/.test(plan.metric),
      cpu: { cpu: one.cpu, left: one.left },
    };
  });
  return decideTrends(trends);
}

/** A difference in the claim's unit: points for an accuracy, else the metric's own. */
export function effectText(v: number | undefined, accuracy: boolean): string {
  if (v === undefined || !Number.isFinite(v)) return "-";
  const x = accuracy ? 100 * v : v;
  return `${x >= 0 ? "+" : ""}${x.toFixed(accuracy ? 2 : 4)}`;
}

/** An interval in the claim's unit, "[lo, hi]", or "" without one. */
export function intervalText(ci: [number, number] | undefined, accuracy: boolean): string {
  return ci ? `[${effectText(ci[0], accuracy)}, ${effectText(ci[1], accuracy)}]` : "";
}

/** The slope and where it points, in words: "slope +1.80 [+0.94, +2.66] points per tenfold budget over 4 seeds: toward ...". */
export function slopeSentence(t: LadderTrend): string {
  const s = t.trend.slope;
  if (!s) return "no slope: no seed has a run at every rung";
  const unit = t.accuracy ? "points" : t.plan.metric;
  const ci = intervalText(s.ci, t.accuracy);
  const holm = t.holm
    ? `Holm p = ${formatP(t.holm.p)} over both directions of the slopes of ${countOf(t.holm.family, "laddered claim")}`
    : "its 95% CI alone, in no family";
  const where =
    s.n < 2
      ? "one seed: no interval, no direction decided"
      : t.trend.decided
        ? `${t.trend.points === "toward" ? "toward" : "away from"} the paper's direction (${holm})`
        : `no clear trend (${holm}; ${t.trend.points === "flat" ? "the mean is 0" : `the mean points ${t.trend.points === "toward" ? "toward" : "away from"} the paper`})`;
  return `slope ${effectText(s.mean, t.accuracy)}${ci ? ` ${ci}` : ""} ${unit} per tenfold budget over ${countOf(s.n, "seed")}: ${where}`;
}
