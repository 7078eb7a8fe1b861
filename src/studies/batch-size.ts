/**
 * The batch-size and training-length study of SimCLR section 5.2: Figure 9 and appendix B.1
 * (batch size by epochs, learning rate scaled linearly (0.3 x B/256) or with the square root
 * (0.075 x sqrt(B))), at CIFAR-10 scale as in appendix B.9.
 *
 * Its epochs axis is a budget ladder (issue 24, src/evidence/ladder.ts): the grid's cells are the
 * short training's cells at rungs 1 and 3 ({@link rungCell}, the same function the ladder study
 * builds its rungs with), and the claim "a larger batch beats a smaller one" is laddered at 1, 3
 * and 10 times the short training, so batch size x epochs is one ladder; "batch-size-ladder" runs
 * it. The cells' labels and resolved configs are those of the grid it replaced (the config-hash
 * snapshot, test/studies/resolved-configs.test.ts, pins them), so archived runs still match.
 */
import type { SeedResult } from "../evidence/claims";
import type { Finding } from "../evidence/finding";
import {
  cellLabel,
  expandDotted,
  selectCells,
  type CellSelector,
  type StudyCell,
} from "../grid/study-grid";
import type { FidelityTable, Study } from "../evidence/study";
import { sharedDeviations } from "./deviations";
import { publishedBatchComparison, TABLEB1_BATCH_EPOCHS } from "../paper/reference";
import { smallSeeds, studyPresets } from "../evidence/budget";
import { findingOf, outcome, phrase } from "../evidence/conclusion-text";
import { cellRuns, interactionFinding } from "../evidence/comparisons";
import { rungCell } from "../evidence/ladder";

/** Batch sizes and epochs of the grid (the findings and reasons read them from here). */
const BATCHES = [128, 512];
/** The short training's epochs: rung 1 of the epochs ladder. */
const SHORT_EPOCHS = 2;
/** The grid's rungs of the epochs ladder (2 and 6 epochs). */
const GRID_RUNGS = [1, 3];
/** The ladder of the batch-size claim: up to 10x the short training (Figure 9's epochs axis). */
const LADDER_RUNGS = [1, 3, 10];
const EPOCHS = GRID_RUNGS.map((m) => SHORT_EPOCHS * m);
const SCALINGS = ["linear", "sqrt"] as const;

/**
 * The grid's cells, batch x epochs x scaling in that order (as the grid product gave them): each
 * the short training's cell at a rung of the epochs ladder.
 */
function batchCells(
  rungs: readonly number[],
  scalings: readonly (typeof SCALINGS)[number][],
): StudyCell[] {
  return BATCHES.flatMap((b) =>
    rungs.flatMap((m) =>
      scalings.map((s) => {
        const fields = {
          "train.batchSize": b,
          "train.epochs": SHORT_EPOCHS,
          "optimizer.lrScaling": s,
        };
        const cell = { label: cellLabel(fields), overrides: expandDotted(fields) };
        return rungCell(cell, m, SHORT_EPOCHS);
      }),
    ),
  );
}

/**
 * Table B.1 against this grid: no cell shares the paper's batch sizes or epochs, so each is matched
 * by its place in the design: the smaller batch with the paper's smallest (256), the 4x larger
 * with 4x that (1024); the short training with the paper's shortest (100 epochs), the 3x longer
 * with the nearest ratio the paper has (400, 4x); linear and square-root scaling with their columns.
 */
function batchFidelity(): FidelityTable {
  const paperBatch: Record<number, number> = {
    [BATCHES[0] as number]: 256,
    [BATCHES[1] as number]: 1024,
  };
  const paperEpochs: Record<number, number> = {
    [EPOCHS[0] as number]: 100,
    [EPOCHS[1] as number]: 400,
  };
  const cells = BATCHES.flatMap((b) =>
    EPOCHS.flatMap((e) =>
      SCALINGS.map((s, col) => {
        const row = TABLEB1_BATCH_EPOCHS.rows[paperBatch[b] as number] ?? [];
        const at = TABLEB1_BATCH_EPOCHS.epochs.indexOf(paperEpochs[e] as 100);
        return {
          label: cellLabel({ "train.batchSize": b, "train.epochs": e, "optimizer.lrScaling": s }),
          metric: "linear_acc",
          paper: row[at]?.[col] as number,
        };
      }),
    ),
  );
  return {
    table: "Table B.1",
    cells,
    note: `batch ${BATCHES.join("/")} as the paper's 256/1024, ${EPOCHS.join("/")} epochs as 100/400`,
  };
}

