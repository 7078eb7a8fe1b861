/**
 * Figure builders for the paper's plots, as plain plotly.js specs `{data, layout}`: a heatmap grid
 * (Figure 5: augmentation pairs; each cell shows its mean, n and 95% CI; a diverging scale centred
 * on a baseline), grouped bars with 95% CI error bars over seeds clipped to the metric's range
 * (Figures 8 and 9), line charts (training curves, accuracy against time), with the paper's own
 * numbers overlaid on the data's scale where it gives them. No plotly import here: specs are data,
 * rendered by display() or a report.
 */

/** One plotly trace (loosely typed: plotly's schema is large). */
export type Trace = { type: string } & Record<string, unknown>;

/** A plotly figure. */
export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
}

import { tQuantile } from "../stats/t-distribution";
import { CONFIDENCE } from "../stats/t-test";
import { metricWords } from "./metrics";

/** Mean, sample standard deviation and count of the finite values. */
export interface Summary {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one value. */
  std: number;
  n: number;
}

/** Mean and spread of values (non-finite values ignored; mean NaN when none are left). */
export function summarize(values: number[]): Summary {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/**
 * The two-sided 95% t interval of the mean of the finite values (t quantile at n - 1 df times the
 * standard error); undefined with fewer than 2 values (no spread to build one from).
 */
export function meanInterval(values: readonly number[]): [number, number] | undefined {
  const s = summarize([...values]);
  if (s.n < 2) return undefined;
  const half = tQuantile(1 - (1 - CONFIDENCE) / 2, s.n - 1) * (s.std / Math.sqrt(s.n));
  return [s.mean - half, s.mean + half];
}

/** Half the width of {@link meanInterval} (an error bar), or null with fewer than 2 values. */
export function intervalHalfWidth(values: readonly number[]): number | null {
  const ci = meanInterval(values);
  return ci ? (ci[1] - ci[0]) / 2 : null;
}

const BASE_LAYOUT = Object.freeze({
  font: { family: "system-ui, -apple-system, Segoe UI, sans-serif", size: 13 },
  margin: { l: 90, r: 30, t: 60, b: 70 },
});

/**
 * Paper numbers drawn on a bar figure, on the data's own axis and scale (a second axis would make
 * numbers of other scales look alike by accident): as outlined bars in the slot of the series
 * they belong to.
 */
export interface PaperOverlay {
  /** Legend name, e.g. "paper (ImageNet, Table 4)". */
  name: string;
  /** One value per category / x (null where the paper gives none). */
  values: (number | null)[];
  /** The series whose slot the outlined bars share (default: the first series). */
  series?: string;
}

/** A bar series: mean per category, its error bar per category, seeds per category. */
export interface BarSeries {
  name: string;
  means: (number | null)[];
  /** Error bar above the mean (and below it unless `errorsMinus` is given). */
  errors?: (number | null)[];
  /** Error bar below the mean, where it differs from the one above (a clipped interval). */
  errorsMinus?: (number | null)[];
  counts?: number[];
}

/** Options for {@link groupedBars}. */
export interface GroupedBarsOptions {
  title: string;
  /** Category labels on the x axis. */
  categories: string[];
  /** One series per group. */
  series: BarSeries[];
  yTitle: string;
  xTitle?: string;
  /** Title of the legend (what the series differ in). */
  legendTitle?: string;
  /** The paper's numbers, on the data's scale; overlays with no value are left off. */
  paper?: PaperOverlay[];
  /** The y axis range the values can take (accuracies: [0, 1]); the axis starts at its low end. */
  valueRange?: [number, number];
}

const PAPER_COLOR = "#d62728";

/** The outlined bars of a paper overlay in the slot of its series (none when it has no value). */
function paperBars(o: GroupedBarsOptions): Trace[] {
  return (o.paper ?? [])
    .filter((p) => p.values.some((v) => v !== null && Number.isFinite(v)))
    .map((p) => ({
      type: "bar",
      name: p.name,
      x: o.categories,
      y: p.values,
      offsetgroup: p.series ?? o.series[0]?.name ?? "",
      marker: { color: "rgba(0,0,0,0)", line: { color: PAPER_COLOR, width: 2.5 } },
      hovertemplate: "%{x}: %{y:.4g}<extra>" + p.name.replace(/</g, "&lt;") + "</extra>",
    }));
}

/** Grouped bars with error bars (Figures 8 and 9); the paper's numbers as outlined bars. */
export function groupedBars(o: GroupedBarsOptions): Figure {
  const data: Trace[] = o.series.map((s) => {
    const t: Trace = {
      type: "bar",
      name: s.name,
      x: o.categories,
      y: s.means,
      offsetgroup: s.name,
      hovertemplate: "%{x}: %{y:.4g}<extra>" + s.name.replace(/</g, "&lt;") + "</extra>",
    };
    if (s.errors)
      t.error_y = {
        type: "data",
        array: s.errors,
        ...(s.errorsMinus ? { symmetric: false, arrayminus: s.errorsMinus } : {}),
        visible: true,
      };
    if (s.counts) t.customdata = s.counts;
    return t;
  });
  data.push(...paperBars(o));
  const layout: Record<string, unknown> = {
    ...BASE_LAYOUT,
    title: { text: o.title },
    barmode: "group",
    xaxis: { title: { text: o.xTitle ?? "" }, type: "category" },
    yaxis: {
      title: { text: o.yTitle },
      ...(o.valueRange ? { rangemode: o.valueRange[0] === 0 ? "tozero" : "normal" } : {}),
    },
    legend: {
      orientation: "h",
      y: -0.25,
      ...(o.legendTitle ? { title: { text: o.legendTitle } } : {}),
    },
  };
  return { data, layout };
}

/** Options for {@link heatmap}. */
export interface HeatmapOptions {
  title: string;
  /** Column labels (e.g. the second transformation). */
  x: string[];
  /** Row labels (e.g. the first transformation). */
  y: string[];
  /** z[row][col]; null for an empty cell. */
  z: (number | null)[][];
  /** Spread shown in the cell text, same shape as z (ignored where `intervals` are given). */
  spread?: (number | null)[][];
  /** 95% CI of each cell's mean, shown in the cell text (null: fewer than 2 seeds). */
  intervals?: ([number, number] | null)[][];
  /** Seeds behind each cell, shown in the cell text. */
  counts?: number[][];
  zTitle: string;
  xTitle?: string;
  yTitle?: string;
  /** Digits in the cell text. */
  digits?: number;
  /**
   * The value the colour scale is centred on (the random-init baseline): a diverging scale, white
   * there, red below and blue above, so cells below it show as such. Without it, one-hue greens.
   */
  zmid?: number;
}

/** Red below the centre, white at it, blue above (ColorBrewer RdBu, colour-blind safe). */
const DIVERGING: [number, string][] = [
  [0, "#b2182b"],
  [0.25, "#ef8a62"],
  [0.5, "#f7f7f7"],
  [0.75, "#67a9cf"],
  [1, "#2166ac"],
];

/** The colour scale of a heatmap: diverging around `zmid` where given, greens otherwise. */
function colourScale(zmid: number | undefined): Record<string, unknown> {
  return zmid === undefined || !Number.isFinite(zmid)
    ? { colorscale: "Greens", reversescale: true } // darker = higher, as in Figure 5
    : { colorscale: DIVERGING, zmid };
}

/** A heatmap grid with the value (and spread) written in each cell (Figure 5). */
export function heatmap(o: HeatmapOptions): Figure {
  const d = o.digits ?? 1;
  const text = o.z.map((row, i) =>
    row.map((v, j) => {
      if (v === null || !Number.isFinite(v)) return "";
      const n = o.counts?.[i]?.[j];
      const nText = n !== undefined ? `<br>n=${n}` : "";
      if (o.intervals) {
        const ci = o.intervals[i]?.[j];
        return ci
          ? `${v.toFixed(d)}<br>[${ci[0].toFixed(d)}, ${ci[1].toFixed(d)}]${nText}`
          : `${v.toFixed(d)}${nText}`;
      }
      const s = o.spread?.[i]?.[j];
      return s !== null && s !== undefined && Number.isFinite(s) && s > 0
        ? `${v.toFixed(d)}<br>±${s.toFixed(d)}${nText}`
        : `${v.toFixed(d)}${nText}`;
    }),
  );
  return {
    data: [
      {
        type: "heatmap",
        x: o.x,
        y: o.y,
        z: o.z,
        text,
        texttemplate: "%{text}",
        hovertemplate: `${o.yTitle ?? "row"}: %{y}<br>${o.xTitle ?? "column"}: %{x}<br>${o.zTitle}: %{z:.4g}<extra></extra>`,
        ...colourScale(o.zmid),
        colorbar: { title: { text: o.zTitle, side: "right" } },
        xgap: 2,
        ygap: 2,
      },
    ],
    layout: {
      ...BASE_LAYOUT,
      title: { text: o.title },
      xaxis: { title: { text: o.xTitle ?? "" }, type: "category", side: "bottom" },
      yaxis: { title: { text: o.yTitle ?? "" }, type: "category", autorange: "reversed" },
    },
  };
}

/** Options for {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  series: { name: string; x: number[]; y: number[]; dash?: "solid" | "dash" | "dot" }[];
  xTitle: string;
  yTitle: string;
  /** Horizontal reference lines, e.g. the paper's accuracy. */
  references?: { name: string; y: number }[];
  logX?: boolean;
  logY?: boolean;
}

