/**
 * Per-cell training budgets of the studies. A study has dozens of cells and must finish in about
 * an hour on a 2-core CPU at `small`, and in well under a minute per notebook at `tiny` (CI), so each
 * cell pre-trains on a stratified subset for a few epochs; the comparisons are relative (the same
 * budget for every cell) and repeated over seeds. Budget prose ("6 epochs on a 5000-image
 * subset") is generated from these values by {@link budgetFacts}, never retyped.
 *
 * What is scored (issue 27): at `small` every cell scores the whole test split (10,000 images; the
 * 2000-image subset scored before gave about 1.0 point of SE per paired difference from test-set
 * sampling alone), with the linear probe and the kNN memory bank fitted on the same training
 * images, chosen by eval.probeData (SMALL_PROBE_DATA below, decided by measurement:
 * bench/eval-protocol.ts, environment.md "Evaluation protocol").
 *
 * The random-init baseline: at `small` every study cell also reports the same encoder with its
 * random initial weights (eval.randomInit, logged as random_init_* metrics), through the same
 * images and probe as the trained encoder. It depends on the encoder, its seed, the evaluation data
 * and protocol, not on the studied choice, so it is measured once per such key and shared by the
 * cells through a cache folder (src/eval/baseline-cache.ts; each cell still logs the values and the
 * key). `tiny` leaves it out (plumbing only) and keeps its small test subset (seconds per cell).
 */
import { tQuantile } from "../stats/t-distribution";
import { ALPHA } from "../stats/verdict";
import {
  cellFields,
  mergeOverrides,
  planStudy,
  selectCells,
  type Overrides,
  type StudyPreset,
} from "../grid/study-grid";
import type { BudgetFacts, Study } from "./study";
import type { ProbeData } from "../config/pretrain-config";

/**
 * What the `small` studies' probe and kNN bank fit on, decided by measurement (bench/eval-protocol.ts,
 * environment.md "Evaluation protocol"): over 6 paired seeds of NT-Xent against NT-Logistic, the
 * whole training split gave (mean/SD)^2 of the paired differences per CPU-second of a 6-epoch cell
 * 2.6x that of the pre-training subset (both scored on the whole test split).
 */
export const SMALL_PROBE_DATA: ProbeData = "full-train";

/** Overrides every `small` study cell starts from (on top of the `small` preset). */
export const SMALL_STUDY_BUDGET: Readonly<Overrides> = Object.freeze({
  // ~60k views per cell: about 2 minutes of training at ~500 views/s (the ConvNet on 2 idle cores)
  // plus the evaluation (features of the 50,000 + 10,000 images, probe and kNN: ~81 CPU-s measured
  // by bench/eval-protocol.ts; the random-init baseline once per seed, not per cell).
  // data.testLimit stays the small preset's 0: the whole test split is scored.
  data: { trainLimit: 5000 },
  train: { epochs: 6, knnEveryEpochs: 0 },
  eval: { randomInit: true, probeData: SMALL_PROBE_DATA },
});

/**
 * Seeds at `small`: a fixed design, decided before the runs. Every claim of a findings table is
 * tested one-sided with Holm-Bonferroni over its 18 claims, so the strongest claim must reach
 * p < 0.05 / 18 = 0.0028, and most claims compare cells paired over seeds (df = n - 1). With 3
 * seeds (df 2) that needs t > 13.4; with 6 (df 5) t > 4.7. The cells a claim compares therefore get
 * {@link SMALL_CLAIM_SEEDS}, the other cells (plotted, not tested) {@link SMALL_OTHER_SEEDS}, enough
 * for an interval. An adaptive seed policy (src/stats/seed-policy.ts) is not used at `small`: its
 * correction for repeated looks multiplies each p by 2 x looks (4 for looks at 3 and 6 seeds),
 * which under Holm over 18 claims costs more power than the runs it saves (a claim stopped at 3
 * seeds needs raw p < 0.0007 with df 2-4).
 */
export const SMALL_CLAIM_SEEDS = 6;

/** Seeds of a `small` cell no claim compares (its bar or heatmap cell shows n and its interval). */
export const SMALL_OTHER_SEEDS = 2;

/**
 * The `small` preset's seeds for a study: {@link SMALL_CLAIM_SEEDS} for the cells its claims
 * compare (by label), `others` for every other cell.
 */
export function smallSeeds(
  claimCells: readonly string[],
  others: number = SMALL_OTHER_SEEDS,
): { seeds: number; cellSeeds: Record<string, number> } {
  return {
    seeds: others,
    cellSeeds: Object.fromEntries(claimCells.map((l) => [l, SMALL_CLAIM_SEEDS])),
  };
}

/** Overrides every `tiny` study cell starts from: plumbing only, seconds per cell. */
export const TINY_STUDY_BUDGET: Readonly<Overrides> = Object.freeze({
  train: { epochs: 2 },
  eval: { randomInit: false },
});

/**
 * A study's presets: `tiny` and `small` budgets (`small` extended by `small`-specific fields),
 * merged with the study's own per-preset cells and seeds.
 */
export function studyPresets(
  small: Overrides = {},
  own: Record<string, Omit<StudyPreset, "overrides">> = {},
): Record<string, StudyPreset> {
  const out: Record<string, StudyPreset> = {
    tiny: { ...own.tiny, overrides: mergeOverrides(TINY_STUDY_BUDGET) },
    small: { ...own.small, overrides: mergeOverrides(SMALL_STUDY_BUDGET, small) },
  };
  for (const [k, v] of Object.entries(own)) if (!(k in out)) out[k] = { ...v };
  return out;
}

/**
 * The study with its preset's evaluation as its runs recorded it (params `data.testLimit` and
 * `eval.probeData`; a run from before `eval.probeData` existed fitted its probe on the pre-training
 * subset), so that prose built from archived runs says what they scored, not what the study
 * declares today. A field the runs disagree on, or do not record, keeps the study's value.
 */
