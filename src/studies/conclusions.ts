/**
 * Conclusions a study notebook prints, computed from that sweep's per-seed results: the verdict on
 * each comparison the study declares (src/report/claims.ts) plus the comparisons that are not a
 * plain "cell A beats cell B" (Table 1: color helps SimCLR MORE than supervised; Table 3: h keeps
 * more information about the transformation than g(h)).
 */
import { summarize } from "../plot/figures";
import { evaluateClaims, type ClaimVerdict, type SeedResult } from "../report/claims";
import { getStudy } from "../sweep/registry";
import type { Study } from "../sweep/study";

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
  const gain = (mode: string): { gain: number; n: number } => {
    const metric = mode === "supervised" ? "supervised_acc" : "linear_acc";
    const hi = summarize(metricOf(results, `${mode} s=1`, metric));
    const lo = summarize(metricOf(results, `${mode} s=0.125`, metric));
    return { gain: hi.mean - lo.mean, n: Math.min(hi.n, lo.n) };
  };
  const s = gain("simclr");
  const v = gain("supervised");
  if (!Number.isFinite(s.gain) || !Number.isFinite(v.gain)) {
    return {
      claim,
      source: "Table 1",
      verdict: "no data",
      evidence: "needs simclr and supervised runs at s=1/8 and s=1",
    };
  }
  return {
    claim,
    source: "Table 1",
    verdict: s.gain > v.gain ? "agrees" : s.gain < v.gain ? "disagrees" : "inconclusive",
    evidence: `gain from s=1/8 to s=1: SimCLR ${pct(s.gain)} points, supervised ${pct(v.gain)} points (means over ${Math.min(s.n, v.n)} seed(s))`,
  };
}

/** Table 3: is the transformation more predictable from h than from g(h)? */
function probeFinding(results: readonly SeedResult[]): Finding {
  const claim = "h keeps more information about the applied transformation than z = g(h) (Table 3)";
  const h = summarize(results.map((r) => r.metrics.probe_h).filter((v) => Number.isFinite(v)));
  const gh = summarize(results.map((r) => r.metrics.probe_gh).filter((v) => Number.isFinite(v)));
  if (h.n === 0 || gh.n === 0)
    return { claim, source: "Table 3", verdict: "no data", evidence: "the probe did not run" };
  return {
    claim,
    source: "Table 3",
    verdict: h.mean > gh.mean ? "agrees" : h.mean < gh.mean ? "disagrees" : "inconclusive",
    evidence: `probe accuracy from h ${pct(h.mean)}% ± ${pct(h.std)} vs from g(h) ${pct(gh.mean)}% ± ${pct(gh.std)} (n=${h.n})`,
  };
}

/** Figure 8: does evaluating h beat evaluating z = g(h) for the non-linear head? */
function hVersusGh(results: readonly SeedResult[]): Finding {
  const claim =
    "the representation before the head (h) beats the one after it, z = g(h) (Figure 8)";
  const rows = results.filter((r) => r.label.startsWith("nonlinear"));
  const h = summarize(rows.map((r) => r.metrics.linear_acc_h).filter((v) => Number.isFinite(v)));
  const gh = summarize(rows.map((r) => r.metrics.linear_acc_gh).filter((v) => Number.isFinite(v)));
  if (h.n === 0 || gh.n === 0)
    return {
      claim,
      source: "Figure 8",
      verdict: "no data",
      evidence: "linear evaluation of g(h) did not run",
    };
  return {
    claim,
    source: "Figure 8",
    verdict: h.mean > gh.mean ? "agrees" : h.mean < gh.mean ? "disagrees" : "inconclusive",
    evidence: `non-linear heads: linear eval on h ${pct(h.mean)}% ± ${pct(h.std)} vs on g(h) ${pct(gh.mean)}% ± ${pct(gh.std)} (n=${h.n})`,
  };
}

/** Study-specific findings beyond the study's declared claims. */
const EXTRA: Record<string, (results: readonly SeedResult[]) => Finding[]> = {
  "color-strength": (r) => [colorInteraction(r)],
  "projection-head": (r) => [hVersusGh(r), probeFinding(r)],
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
  return [...declared, ...(EXTRA[s.name]?.(ok) ?? [])];
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
