/**
 * The projection-head studies of SimCLR section 4.2: Figure 8 (no projection, linear and
 * non-linear heads at several output widths; linear evaluation on h) and Table 3 (how much of
 * the augmentation is still predictable from h and from z = g(h)).
 */
import { TABLE3_PREDICT_TRANSFORMATION } from "../paper/reference";
import type { Study, StudyCell } from "../sweep/study";
import { studyBudgets } from "./budget";

function headCells(outDims: readonly number[]): StudyCell[] {
  const cells: StudyCell[] = [{ label: "none", overrides: { "head.kind": "none" } }];
  for (const kind of ["linear", "nonlinear"]) {
    for (const d of outDims)
      cells.push({ label: `${kind} ${d}`, overrides: { "head.kind": kind, "head.outDim": d } });
  }
  return cells;
}

/**
 * Figure 8 and Table 3 in one sweep: every cell evaluates both h and g(h) and runs the
 * transformation-prediction probe on both (an MLP probe, as the paper's Table 3).
 */
export const projectionHeadStudy: Study = {
  name: "projection-head",
  description:
    "Figure 8: linear evaluation of h after pre-training with no projection, a linear or a non-linear projection head of several output widths; Table 3: predicting the applied transformation from h and from g(h).",
  // representation "gh" evaluates both h (linear_acc_h) and z = g(h) (linear_acc_gh) in every cell.
  base: { "eval.transformProbe": "mlp", "eval.representation": "gh" },
  presetOverrides: studyBudgets(),
  cells: headCells([32, 128, 512]),
  presetCells: { tiny: headCells([128]) },
  seeds: 3,
  presetSeeds: { tiny: 1 },
  metrics: ["linear_acc_h", "linear_acc_gh", "probe_h", "probe_gh"],
  claims: [
    {
      claim: "a non-linear projection head beats a linear one (Figure 8)",
      metric: "linear_acc_h",
      better: { "head.kind": "nonlinear", "head.outDim": 128 },
      worse: { "head.kind": "linear", "head.outDim": 128 },
      source: "Figure 8",
    },
    {
      claim: "a linear projection head beats no projection (Figure 8)",
      metric: "linear_acc_h",
      better: { "head.kind": "linear", "head.outDim": 128 },
      worse: "none",
      source: "Figure 8",
    },
  ],
  plot: {
    kind: "bars",
    metric: "linear_acc_h",
    x: "head.outDim",
    group: "head.kind",
    title: "linear eval top-1 on h",
  },
};

/** Table 3's probe tasks, with the paper's accuracy from h and from g(h). */
export const TABLE3_TASKS = TABLE3_PREDICT_TRANSFORMATION;
