/**
 * The default figure of a study's results: bars of the mean over seeds per cell with 95% CI error
 * bars (Figures 8, 9), or a heatmap when the study's plot says so (Figure 5; each cell with n and
 * its interval, the colour scale centred on the random-init encoder), with the paper's numbers on
 * the data's scale when the study carries them and one random-init baseline per figure where the
 * runs measured it (eval.randomInit; src/plot/metrics.ts figureBaseline). Axes and legends are
 * named in words; a bar never averages cells that differ in a key the axes do not show.
 */
import {
  cellFields,
  studyCells,
  type Overrides,
  type StudyCell,
  type StudyGrid,
} from "../grid/study-grid";
import { barsFromRows, heatmapFromRows, type Figure, type ResultRow } from "./figures";
import {
  baselineWords,
  figureBaseline,
  keyWords,
  metricRange,
  metricWords,
  type FigureBaseline,
} from "./metrics";

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
  /** The figure's title after the study's name (the metric in words when not given). */
  title?: string;
  /**
   * Cells scored by another metric than the plotted one, by their value of `group` (Table 1: the
   * supervised cells by their own classifier's accuracy, as the claims score them).
   */
  metricByGroup?: Record<string, string>;
}

/** Paper numbers to overlay: x category (the cell label, or the value of plot.x) -> value. */
export interface PaperNumbers {
  metric: string;
  values: Record<string, number>;
  source: string;
}

/** What the figure reads of a study: its grid, its plot and the paper's numbers. */
export type PlottedStudy = StudyGrid & { plot?: StudyPlot; paper?: PaperNumbers };

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
 * A cell label as an axis shows it: each `key=value` whose key is a config path (a search cell's
 * "ntxent loss.temperature=0.2") reads in words ("ntxent, temperature τ 0.2").
 */
export function labelWords(label: string): string {
  return label.replace(
    /(^|,?\s+)([a-z][a-zA-Z]*(?:\.[a-zA-Z]+)+(?:\[-?\d+\])?)=([^\s,]+)/g,
    (_, sep: string, key: string, value: string) => `${sep ? ", " : ""}${keyWords(key)} ${value}`,
  );
}

/** Where a cell sits in a figure: its x category and its series (bars) or row (heatmap). */
interface Place {
  x: string;
  group: string;
}

/**
 * The keys a bar figure must show besides x and group so that no bar averages cells that differ:
 * the override keys in which two cells of the same x and group differ (Figure 9's learning-rate
 * scaling under batch size by epochs).
 */
function hiddenKeys(cells: StudyCell[], plot: StudyPlot): string[] {
  const shown = (c: StudyCell, k: string | undefined): string =>
    k ? valueText(overrideValue(c.overrides, k)) : (c.label ?? "");
  const keys = [...new Set(cells.flatMap((c) => Object.keys(cellFields(c.overrides))))].filter(
    (k) => k !== plot.x && k !== plot.group && plot.x !== undefined,
  );
  return keys.filter((k) => {
    const seen = new Map<string, string>();
    return cells.some((c) => {
      const at = `${shown(c, plot.x)}\u0000${plot.group ? shown(c, plot.group) : ""}`;
      const v = valueText(cellFields(c.overrides)[k]);
      const before = seen.get(at);
      seen.set(at, before ?? v);
      return before !== undefined && before !== v;
    });
  });
}

