/**
 * Budget ladders (issue 24): when does each finding appear? The paper's claims are about models
 * trained for 100 to 800 epochs (Figure 9 plots accuracy against epochs for each batch size); a
 * `small` study cell trains a few epochs, so a verdict at that one budget cannot tell "the effect
 * is absent" from "it has not appeared yet". A study declares, per claim, a ladder of budgets
 * (`ladders: [{ claim, multipliers: [1, 3, 10] }]`), and {@link ladderStudyOf} builds from it a
 * study of its own, "<study>-ladder" (its experiment, runs, archive lines), like the search stage
 * of src/evidence/search.ts: the claim's two compared cells at every rung, on the same seeds at
 * every rung (paired seeds), with the study's own evaluation (its preset's overrides).
 *
 * A rung's budget: multiplier m of the study budget in image-epochs, as `train.epochs` = the
 * cell's epochs x m with `data.trainLimit` kept. Kept images mean every rung sees the same data,
 * the probe and scored images are the study's, and only the length of training grows, which is
 * Figure 9's axis; growing the subset instead would change the data distribution too.
 *
 * Decision, separate runs per rung (not checkpoints of one long run), from the measured costs in
 * environment.md ("Evaluation protocol": training 25.5 CPU-s per 5000 image-epochs, 81 CPU-s of
 * evaluation per encoder), per seed per claim cell for rungs 1, 3, 10 of a 6-epoch 5000-image
 * cell (153 CPU-s of training at rung 1): separate runs train 153 x 14 = 2142 and evaluate
 * 3 x 81 = 243, 2385 CPU-s; one warmup-stable-decay run to 10x trains 1530 plus decay branches
 * of 10-20% at rungs 1 and 3 (61-122) and evaluates 243, 1834-1895 CPU-s: 21-23% less. That
 * saving would need a new learning-rate schedule and checkpoint-branch training in src/train
 * (frozen while the `small` re-run runs), and it confounds: its rungs would no longer be the
 * study's cosine-schedule runs, so rung 1 would not be the cell the findings table tests.
 * environment.md "Budget ladders (issue 24)".
 *
 * Rung 1 is the study's own cell (same overrides, same label, same config hash; a ladder's own
 * `overrides`, an evaluation its claim does not read, are the one declared difference), yet the ladder
 * runs it again in its own experiment: the sweep skips a cell only when a finished run of its
 * config hash is in the same study's runs (src/sweep/lease.ts), and reusing the study's run would
 * pair rungs from another CPU model and session (the same config and seed differ by up to 1.45
 * points across CPU models, issue 27). It costs 234 of the 2385 CPU-s (10%), and the two runs of
 * one config hash show the run-to-run spread directly.
 */
import {
  cellFields,
  cellLabel,
  mergeOverrides,
  planStudy,
  selectCells,
  type CellSelector,
  type Overrides,
  type StudyCell,
  type StudyPreset,
} from "../grid/study-grid";
import type { NoPublishedComparison, PublishedComparison } from "../paper/reference";
import type { Claim, Study } from "./study";

/** A claim's budget ladder, as its study declares it. */
export interface ClaimLadder {
  /** The claim's id. */
  claim: string;
  /**
   * Budgets as multiples of the study budget (image-epochs), increasing, the first 1 (the study's
   * own cells), at least 3 on a log scale reaching about 10x: e.g. [1, 3, 10].
   */
  multipliers: readonly number[];
  /**
   * Multipliers at named presets instead (the same rules): `tiny` checks the plumbing in seconds
   * per rung, e.g. `{ tiny: [1, 1.5, 2] }`.
   */
  presets?: Readonly<Record<string, readonly number[]>>;
  /**
   * What every rung of this claim changes besides its budget, on both sides alike: an evaluation
   * the claim does not read, left out to spend the budget on training (e.g. the projection-head
   * ladder drops the transformation probe). It may not set `train.epochs`, the ladder's axis.
   */
  overrides?: Overrides;
  /**
   * A published small-scale result of the same comparison, set beside the trend in words, or the
   * note that none of the references compares it.
   */
  published?: PublishedComparison | NoPublishedComparison;
}

