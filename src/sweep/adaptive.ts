/**
 * The sweep's side of adaptive seeds (src/stats/seed-policy.ts): from a study's finished cell
 * results so far, the next runs to plan, namely more seeds for the cells of claims that are still
 * undecided, as ordinary CellPlans (so they run, resume and are tracked like any other). A sweep
 * calls {@link nextAdaptivePlans} after its plan finishes and runs what it returns, until it
 * returns none. A study without a seed policy at the preset gets none.
 */
import { evaluateClaims, type SeedResult } from "../evidence/claims";
import type { Finding } from "../evidence/finding";
import { nextSeeds, type ClaimLook, type SeedDecision } from "../stats/seed-policy";
import {
  planStudy,
  studyCells,
  type CellPlan,
  type PlanOptions,
  type TolerantPlanOptions,
} from "../grid/study-grid";
import type { Study } from "../evidence/study";

/** A finished result with its run time (a sweep's CellResult fits). */
export interface TimedResult extends SeedResult {
  seconds?: number;
}

/** A sweep's result that counts as evidence: finished now, or finished before (skipped). */
export function isEvidence(r: { status: string }): boolean {
  return r.status === "FINISHED" || r.status === "SKIPPED";
}

/** The raw (uncorrected) looks at a study's claims: declared claims and the study's own findings. */
function claimLooks(study: Study, results: readonly SeedResult[], preset: string): ClaimLook[] {
  const findings: Finding[] = [
    ...evaluateClaims(study, results, { preset }),
    ...(study.findings?.(results, study, preset) ?? []),
  ];
  return findings.map((f) => ({
    cells: f.cells ?? [],
    ...(f.p !== undefined ? { p: f.p } : {}),
    ...(f.pReverse !== undefined ? { pReverse: f.pReverse } : {}),
  }));
}

/**
 * The next runs of an adaptive study, with the policy's decision; no plans (and `done`) when the
 * study has no seed policy at this preset or the policy stops.
 */
export function nextAdaptivePlans(
  study: Study,
  opts: PlanOptions<object> | TolerantPlanOptions,
  results: readonly TimedResult[],
): { plans: CellPlan<object>[]; decision?: SeedDecision } {
  const policy = study.presets?.[opts.preset]?.seedPolicy;
  if (!policy || opts.seeds !== undefined) return { plans: [] };
  const labels = studyCells(study, opts.preset).map((c) => c.label ?? "");
  const seeds = new Map<string, Set<number>>(labels.map((l) => [l, new Set<number>()]));
  for (const r of results) seeds.get(r.label)?.add(r.seed);
  const cells = labels.map((label) => ({
    label,
    seeds: seeds.get(label)?.size ?? 0,
    seconds: results.filter((r) => r.label === label).reduce((a, r) => a + (r.seconds ?? 0), 0),
  }));
  const decision = nextSeeds(policy, cells, claimLooks(study, results, opts.preset));
  if (decision.done) return { plans: [], decision };
  // Seeds 0..max-1 of every cell, then the ones each target asks for that have not run.
  const all = planStudy(study, { ...opts, seeds: policy.max });
  const plans = all.filter((p) => {
    const target = decision.targets.get(p.label);
    return target !== undefined && p.seed < target && !seeds.get(p.label)?.has(p.seed);
  });
  return { plans, decision };
}
