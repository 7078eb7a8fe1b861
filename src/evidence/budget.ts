/**
 * Per-cell training budgets of the studies. A study has dozens of cells and must finish in a few
 * hours on a 2-core CPU at `small`, and in well under a minute per notebook at `tiny` (CI), so each
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
import { minimumDetectableEffect } from "../stats/power";
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
 * Seeds at `small`: a fixed design, decided before the runs by a power calculation
 * ({@link budgetRationale}, src/stats/power.ts). Every claim is tested one-sided in both
 * directions in one Holm-Bonferroni family, and most compare cells paired over seeds (df = n - 1).
 * Under the whole-test-split evaluation the per-seed SD of a paired difference is
 * {@link SMALL_PAIRED_SD} points, so 4 seeds detect (80% power, at the strictest Holm step over 16
 * claims) about 2 points, the size of most differences the earlier `small` run found, at 2/3 of the
 * runs 6 seeds take; the design fits the re-run's budget of about 8 CPU-hours (issue 27) only with
 * 4. The cells a claim compares get {@link SMALL_CLAIM_SEEDS}, the other cells (plotted, not
 * tested) {@link SMALL_OTHER_SEEDS}. An adaptive seed policy (src/stats/seed-policy.ts) is not
 * used at `small`: its correction for repeated looks multiplies each p by 2 x looks, which under
 * Holm over this many claims costs more power than the runs it saves.
 */
export const SMALL_CLAIM_SEEDS = 4;

/** Seeds of a `small` cell no claim compares (its bar or heatmap cell shows its one value). */
export const SMALL_OTHER_SEEDS = 1;

/**
 * SD (points of accuracy) of the per-seed paired difference of two cells at `small` under the
 * whole-test-split evaluation: 0.34 measured over 6 seeds of NT-Xent against NT-Logistic with the
 * probe fitted on the whole training split (bench/eval-protocol.ts; environment.md "Evaluation
 * protocol"; 1.32 with the 2000-image test subset scored before), rounded up. The power
 * calculation of the design reads it.
 */
export const SMALL_PAIRED_SD = 0.35;

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
  const tests = 2 * claims;
  const t = (n: number): string => holmFirstT(n, claims).toFixed(1);
  const mde = (n: number, level: number): string =>
    minimumDetectableEffect(SMALL_PAIRED_SD, n, level).toFixed(1);
  const strict = ALPHA / tests;
  const loose = ALPHA / claims;
  return [
    `Seeds go where they decide claims, in a number fixed before the runs by a power calculation. Each of the ${claims} claims is tested one-sided in both directions, all ${tests} tests in one Holm-Bonferroni family, so the strongest must reach p < ${ALPHA} / ${tests} = ${strict.toFixed(4)}, and most claims compare cells paired over seeds (df = n - 1): with 3 seeds that takes t > ${t(3)}, with ${SMALL_CLAIM_SEEDS} t > ${t(SMALL_CLAIM_SEEDS)}, with 6 t > ${t(6)}.`,
    `With the per-seed SD of a paired difference measured under this evaluation, ${SMALL_PAIRED_SD} points (the whole test split scored; 1.32 when 2000 test images were), a paired test detects with 80% power a true difference of ${mde(3, strict)} points with 3 seeds, ${mde(SMALL_CLAIM_SEEDS, strict)} with ${SMALL_CLAIM_SEEDS} and ${mde(6, strict)} with 6 at the strictest Holm step (${mde(3, loose)}, ${mde(SMALL_CLAIM_SEEDS, loose)} and ${mde(6, loose)} halfway down the family, at ${ALPHA} / ${claims}). The differences the earlier \`small\` run found were 1.2 to 9.8 points, most of them 2 or more, so ${SMALL_CLAIM_SEEDS} seeds decide most claims at 2/3 of the runs of 6 (the re-run was asked to fit about 8 CPU-hours; the run-time table below gives what its runs took); a claim whose difference is near 1 point may stay inconclusive, and is reported so.`,
    `So the cells a claim compares get ${SMALL_CLAIM_SEEDS} seeds and every other cell, plotted but testing nothing, ${SMALL_OTHER_SEEDS}: its bar or heatmap cell is one run, and the fidelity intervals resample only the seeds a cell has. Each loss's search stage runs one seed per setting at a third of the budget.`,
    "The Figure 5 grid trains at the common study budget. Its strongest-pair claim is left untested (too few seeds): crop & color (either order) would be tested against each of the 20 other unordered pairs with the seed as the unit, so every pair would need a second seed, for a test whose closest rivals lie within noise of crop & color.",
    "The design is fixed before the runs rather than adaptive: the adaptive policy's correction for repeated looks multiplies each p by 2 x looks, which under Holm over this many claims costs more power than the runs it saves.",
  ].join(" ");
}