/** One rung of a laddered claim at a preset: its budget and the labels of its two cells. */
export interface LadderRung {
  multiplier: number;
  /** Pre-training epochs at this rung (the better cell's epochs x multiplier; the x axis). */
  epochs: number;
  better: string;
  worse: string;
}

/** A laddered claim at a preset, as the ladder study records it (plain data: study.json keeps it). */
export interface LadderClaimPlan {
  /** The claim's id in its study. */
  claim: string;
  /** The paper's statement. */
  statement: string;
  metric: string;
  lowerIsBetter?: boolean;
  source?: string;
  /** Training images per epoch (data.trainLimit), where the preset sets it. */
  trainLimit?: number;
  rungs: LadderRung[];
  /** The ladder's own overrides, where it declares some (they apply at every rung). */
  overrides?: Overrides;
  /** The published small-scale comparison (or the note that there is none), where declared. */
  published?: PublishedComparison | NoPublishedComparison;
}

/** What a ladder study is a ladder of: its study and, per preset, its laddered claims. */
export interface LadderPlan {
  /** The laddered study's name. */
  of: string;
  presets: Record<string, LadderClaimPlan[]>;
}

/** The ladder study's name for a study. */
export function ladderName(study: string): string {
  return `${study}-ladder`;
}

/** The `train.epochs` a set of overrides sets, if it sets a number. */
function epochsOf(overrides: StudyCell["overrides"] | undefined): number | undefined {
  const e = overrides?.train?.epochs;
  return typeof e === "number" ? e : undefined;
}

/** The epochs of a cell at a preset: its own, else the preset's budget, else the study's base. */
function cellEpochs(study: Study, cell: StudyCell, preset: string): number {
  const e =
    epochsOf(cell.overrides) ??
    epochsOf(study.presets?.[preset]?.overrides) ??
    epochsOf(study.base);
  if (e === undefined)
    throw new Error(
      `study '${study.name}': cell '${cell.label}' at preset '${preset}' has no train.epochs in its overrides, the preset's or the base: a budget ladder multiplies it`,
    );
  return e;
}

/**
 * A cell at a rung: multiplier 1 is the cell itself; above, its overrides with `train.epochs` =
 * `epochs` x multiplier. A cell labelled by its fields (the default) keeps that rule (the epochs
 * field in place, e.g. "train.batchSize=512, train.epochs=6, ..."); another label gets
 * ", train.epochs=N" appended. Figure 9's grid (src/studies/batch-size.ts) is built with it.
 */
export function rungCell(cell: StudyCell, multiplier: number, epochs: number): StudyCell {
  const label = cell.label ?? cellLabel(cellFields(cell.overrides));
  if (multiplier === 1) return { label, overrides: cell.overrides };
  const total = epochs * multiplier;
  if (!Number.isInteger(total) || total < 1)
    throw new Error(
      `cell '${label}': ${epochs} epochs x ${multiplier} = ${total} is not a whole number of epochs >= 1`,
    );
  const overrides = mergeOverrides(cell.overrides, { train: { epochs: total } });
  const byFields = label === cellLabel(cellFields(cell.overrides));
  return {
    label: byFields ? cellLabel(cellFields(overrides)) : `${label}, train.epochs=${total}`,
    overrides,
  };
}

/** Checks a study's ladders (claims, multipliers); throws naming the study and the field. */
export function validateLadders(study: Study): void {
  const where = `study '${study.name}': ladders`;
  const seen = new Set<string>();
  for (const l of study.ladders ?? []) {
    if (!study.claims?.some((c) => c.id === l.claim))
      throw new Error(`${where} names no claim '${l.claim}'`);
    if (seen.has(l.claim)) throw new Error(`${where}: claim '${l.claim}' is laddered twice`);
    seen.add(l.claim);
    if (l.overrides?.train?.epochs !== undefined)
      throw new Error(
        `${where}: claim '${l.claim}' sets train.epochs in its overrides; the rungs set it (epochs x multiplier)`,
      );
    const lists = [["", l.multipliers], ...Object.entries(l.presets ?? {})] as const;
    for (const [preset, m] of lists) {
      const ok =
        Array.isArray(m) &&
        m.length >= 3 &&
        m[0] === 1 &&
        m.every((x, i) => Number.isFinite(x) && (i === 0 || x > (m[i - 1] as number)));
      if (!ok)
        throw new Error(
          `${where}: claim '${l.claim}'${preset ? ` at preset '${preset}'` : ""} needs at least 3 increasing multipliers starting at 1 (e.g. [1, 3, 10]), got ${JSON.stringify(m)}`,
        );
    }
  }
}