/** The legend of a baseline: its value and what it is the mean of, in words. */
function baselineName(b: FigureBaseline): string {
  return `random-init encoder, ${baselineWords(b.metric)}: ${b.value.toFixed(3)} (mean over the ${b.n} runs shown)`;
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
  const isPlotMetric = m === (plot.metric ?? study.metrics[0]);
  const overridesOf = new Map(cells.map((c) => [c.label ?? "", c.overrides]));
  const axisValue = (label: string, key: string | undefined): string => {
    if (!key) return labelWords(label);
    const v = overrideValue(overridesOf.get(label) ?? {}, key);
    return v === undefined ? labelWords(label) : valueText(v);
  };
  const hidden = plot.kind === "bars" ? hiddenKeys(cells, plot) : [];
  const seriesKeys = [...(plot.group ? [plot.group] : []), ...hidden];
  const placeOf = (label: string): Place => ({
    x: axisValue(label, plot.x),
    group:
      plot.kind === "heatmap"
        ? axisValue(label, plot.y)
        : seriesKeys.map((k) => axisValue(label, k)).join(" / "),
  });
  // The metric each cell is scored by (Table 1's supervised cells by their own classifier).
  const metricOf = (label: string): string =>
    (isPlotMetric && plot.group ? plot.metricByGroup?.[axisValue(label, plot.group)] : m) ?? m;
  const shown = results
    .filter((r) => typeof r.metrics[metricOf(r.label)] === "number")
    .map((r) => ({ run: r, metric: metricOf(r.label) }));
  const rows: ResultRow[] = shown.map(({ run, metric: used }) => ({
    ...placeOf(run.label),
    value: run.metrics[used] as number,
  }));
  const baseline = figureBaseline(shown, results);
  const title = `${study.name}: ${plot.title && isPlotMetric ? plot.title : metricWords(m)}`;
  const range = metricRange(m);
  const order = (key: (label: string) => string): string[] => [
    ...new Set(cells.map((c) => key(c.label ?? ""))),
  ];
  if (plot.kind === "heatmap")
    return studyHeatmap(rows, {
      title,
      metric: m,
      baseline,
      xTitle: plot.x ? keyWords(plot.x) : "cell",
      yTitle: plot.y ? keyWords(plot.y) : "",
      x: order((l) => placeOf(l).x),
      y: order((l) => placeOf(l).group),
      // the default axes of an array key: cells of one element sit on the diagonal
      ...(plot.x?.endsWith("[-1]") && plot.y?.endsWith("[0]")
        ? { note: `diagonal: the ${keyWords(plot.y)} alone` }
        : {}),
      ...(range ? { valueRange: range } : {}),
    });
  const categories = order((l) => placeOf(l).x);
  const groups = order((l) => placeOf(l).group);
  const used = [...new Set(shown.map((s) => s.metric))];
  const paper = study.paper;
  return barsFromRows(
    rows.map((r) => ({ ...r, group: seriesName(r.group, groups, m, plot, seriesKeys, used) })),
    {
      title,
      // cells scored by different metrics: each series names its own in the legend
      yTitle: used.length > 1 ? "top-1 accuracy (metric: see legend)" : metricWords(m),
      xTitle: plot.x ? keyWords(plot.x) : "cell",
      ...(seriesKeys.length ? { legendTitle: seriesKeys.map(keyWords).join(" / ") } : {}),
      categories,
      ...(range ? { valueRange: range } : {}),
      ...(baseline ? { baseline: { name: baselineName(baseline), y: baseline.value } } : {}),
      ...(paper && paper.metric === m && isPlotMetric
        ? {
            paper: groups.map((g) => ({
              name: `paper, ${groups.length > 1 ? `${g}, ` : ""}${paper.source}${range ? " (% as a fraction)" : ""}`,
              series: seriesName(g, groups, m, plot, seriesKeys, used),
              values: categories.map((c) => {
                const label = cells.find((cell) => {
                  const p = placeOf(cell.label ?? "");
                  return p.x === c && p.group === g;
                })?.label;
                const v =
                  (label !== undefined ? paper.values[label] : undefined) ?? paper.values[c];
                return v === undefined ? null : range ? v / 100 : v;
              }),
            })),
          }
        : {}),
    },
  );
}

/**
 * A series' legend name: its values of the series keys, and the metric it is scored by where the
 * figure's series are scored by different metrics (`used`); the metric in words for a figure of
 * one series.
 */
function seriesName(
  group: string,
  groups: readonly string[],
  metric: string,
  plot: StudyPlot,
  seriesKeys: readonly string[],
  used: readonly string[],
): string {
  if (seriesKeys.length === 0 && groups.length <= 1) return metricWords(metric);
  if (used.length <= 1) return group;
  const own = plot.metricByGroup?.[group.split(" / ")[0] ?? ""] ?? metric;
  return `${group} (${metricWords(own)})`;
}

/**
 * Figure 5's heatmap: the colour scale centred on the random-init baseline (white there, red
 * below), the count of cells below it in the title, the baseline named on the colour bar.
 */
function studyHeatmap(
  rows: ResultRow[],
  o: {
    title: string;
    metric: string;
    baseline: FigureBaseline | undefined;
    xTitle: string;
    yTitle: string;
    x: string[];
    y: string[];
    valueRange?: [number, number];
    note?: string;
  },
): Figure {
  const { baseline, metric, note, ...rest } = o;
  const fig = heatmapFromRows(rows, {
    ...rest,
    zTitle: metricWords(metric),
    digits: 3,
    ...(baseline ? { zmid: baseline.value } : {}),
  });
  if (!baseline) return fig;
  const z = (fig.data[0]?.z as (number | null)[][]).flat().filter((v): v is number => v !== null);
  const below = z.filter((v) => v < baseline.value).length;
  fig.layout.title = {
    text:
      `${o.title}<br><sub>white: ${baselineName(baseline)}; ` +
      `${below} of ${z.length} cells below it (red)${note ? `; ${note}` : ""}</sub>`,
  };
  fig.layout.margin = { ...(fig.layout.margin as object), t: 80 };
  return fig;
}
