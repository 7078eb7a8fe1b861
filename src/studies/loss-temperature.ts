/**
 * The loss studies of SimCLR section 5.1: Table 4 (NT-Xent against NT-Logistic and margin
 * triplet, with and without semi-hard negative mining) and Table 5 (temperature with and without
 * l2 normalisation, with the entropy and contrastive accuracy of the contrastive distribution).
 */
import { TABLE4_LOSSES, TABLE5_TEMPERATURE } from "../paper/reference";
import type { Study, StudyCell } from "../sweep/study";
import { studyBudgets } from "./budget";

const LOSS_CELLS: StudyCell[] = [
  { label: "ntxent", overrides: { "loss.kind": "ntxent", "loss.semiHard": false } },
  { label: "ntlogistic", overrides: { "loss.kind": "ntlogistic", "loss.semiHard": false } },
  {
    label: "ntlogistic (semi-hard)",
    overrides: { "loss.kind": "ntlogistic", "loss.semiHard": true },
  },
  { label: "margin", overrides: { "loss.kind": "margin", "loss.semiHard": false } },
  { label: "margin (semi-hard)", overrides: { "loss.kind": "margin", "loss.semiHard": true } },
];

/** Table 4: the three contrastive losses, the last two with and without semi-hard mining. */
export const lossStudy: Study = {
  name: "losses",
  description:
    "Table 4: linear evaluation after pre-training with NT-Xent, NT-Logistic and margin triplet losses (the latter two with and without semi-hard negative mining).",
  base: {},
  presetOverrides: studyBudgets(),
  cells: LOSS_CELLS,
  presetCells: { tiny: [LOSS_CELLS[0], LOSS_CELLS[1], LOSS_CELLS[3]] },
  seeds: 3,
  presetSeeds: { tiny: 1 },
  metrics: ["linear_acc", "knn_acc"],
  claims: [
    {
      claim: "NT-Xent beats NT-Logistic (Table 4)",
      metric: "linear_acc",
      better: "ntxent",
      worse: "ntlogistic",
      source: "Table 4",
    },
    {
      claim: "NT-Xent beats the margin triplet loss (Table 4)",
      metric: "linear_acc",
      better: "ntxent",
      worse: "margin",
      source: "Table 4",
    },
  ],
  plot: { kind: "bars", metric: "linear_acc", title: "linear eval top-1" },
  paper: {
    metric: "linear_acc",
    values: { ...TABLE4_LOSSES },
    source: "SimCLR Table 4 (ImageNet, ResNet-50)",
  },
};

function temperatureCells(
  rows: readonly { l2Normalize: boolean; temperature: number }[],
): StudyCell[] {
  return rows.map((r) => ({
    label: `${r.l2Normalize ? "l2" : "no l2"} tau=${r.temperature}`,
    overrides: {
      "loss.kind": "ntxent",
      "loss.l2Normalize": r.l2Normalize,
      "loss.temperature": r.temperature,
    },
  }));
}

/** Table 5: NT-Xent temperature with and without l2 normalisation. */
export const temperatureStudy: Study = {
  name: "temperature",
  description:
    "Table 5: NT-Xent with and without l2 normalisation at several temperatures: linear evaluation, entropy of the contrastive distribution and contrastive accuracy at the end of training.",
  base: {},
  presetOverrides: studyBudgets(),
  cells: temperatureCells(TABLE5_TEMPERATURE),
  presetCells: {
    tiny: temperatureCells([
      { l2Normalize: true, temperature: 0.5 },
      { l2Normalize: true, temperature: 1.0 },
      { l2Normalize: false, temperature: 10 },
    ]),
  },
  seeds: 3,
  presetSeeds: { tiny: 1 },
  metrics: ["linear_acc", "entropy", "contrastive_acc"],
  claims: [
    {
      claim: "with l2 normalisation, a moderate temperature (0.5) beats a high one (1.0) (Table 5)",
      metric: "linear_acc",
      better: "l2 tau=0.5",
      worse: "l2 tau=1",
      source: "Table 5",
    },
    {
      claim: "l2 normalisation with a good temperature beats no normalisation (Table 5)",
      metric: "linear_acc",
      better: "l2 tau=0.5",
      worse: "no l2 tau=10",
      source: "Table 5",
    },
  ],
  plot: {
    kind: "bars",
    metric: "linear_acc",
    x: "loss.temperature",
    group: "loss.l2Normalize",
    title: "linear eval top-1",
  },
  paper: {
    metric: "linear_acc",
    values: Object.fromEntries(
      TABLE5_TEMPERATURE.map((r) => [
        `${r.l2Normalize ? "l2" : "no l2"} tau=${r.temperature}`,
        r.top1,
      ]),
    ),
    source: "SimCLR Table 5 (ImageNet, ResNet-50)",
  },
};