/** A ladder's multipliers at a preset (its preset's own, else its default). */
export function multipliersAt(ladder: ClaimLadder, preset: string): readonly number[] {
  return ladder.presets?.[preset] ?? ladder.multipliers;
}

/** The one cell a claim's side selects at a preset; throws naming the claim otherwise. */
function oneCell(study: Study, claim: Claim, sel: CellSelector, preset: string): StudyCell {
  const cells = selectCells(study, sel, preset);
  if (cells.length !== 1)
    throw new Error(
      `study '${study.name}': laddered claim '${claim.id}' at preset '${preset}' must select one cell per side, ${JSON.stringify(sel)} selects ${cells.length}`,
    );
  return cells[0] as StudyCell;
}

/**
 * A side's cell with the ladder's own overrides merged in, under the study cell's label (so rung 1
 * keeps the study's label; its config differs from the study's cell by exactly those overrides).
 */
function withLadderOverrides(cell: StudyCell, overrides: Overrides | undefined): StudyCell {
  if (!overrides) return cell;
  return {
    label: cell.label ?? cellLabel(cellFields(cell.overrides)),
    overrides: mergeOverrides(cell.overrides, overrides),
  };
}

/** A laddered claim's rungs and cells at a preset; undefined where a side has no cell there. */
function claimAt(
  study: Study,
  ladder: ClaimLadder,
  preset: string,
): { plan: LadderClaimPlan; cells: StudyCell[] } | undefined {
  const claim = study.claims?.find((c) => c.id === ladder.claim) as Claim;
  if (!selectCells(study, claim.better, preset).length) return undefined;
  if (!selectCells(study, claim.worse, preset).length) return undefined;
  const sides = [claim.better, claim.worse].map((s) =>
    withLadderOverrides(oneCell(study, claim, s, preset), ladder.overrides),
  );
  const cells: StudyCell[] = [];
  const rungs = multipliersAt(ladder, preset).map((m) => {
    const [b, w] = sides.map((c) => rungCell(c, m, cellEpochs(study, c, preset)));
    cells.push(b as StudyCell, w as StudyCell);
    const epochs = cellEpochs(study, b as StudyCell, preset);
    return { multiplier: m, epochs, better: b?.label ?? "", worse: w?.label ?? "" };
  });
  const limit = study.presets?.[preset]?.overrides?.data?.trainLimit;
  const plan: LadderClaimPlan = {
    claim: claim.id,
    statement: claim.claim,
    metric: claim.metric,
    ...(claim.lowerIsBetter ? { lowerIsBetter: true } : {}),
    ...(claim.source !== undefined ? { source: claim.source } : {}),
    ...(typeof limit === "number" ? { trainLimit: limit } : {}),
    rungs,
    ...(ladder.overrides ? { overrides: ladder.overrides } : {}),
    ...(ladder.published ? { published: ladder.published } : {}),
  };
  return { plan, cells };
}

/**
 * The seeds every rung of a preset runs: those the study's plan gives every compared cell there
 * (so rung 1 is the study's cell and seed, and every rung pairs the same seeds).
 */
function pairedSeeds(study: Study, preset: string, labels: readonly string[]): number[] {
  const plans = planStudy(study, { preset });
  const of = (l: string): number[] => plans.filter((p) => p.label === l).map((p) => p.seed);
  const [first, ...rest] = labels.map(of);
  return (first ?? []).filter((s) => rest.every((r) => r.includes(s)));
}