/** Figure 9 / Table B.1: batch size x epochs x learning-rate scaling. */
export const batchSizeStudy: Study = {
  name: "batch-size",
  claimsFrom: "paper",
  description:
    "Figure 9 and Table B.1: linear evaluation after pre-training with different batch sizes for different numbers of epochs, with linear and square-root learning-rate scaling.",
  base: {
    optimizer: { kind: "lars", learningRate: null, baseLearningRate: null },
  },
  presets: studyPresets(
    { data: { trainLimit: 8000 } },
    {
      tiny: { cells: batchCells([1], ["linear"]), seeds: 1 },
      // The claims compare 2 and 6 epochs at batch 512, 128 against 512 (linear scaling) at both
      // lengths (the interaction), and sqrt against linear scaling at batch 128 for 2 epochs.
      small: smallSeeds(
        [
          [128, 2, "linear"],
          [512, 2, "linear"],
          [128, 6, "linear"],
          [512, 6, "linear"],
          [128, 2, "sqrt"],
        ].map(([b, e, s]) =>
          cellLabel({ "train.batchSize": b, "train.epochs": e, "optimizer.lrScaling": s }),
        ),
      ),
    },
  ),
  cells: batchCells(GRID_RUNGS, SCALINGS),
  seeds: 3,
  metrics: ["linear_acc", "knn_acc"],
  fidelity: [batchFidelity()],
  deviations: [
    ...sharedDeviations("batch"),
    {
      what: `batches ${BATCHES.join(" and ")} for ${EPOCHS.join(" and ")} epochs on an 8,000-image subset, where Figure 9 and Table B.1 use batches 256 to 8192 for 100 to 800 epochs; Table B.1's cells are matched by their place in the design (the fidelity note)`,
      why: "CPU: a batch of 8192 views does not fit a 2-core CPU's step time, and the study must finish in a few hours on it",
    },
  ],
  claims: [
    {
      id: "large-batch-short-training",
      claim: "with short training, a larger batch beats a smaller one (Figure 9)",
      metric: "linear_acc",
      better: { "train.batchSize": 512, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      worse: { "train.batchSize": 128, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      source: "Figure 9",
    },
    {
      id: "longer-training-helps",
      claim: "longer training helps (Figure 9)",
      metric: "linear_acc",
      better: { "train.batchSize": 512, "train.epochs": 6, "optimizer.lrScaling": "linear" },
      worse: { "train.batchSize": 512, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      source: "Figure 9",
    },
    {
      id: "sqrt-scaling-small-batch",
      claim:
        "square-root learning-rate scaling beats linear scaling at a small batch and short training (Appendix B.1)",
      metric: "linear_acc",
      better: { "train.batchSize": 128, "train.epochs": 2, "optimizer.lrScaling": "sqrt" },
      worse: { "train.batchSize": 128, "train.epochs": 2, "optimizer.lrScaling": "linear" },
      source: "Appendix B.1",
    },
  ],
  // Figure 9's question at this scale: does the large batch's gain turn toward the paper's
  // direction as training grows? (the short training's two cells at 2, 6 and 20 epochs)
  // At tiny (CI, notebook 04) 2, 3 and 4 epochs: the plumbing, a few seconds per rung.
  ladders: [
    {
      claim: "large-batch-short-training",
      multipliers: LADDER_RUNGS,
      presets: { tiny: [1, 1.5, 2] },
      // lightly's CIFAR-10 benchmark trains both batch sizes 200 epochs: the far end of this axis
      published: publishedBatchComparison(
        "lightly benchmarks",
        200,
        BATCHES[1] as number,
        BATCHES[0] as number,
      ),
    },
  ],
  findings: (results, study, preset) => [batchInteraction(results, study, preset)],
  reasons: {
    study: (b) =>
      `at ${b.text}, a batch of ${BATCHES[1]} also means ${(BATCHES[1] as number) / (BATCHES[0] as number)}x fewer optimizer steps than ${BATCHES[0]}, which dominates when training is this short`,
    claims: {
      "longer-training-helps": (b) =>
        `${b.text}: both far from converged (the paper compares 100 to 800 epochs), so a few seeds resolve only a large gain`,
    },
  },
  plot: {
    kind: "bars",
    metric: "linear_acc",
    x: "train.batchSize",
    group: "train.epochs",
    title: "linear eval top-1",
  },
  conclusion: (f, b) => {
    const inter = findingOf(f, "large-batch-interaction");
    return [
      `Figure 9 at ${b.text}: batch 512 against 128 at the short length ${phrase(findingOf(f, "large-batch-short-training"))}; the long length against the short at batch 512 ${phrase(findingOf(f, "longer-training-helps"))}; square-root against linear learning-rate scaling at batch 128 ${phrase(findingOf(f, "sqrt-scaling-small-batch"))}.`,
      `The large batch's advantage shrinking with longer training (the interaction) is ${outcome(inter)}.`,
    ].join(" ");
  },
};

/** Figure 9: is the gain of the large batch over the small one larger at the short training length? */
function batchInteraction(
  results: readonly SeedResult[],
  study: Study,
  preset: string | undefined,
): Finding {
  const base = {
    id: "large-batch-interaction",
    claim: "a larger batch helps most when training is short (Figure 9)",
    source: "Figure 9",
  };
  const epochs = [...new Set(selectCells(study, {}, preset).map((c) => c.overrides.train?.epochs))]
    .filter((e): e is number => typeof e === "number")
    .sort((a, b) => a - b);
  const [short, long] = [epochs[0], epochs[epochs.length - 1]];
  const [small, large] = BATCHES as [number, number];
  const runsOf = (sel: CellSelector): SeedResult[] =>
    selectCells(study, sel, preset).flatMap((c) => cellRuns(results, c.label ?? ""));
  const cell = (b: number, e: number | undefined, weight: number) => {
    const sel = {
      "train.batchSize": b,
      "train.epochs": e,
      "optimizer.lrScaling": "linear" as const,
    };
    const label = selectCells(study, sel, preset)[0]?.label;
    const runs = e === undefined || short === long ? [] : runsOf(sel);
    return {
      name: `batch ${b}, ${e} epochs`,
      ...(label !== undefined ? { label } : {}),
      runs,
      metric: "linear_acc",
      values: runs.map((r) => r.metrics.linear_acc).filter((v): v is number => Number.isFinite(v)),
      weight,
    };
  };
  const cells = [
    cell(large, short, 1),
    cell(small, short, -1),
    cell(large, long, -1),
    cell(small, long, 1),
  ];
  const mean = (i: number): number => {
    const v = cells[i]?.values ?? [];
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const gain = (a: number, b: number): string => (100 * (mean(a) - mean(b))).toFixed(1);
  return interactionFinding(
    base,
    cells,
    short === long
      ? "needs two training lengths"
      : `gain of batch ${large} over ${small} (linear scaling): ${gain(0, 1)} points at ${short} epochs vs ${gain(2, 3)} at ${long} epochs`,
  );
}