/** A line chart (training curves; accuracy against time or epochs). */
export function lineChart(o: LineChartOptions): Figure {
  const data: Trace[] = o.series.map((s) => ({
    type: "scatter",
    mode: s.x.length > 40 ? "lines" : "lines+markers",
    name: s.name,
    x: s.x,
    y: s.y,
    line: { dash: s.dash ?? "solid" },
  }));
  const allX = o.series.flatMap((s) => s.x).filter((v) => Number.isFinite(v));
  const x0 = allX.length ? Math.min(...allX) : 0;
  const x1 = allX.length ? Math.max(...allX) : 1;
  for (const r of o.references ?? []) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: r.name,
      x: [x0, x1],
      y: [r.y, r.y],
      line: { dash: "dot", color: "#d62728" },
    });
  }
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: o.title },
      xaxis: { title: { text: o.xTitle }, ...(o.logX ? { type: "log" } : {}) },
      yaxis: { title: { text: o.yTitle }, ...(o.logY ? { type: "log" } : {}) },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

/** Per-seed metric histories of one or more runs, as {name, step, value} series. */
export interface CurveInput {
  name: string;
  points: { step: number; value: number; timestamp?: number }[];
}

/**
 * Training curves: one line per run over steps, or over wall-clock seconds since the run's first
 * point when `against` is "time" (accuracy against time).
 */
