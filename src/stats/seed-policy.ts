/**
 * Adaptive seeds: a study declares a seed policy {min, max, step, budget}; after every cell has
 * `min` seeds, more seeds go only to the cells of claims that are still undecided, `step` at a
 * time, until each claim is decided, its cells reach `max`, or the budget is spent. Looking at
 * the data after every step would inflate false positives, so each look tests at a corrected
 * level: Bonferroni over the looks and over the two directions (agrees / disagrees), alpha /
 * (2 x looks). Whatever the data, the chance that a claim with no true difference ends decisive
 * (either way) is then at most alpha; test/stats/seed-policy.test.ts checks this by simulation,
 * together with the saving in runs against a fixed design with the same maximum.
 */
import { ALPHA } from "./verdict";

/** How many seeds a study's cells get. */
export interface SeedPolicy {
  /** Seeds every cell gets before any look (>= 2: a test needs a spread). */
  min: number;
  /** Seeds a cell gets at most. */
  max: number;
  /** Seeds added to an undecided claim's cells per look; default `min`. */
  step?: number;
  /** Stop adding seeds once the study's finished runs reach this many runs or CPU-seconds. */
  budget?: { runs?: number; cpuSeconds?: number };
}

/** Where a cell stands: its finished seeds and the seconds they took. */
export interface CellState {
  label: string;
  seeds: number;
  /** Sum of its runs' durations (CPU-seconds of the sweep's runs). */
  seconds: number;
}

/** A claim at the current look: the cells it compares and its raw one-sided p-values. */
export interface ClaimLook {
  cells: readonly string[];
  /** One-sided p in the paper's direction; undefined while it cannot be tested. */
  p?: number;
  pReverse?: number;
}

/** The policy's answer: seeds each cell should reach next (only cells that grow), and why it stops. */
export interface SeedDecision {
  /** Cell label -> target number of seeds (more than it has). */
  targets: Map<string, number>;
  /** True when no cell gets another seed. */
  done: boolean;
  /** "decided", "max" or "budget" when done; "min" or "undecided" otherwise. */
  reason: "min" | "undecided" | "decided" | "max" | "budget";
}

/** Checks a policy; throws naming the field and what was expected. */
export function validateSeedPolicy(p: SeedPolicy, where = "seedPolicy"): void {
  const int = (v: unknown, lo: number): boolean => Number.isInteger(v) && (v as number) >= lo;
  if (!int(p.min, 2))
    throw new Error(`${where}.min must be an integer >= 2, got ${JSON.stringify(p.min)}`);
  if (!int(p.max, p.min))
    throw new Error(
      `${where}.max must be an integer >= min (${p.min}), got ${JSON.stringify(p.max)}`,
    );
  if (p.step !== undefined && !int(p.step, 1))
    throw new Error(`${where}.step must be an integer >= 1, got ${JSON.stringify(p.step)}`);
  for (const k of ["runs", "cpuSeconds"] as const) {
    const v = p.budget?.[k];
    if (v !== undefined && !(typeof v === "number" && v > 0))
      throw new Error(`${where}.budget.${k} must be a number > 0, got ${JSON.stringify(v)}`);
  }
}

/** The seed counts at which claims are looked at: min, min + step, ..., max. */
export function policyLooks(p: SeedPolicy): number[] {
  const step = p.step ?? p.min;
  const looks: number[] = [];
  for (let n = p.min; n < p.max; n += step) looks.push(n);
  looks.push(p.max);
  return looks;
}

/** The per-look, per-direction significance level: alpha / (2 x looks). */
export function lookLevel(p: SeedPolicy, alpha: number = ALPHA): number {
  return alpha / (2 * policyLooks(p).length);
}

/** Whether a claim is decided at the policy's per-look level. */
export function isDecided(c: ClaimLook, level: number): boolean {
  return (c.p !== undefined && c.p <= level) || (c.pReverse !== undefined && c.pReverse <= level);
}

/** Trims targets (in cell order) to what the budget still allows; cost estimated from the runs so far. */
function withinBudget(
  p: SeedPolicy,
  cells: readonly CellState[],
  targets: Map<string, number>,
): Map<string, number> {
  const runs = cells.reduce((a, c) => a + c.seeds, 0);
  const seconds = cells.reduce((a, c) => a + c.seconds, 0);
  const perRun = runs > 0 ? seconds / runs : 0;
  const out = new Map<string, number>();
  let addedRuns = 0;
  for (const c of cells) {
    const t = targets.get(c.label);
    if (t === undefined) continue;
    const more = t - c.seeds;
    const okRuns = p.budget?.runs === undefined || runs + addedRuns + more <= p.budget.runs;
    const okCpu =
      p.budget?.cpuSeconds === undefined ||
      seconds + (addedRuns + more) * perRun <= p.budget.cpuSeconds;
    if (okRuns && okCpu) {
      out.set(c.label, t);
      addedRuns += more;
    }
  }
  return out;
}

/**
 * Which cells get more seeds next (a pure function of the results so far): first every cell up
 * to `min`; then the cells of undecided claims up to their next look, never past `max`, within
 * the budget. `claims` carry the raw one-sided p-values computed from the current results.
 */
export function nextSeeds(
  policy: SeedPolicy,
  cells: readonly CellState[],
  claims: readonly ClaimLook[],
  alpha: number = ALPHA,
): SeedDecision {
  validateSeedPolicy(policy);
  const targets = new Map<string, number>();
  for (const c of cells) if (c.seeds < policy.min) targets.set(c.label, policy.min);
  if (targets.size) {
    const fit = withinBudget(policy, cells, targets);
    return { targets: fit, done: fit.size === 0, reason: fit.size ? "min" : "budget" };
  }
  const level = lookLevel(policy, alpha);
  const looks = policyLooks(policy);
  const open = claims.filter((c) => !isDecided(c, level));
  if (open.length === 0) return { targets, done: true, reason: "decided" };
  const byLabel = new Map(cells.map((c) => [c.label, c]));
  for (const claim of open)
    for (const label of claim.cells) {
      const c = byLabel.get(label);
      if (!c || c.seeds >= policy.max) continue;
      targets.set(label, looks.find((n) => n > c.seeds) ?? policy.max);
    }
  if (targets.size === 0) return { targets, done: true, reason: "max" };
  const fit = withinBudget(policy, cells, targets);
  return { targets: fit, done: fit.size === 0, reason: fit.size ? "undecided" : "budget" };
}