export function evaluationAsRun(
  study: Study,
  preset: string,
  runs: readonly { params: Readonly<Record<string, string>> }[],
): Study {
  if (!runs.length) return study;
  const agreed = (key: string, absent?: string): string | undefined => {
    const values = new Set(runs.map((r) => r.params[key] ?? absent));
    const [only] = values;
    return values.size === 1 ? only : undefined;
  };
  const testLimit = agreed("data.testLimit");
  const probeData = agreed("eval.probeData", "pretrain-subset");
  const ran: Overrides = {
    ...(testLimit !== undefined && Number.isFinite(Number(testLimit))
      ? { data: { testLimit: Number(testLimit) } }
      : {}),
    ...(probeData === "pretrain-subset" || probeData === "full-train"
      ? { eval: { probeData } }
      : {}),
  };
  const own = study.presets?.[preset];
  return {
    ...study,
    presets: {
      ...study.presets,
      [preset]: { ...own, overrides: mergeOverrides(own?.overrides ?? {}, ran) },
    },
  };
}

/** A budget override's value at a preset (a number), if the preset sets it. */
function numberAt(study: Study, preset: string, key: string): number | undefined {
  const v = cellFields(study.presets?.[preset]?.overrides ?? {})[key];
  return typeof v === "number" ? v : undefined;
}

/**
 * The budget of a study at a preset in words and numbers, from its preset values (and from its
 * cells where they vary the number of epochs: "2 and 6 epochs").
 */
export function budgetFacts(study: Study, preset: string): BudgetFacts {
  const trainLimit = numberAt(study, preset, "data.trainLimit");
  const testLimit = numberAt(study, preset, "data.testLimit");
  const probeData = study.presets?.[preset]?.overrides?.eval?.probeData;
  const cellEpochs = [
    ...new Set(selectCells(study, {}, preset).map((c) => c.overrides.train?.epochs)),
  ]
    .filter((e): e is number => typeof e === "number")
    .sort((a, b) => a - b);
  const epochs = numberAt(study, preset, "train.epochs");
  const epochText = cellEpochs.length
    ? `${cellEpochs.join(" and ")} epochs`
    : epochs !== undefined
      ? `${epochs} epochs`
      : "the preset's epochs";
  const scored = testLimit ? `${testLimit} test images` : "the whole test split";
  const fitted = probeData === "full-train" ? "the whole training split" : "that subset";
  const data =
    trainLimit !== undefined
      ? ` on ${/^(8|11|18)/.test(String(trainLimit)) ? "an" : "a"} ${trainLimit}-image training subset (probe and kNN fitted on ${fitted}, scored on ${scored})`
      : "";
  return {
    preset,
    text: `${epochText}${data}`,
    ...(epochs !== undefined ? { epochs } : {}),
    ...(trainLimit !== undefined ? { trainLimit } : {}),
    ...(testLimit !== undefined ? { testLimit } : {}),
  };
}

/**
 * Seeds per cell of a study at a preset, by cell label: what its sweep plans without `--seeds`,
 * counted from {@link planStudy} itself so that the budget table cannot drift from the planner.
 */
export function seedsPerCell(study: Study, preset: string): Map<string, number> {
  const n = new Map<string, number>();
  for (const p of planStudy(study, { preset })) n.set(p.label, (n.get(p.label) ?? 0) + 1);
  return n;
}

/**
 * The t a paired test over n seeds must exceed for the first Holm step over `claims` claims, both
 * directions of each in one family (2 x claims one-sided tests, src/stats/verdict.ts).
 */
function holmFirstT(n: number, claims: number): number {
  return tQuantile(1 - ALPHA / (2 * claims), n - 1);
}

/**
 * Why the `small` budget is split as it is (the findings README's budget section), with every
 * number computed from the constants above and the family size; undefined for other presets.
 */
export function budgetRationale(preset: string, claims: number): string | undefined {
  if (preset !== "small") return undefined;
  const t = (n: number): string => holmFirstT(n, claims).toFixed(1);
  return [
    `Seeds go where they decide claims. Each of the ${claims} claims is tested one-sided in both directions, all ${2 * claims} tests in one Holm-Bonferroni family, so the strongest must reach p < ${ALPHA} / ${2 * claims} = ${(ALPHA / (2 * claims)).toFixed(4)}, and most claims compare cells paired over seeds (df = n - 1): with 3 seeds that takes t > ${t(3)}, with ${SMALL_CLAIM_SEEDS} t > ${t(SMALL_CLAIM_SEEDS)}.`,
    `So the cells a claim compares get ${SMALL_CLAIM_SEEDS} seeds and the other cells, which are plotted but test nothing, ${SMALL_OTHER_SEEDS} (enough for an interval); the Figure 5 grid's cells outside its claims get 1: they serve the heatmap and the comparison of compositions with single transformations, which is shown as a description (the cell means of a fixed grid are no sample to test).`,
    "Longer training went to the Figure 5 grid, the study whose cells fell below the random-init encoder at its earlier budget (26 of 49 cells at 4000 images x 4 epochs): it now trains at the common study budget, 1.9x the image-epochs. Its strongest-pair claim is left untested (too few seeds): crop & color (either order) is tested against each of the 20 other unordered pairs with the seed as the unit, so every pair needs a second seed (one more run of one order each, about 45 more minutes), for a test whose closest rivals lie within noise of crop & color.",
    "The design is fixed before the runs rather than adaptive: the adaptive policy's correction for repeated looks multiplies each p by 2 x looks (4 for looks at 3 and 6 seeds), which under Holm over this many claims costs more power than the runs it saves.",
  ].join(" ");
}