export function trainingCurves(
  runs: CurveInput[],
  o: {
    title: string;
    metric: string;
    against?: "step" | "time";
    references?: { name: string; y: number }[];
  },
): Figure {
  const series = runs.map((r) => {
    const pts = [...r.points].sort((a, b) => a.step - b.step);
    const t0 = pts.length ? (pts[0].timestamp ?? 0) : 0;
    const x =
      o.against === "time"
        ? pts.map((p) => ((p.timestamp ?? t0) - t0) / 1000)
        : pts.map((p) => p.step);
    return { name: r.name, x, y: pts.map((p) => p.value) };
  });
  const opts: LineChartOptions = {
    title: o.title,
    series,
    xTitle: o.against === "time" ? "seconds since the run's first point" : "training step",
    yTitle: metricWords(o.metric),
  };
  if (o.references) opts.references = o.references;
  return lineChart(opts);
}

/** Rows of per-seed results: group labels and a metric value. */
export interface ResultRow {
  /** Category (bars: x; heatmap: column). */
  x: string;
  /** Series (bars) or row (heatmap); "" for a single series. */
  group: string;
  value: number;
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * An error bar from the 95% t interval of the mean of `values` ({@link meanInterval}), clipped to
 * the range the values can take (an accuracy's interval never reaches below 0): the lengths above
 * and below `mean`, null with fewer than 2 values.
 */
export function clippedInterval(
  values: readonly number[],
  range?: [number, number],
): { plus: number; minus: number } | null {
  const ci = meanInterval(values);
  if (!ci) return null;
  const mean = (ci[0] + ci[1]) / 2;
  const lo = range ? Math.max(ci[0], range[0]) : ci[0];
  const hi = range ? Math.min(ci[1], range[1]) : ci[1];
  return { plus: hi - mean, minus: mean - lo };
}

/** What the error bars of {@link barsFromRows} are, as the figure says it. */
export const ERROR_BAR_NOTE = "error bars: 95% t-interval of the mean over seeds";

/** A horizontal reference line across the whole plot, with its own legend entry. */
export function referenceLine(fig: Figure, line: { name: string; y: number }): void {
  const shapes = (fig.layout.shapes as unknown[] | undefined) ?? [];
  fig.layout.shapes = [
    ...shapes,
    {
      type: "line",
      xref: "paper",
      x0: 0,
      x1: 1,
      yref: "y",
      y0: line.y,
      y1: line.y,
      line: { dash: "dash", color: "#555", width: 2 },
      name: line.name,
      showlegend: true,
    },
  ];
}

/**
 * Bars of the mean over seeds with 95% CI error bars (none for a bar of one seed; clipped to
 * `valueRange`) from per-seed rows (order of first appearance); `baseline` draws a reference line
 * (the random-init encoder). The y title says what the error bars are.
 */
export function barsFromRows(
  rows: ResultRow[],
  o: Omit<GroupedBarsOptions, "categories" | "series"> & {
    categories?: string[];
    baseline?: { name: string; y: number };
  },
): Figure {
  const categories = o.categories ?? uniq(rows.map((r) => r.x));
  const groups = uniq(rows.map((r) => r.group));
  const series = groups.map((g) => {
    const values = categories.map((c) =>
      rows.filter((r) => r.group === g && r.x === c).map((r) => r.value),
    );
    const stats = values.map((v) => summarize(v));
    const bars = values.map((v) => clippedInterval(v, o.valueRange));
    return {
      name: g || o.yTitle,
      means: stats.map((s) => (s.n ? s.mean : null)),
      errors: bars.map((b) => (b ? b.plus : null)),
      errorsMinus: bars.map((b) => (b ? b.minus : null)),
      counts: stats.map((s) => s.n),
    };
  });
  const { baseline, ...rest } = o;
  const fig = groupedBars({
    ...rest,
    yTitle: `${o.yTitle}<br><sub>${ERROR_BAR_NOTE}</sub>`,
    categories,
    series,
  });
  if (baseline) referenceLine(fig, baseline);
  return fig;
}

/**
 * A heatmap of mean over seeds from per-seed rows (`group` = row, `x` = column), each cell with n
 * and its 95% CI (clipped to `valueRange`).
 */
export function heatmapFromRows(
  rows: ResultRow[],
  o: Omit<HeatmapOptions, "x" | "y" | "z" | "spread"> & {
    x?: string[];
    y?: string[];
    valueRange?: [number, number];
  },
): Figure {
  const { valueRange, ...rest } = o;
  const xs = o.x ?? uniq(rows.map((r) => r.x));
  const ys = o.y ?? uniq(rows.map((r) => r.group));
  const values = ys.map((y) =>
    xs.map((x) => rows.filter((r) => r.group === y && r.x === x).map((r) => r.value)),
  );
  const stats = values.map((row) => row.map((v) => summarize(v)));
  const clip = (ci: [number, number] | undefined): [number, number] | null =>
    !ci ? null : valueRange ? [Math.max(ci[0], valueRange[0]), Math.min(ci[1], valueRange[1])] : ci;
  return heatmap({
    ...rest,
    x: xs,
    y: ys,
    z: stats.map((row) => row.map((s) => (s.n ? s.mean : null))),
    spread: stats.map((row) => row.map((s) => (s.n ? s.std : null))),
    intervals: values.map((row) => row.map((v) => clip(meanInterval(v)))),
    counts: stats.map((row) => row.map((s) => s.n)),
  });
}
