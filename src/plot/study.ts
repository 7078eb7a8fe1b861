/**
 * The default figure of a study's results: bars of the mean over seeds per cell with 95% CI error
 * bars (Figures 8, 9), or a heatmap when the study's plot says so (Figure 5; each cell with n and
 * its interval), with the paper's numbers overlaid when the study carries them and the random-init
 * encoder of the same budget as a baseline where the runs measured it (eval.randomInit).
 */
import {
  cellFields,
  studyCells,
  type Overrides,
  type StudyCell,
  type StudyGrid,
} from "../grid/study-grid";
import { barsFromRows, heatmapFromRows, summarize, type Figure, type ResultRow } from "./figures";

/** How the report plots the study by default. */
export interface StudyPlot {
  /** bars: one bar per cell (grouped by `group`); heatmap: `x` by `y` grid (Figure 5); line: metric over `x`. */
  kind: "bars" | "heatmap" | "line";
  /** Metric plotted; default the study's first metric. */
  metric?: string;
  /**
   * Override key on the x axis (bars: categories; heatmap: columns; line: x values); "key[i]" picks
   * an element of an array field, negative from the end. A heatmap without x/y over cells that set
   * one 1- or 2-element array (Figure 5's ops) uses its first element as row and last as column.
   */
  x?: string;
  /** heatmap rows. */
  y?: string;
  /** bars: series. */
  group?: string;
  /** Axis title for the metric. */
  title?: string;
}

/** Paper numbers to overlay: x category (the cell label, or the value of plot.x) -> value. */
export interface PaperNumbers {
  metric: string;
  values: Record<string, number>;
  source: string;
}

/** What the figure reads of a study: its grid, its plot and the paper's numbers. */
export type PlottedStudy = StudyGrid & { plot?: StudyPlot; paper?: PaperNumbers };

/** Metrics that are linear evaluations of h, comparable with the random-init encoder's. */
const LINEAR_ON_H = ["linear_acc", "linear_acc_h"];

/** The random-init encoder's linear accuracy over the runs (the same budget), if measured. */
function randomInitBaseline(
  results: readonly StudyResultRow[],
  metric: string,
): number | undefined {
  if (!LINEAR_ON_H.includes(metric)) return undefined;
  const s = summarize(results.map((r) => r.metrics.random_init_linear_acc as number));
  return s.n ? s.mean : undefined;
}

/** A per-seed result (a sweep's CellResult fits). */
export interface StudyResultRow {
  label: string;
  seed: number;
  metrics: Record<string, number>;
}

function valueText(v: unknown): string {
  return v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * The value of an axis key in a cell's overrides: a field ("head.kind") or an element of an array
 * field ("augment.ops[0]"; negative indexes count from the end, so "augment.ops[-1]" is the last).
 */
export function overrideValue(overrides: Overrides, key: string): unknown {
  const fields = cellFields(overrides);
  const m = /^(.*)\[(-?\d+)\]$/.exec(key);
  if (!m) return fields[key];
  const arr = fields[m[1]];
  if (!Array.isArray(arr) || arr.length === 0) return undefined;
  const i = Number(m[2]);
  return arr[i < 0 ? arr.length + i : i];
}

/**
 * A heatmap without axes over cells that each set one array of one or two elements (Figure 5's
 * "augment.ops": [row] on the diagonal, [row, column] off it) uses its first element as the row
 * and its last as the column.
 */
function withDefaultAxes(plot: StudyPlot, cells: StudyCell[]): StudyPlot {
  if (plot.kind !== "heatmap" || (plot.x && plot.y) || cells.length === 0) return plot;
  const fields = cells.map((c) => cellFields(c.overrides));
  const arrayKeys = fields.map((f) => Object.keys(f).filter((k) => Array.isArray(f[k])));
  const key = arrayKeys[0]?.[0];
  const ok =
    key !== undefined &&
    fields.every(
      (f, i) =>
        arrayKeys[i].length === 1 &&
        arrayKeys[i][0] === key &&
        [1, 2].includes((f[key] as unknown[]).length),
    );
  return ok ? { ...plot, y: plot.y ?? `${key}[0]`, x: plot.x ?? `${key}[-1]` } : plot;
}

/**
 * The figure for one metric of a study's results (default: the study's plot metric or first
 * metric), over the preset's cells when `preset` is given.
 */
export function studyFigure(
  study: PlottedStudy,
  results: StudyResultRow[],
  metric?: string,
  preset?: string,
): Figure {
  const cells = studyCells(study, preset);
  const plot = withDefaultAxes(study.plot ?? { kind: "bars" as const }, cells);
  const m = metric ?? plot.metric ?? study.metrics[0];
  const overridesOf = new Map(cells.map((c) => [c.label ?? "", c.overrides]));
  const axisValue = (label: string, key: string | undefined): string => {
    if (!key) return label;
    const v = overrideValue(overridesOf.get(label) ?? {}, key);
    return v === undefined ? label : valueText(v);
  };
  const rows: ResultRow[] = results
    .filter((r) => typeof r.metrics[m] === "number")
    .map((r) => ({
      x: axisValue(r.label, plot.x),
      group:
        plot.kind === "heatmap"
          ? axisValue(r.label, plot.y)
          : plot.group
            ? axisValue(r.label, plot.group)
            : "",
      value: r.metrics[m],
    }));
  const baseline = randomInitBaseline(results, m);
  const title =
    `${study.name}: ${plot.title && m === (plot.metric ?? study.metrics[0]) ? plot.title : m}` +
    (baseline !== undefined && plot.kind === "heatmap"
      ? ` (random-init encoder, same budget: ${baseline.toFixed(3)})`
      : "");
  const order = (key: string | undefined): string[] => [
    ...new Set(cells.map((c) => axisValue(c.label ?? "", key))),
  ];
  if (plot.kind === "heatmap") {
    return heatmapFromRows(rows, {
      title,
      zTitle: m,
      xTitle: plot.x ?? "",
      yTitle: plot.y ?? "",
      x: order(plot.x),
      y: order(plot.y),
      digits: 3,
    });
  }
  const categories = order(plot.x);
  const fig = barsFromRows(rows, {
    title,
    yTitle: m,
    xTitle: plot.x ?? "cell",
    categories,
    ...(baseline !== undefined
      ? { baseline: { name: "random-init encoder (same budget)", y: baseline } }
      : {}),
    ...(study.paper && study.paper.metric === m
      ? {
          paper: {
            name: `paper (${study.paper.source})`,
            values: categories.map((c) => study.paper?.values[c] ?? null),
          },
          paperAxis: "secondary" as const,
          paperAxisTitle: "paper top-1 (%)",
        }
      : {}),
  });
  return fig;
}
