/**
 * The default figure of a study's results: bars of mean ± std over seeds per cell (Figures 8, 9), or
 * a heatmap when the study's plot says so (Figure 5), with the paper's numbers overlaid when the
 * study carries them.
 */
import {
  studyCells,
  type Overrides,
  type Study,
  type StudyCell,
  type StudyPlot,
} from "../sweep/study";
import { barsFromRows, heatmapFromRows, type Figure, type ResultRow } from "./figures";

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
  const m = /^(.*)\[(-?\d+)\]$/.exec(key);
  if (!m) return overrides[key];
  const arr = overrides[m[1]];
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
  const arrayKeys = cells.map((c) =>
    Object.keys(c.overrides).filter((k) => Array.isArray(c.overrides[k])),
  );
  const key = arrayKeys[0]?.[0];
  const ok =
    key !== undefined &&
    cells.every(
      (c, i) =>
        arrayKeys[i].length === 1 &&
        arrayKeys[i][0] === key &&
        [1, 2].includes((c.overrides[key] as unknown[]).length),
    );
  return ok ? { ...plot, y: plot.y ?? `${key}[0]`, x: plot.x ?? `${key}[-1]` } : plot;
}

/**
 * The figure for one metric of a study's results (default: the study's plot metric or first
 * metric), over the preset's cells when `preset` is given.
 */
export function studyFigure(
  study: Study,
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
  const title = `${study.name}: ${plot.title && m === (plot.metric ?? study.metrics[0]) ? plot.title : m}`;
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