/** The ladder study's preset: the study's budget, the rung cells (once each), paired seeds. */
function ladderPreset(
  study: Study,
  preset: string,
  claims: { plan: LadderClaimPlan; cells: StudyCell[] }[],
): StudyPreset {
  const cells = new Map<string, StudyCell>();
  for (const c of claims.flatMap((x) => x.cells)) {
    const label = c.label ?? "";
    const seen = cells.get(label);
    if (seen && JSON.stringify(seen.overrides) !== JSON.stringify(c.overrides))
      throw new Error(
        `study '${study.name}' at preset '${preset}': two laddered claims run cell '${label}' with different overrides (${JSON.stringify(seen.overrides)} and ${JSON.stringify(c.overrides)}); give the ladders the same overrides`,
      );
    cells.set(label, c);
  }
  const rung1 = claims.flatMap((x) => [x.plan.rungs[0]?.better, x.plan.rungs[0]?.worse]);
  const seeds = pairedSeeds(
    study,
    preset,
    rung1.filter((l): l is string => l !== undefined),
  );
  if (!seeds.length)
    throw new Error(
      `study '${study.name}' at preset '${preset}': the laddered claims' cells share no seed`,
    );
  return {
    overrides: study.presets?.[preset]?.overrides ?? {},
    cells: [...cells.values()],
    seedValues: seeds,
  };
}

/**
 * The study's budget ladders as a study of its own, "<study>-ladder": at each preset where a
 * laddered claim has both its cells, the claim's cells at every rung, with the seeds the study
 * gives those cells there; its `ladderOf` records the rungs for the trend (src/stats/trend.ts)
 * and the figure (src/plot/ladder.ts). It declares no claims: the findings table keeps the
 * study's verdicts at the study budget.
 */
export function ladderStudyOf(study: Study): Study {
  if (!study.ladders?.length) throw new Error(`study '${study.name}' declares no budget ladder`);
  if (study.search)
    throw new Error(
      `study '${study.name}' has a search stage: ladder the comparison at its chosen settings, ladderStudyOf(applyChoices(study, preset, choices)) (src/evidence/search.ts), so no rung runs at a setting the search did not choose`,
    );
  validateLadders(study);
  const presets: Record<string, StudyPreset> = {};
  const plans: Record<string, LadderClaimPlan[]> = {};
  for (const preset of Object.keys(study.presets ?? {})) {
    const claims = study.ladders
      .map((l) => claimAt(study, l, preset))
      .filter((x): x is NonNullable<typeof x> => x !== undefined);
    if (!claims.length) continue;
    presets[preset] = ladderPreset(study, preset, claims);
    plans[preset] = claims.map((c) => c.plan);
  }
  const all = new Map<string, StudyCell>();
  for (const p of Object.values(presets))
    for (const c of p.cells as StudyCell[]) all.set(c.label ?? "", c);
  const metrics = [...new Set(Object.values(plans).flatMap((ps) => ps.map((p) => p.metric)))];
  const multipliers = study.ladders.map(
    (l) =>
      `${l.claim} at ${l.multipliers.join(", ")}x${Object.entries(l.presets ?? {})
        .map(([p, m]) => `, ${m.join(", ")}x at ${p}`)
        .join("")}${l.overrides ? `, every rung with ${JSON.stringify(l.overrides)}` : ""}`,
  );
  return {
    name: ladderName(study.name),
    description: `Budget ladder of '${study.name}' (issue 24): each laddered claim's two cells at several multiples of the study budget (${multipliers.join("; ")}), train.epochs x multiplier on the same training images, the same seeds at every rung; the paired difference per rung and its slope against log budget show whether the effect grows toward the paper's direction.`,
    base: study.base,
    presets,
    cells: [...all.values()],
    seeds: Math.max(1, ...Object.values(presets).map((p) => p.seedValues?.length ?? 1)),
    metrics: metrics.length ? metrics : study.metrics,
    plot: { kind: "bars", metric: metrics[0] ?? study.metrics[0], title: "budget ladder" },
    ladderOf: { of: study.name, presets: plans },
  };
}
