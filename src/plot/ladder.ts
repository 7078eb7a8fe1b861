/**
 * The budget-ladder figure (issue 24; the paper's Figure 9 plots accuracy against epochs): for one
 * laddered claim, the paired difference (better - worse, positive in the paper's direction) at
 * each budget with its 95% CI over seeds, on a log budget axis, with the zero line, the paper's
 * side shaded and named, and the slope against log budget in the title. Data in, a plotly spec
 * out (src/plot/figures.ts); src/evidence/ladder-trend.ts computes the numbers.
 */
import { ERROR_BAR_NOTE, type Figure } from "./figures";
import { metricWords } from "./metrics";

/** One rung as the figure reads it. */
export interface LadderPoint {
  /** Pre-training epochs at the rung (the x axis). */
  epochs: number;
  /** The rung's multiple of the study budget, e.g. 3 (its hover text). */
  multiplier: number;
  /** Mean paired difference and its interval, in the figure's unit; undefined without pairs. */
  mean?: number;
  ci?: [number, number];
  n: number;
}

/** Options of {@link ladderFigure}. */
export interface LadderFigureOptions {
  /** The figure's title, e.g. "batch-size: with short training, a larger batch beats ...". */
  title: string;
  /** The slope and where it points, in words, e.g. "slope +1.2 [...] points per ..." (the title's second line). */
  slope: string;
  metric: string;
  /** Whether the differences are points of an accuracy (x 100). */
  points: boolean;
  /** Training images per epoch, where known (the x axis says it). */
  trainLimit?: number;
  rungs: readonly LadderPoint[];
}

const PAPER_SIDE = "rgba(44,160,44,0.10)";

/** The y range: the intervals, the means and 0, with a margin. */
function yRange(rungs: readonly LadderPoint[], k: number): [number, number] {
  const ys = rungs.flatMap((r) => [r.mean, ...(r.ci ?? [])]).filter(Number.isFinite) as number[];
  const lo = Math.min(0, ...ys) * k;
  const hi = Math.max(0, ...ys) * k;
  const pad = (hi - lo || 1) * 0.15;
  return [lo - pad, hi + pad];
}

/** The log x range (log10 units) over every rung, with a margin. */
function xRange(rungs: readonly LadderPoint[]): [number, number] {
  const xs = rungs.map((r) => Math.log10(r.epochs));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pad = (hi - lo || 1) * 0.06;
  return [lo - pad, hi + pad];
}

/** The paper's side (above 0) shaded and the zero line with its legend entry. */
function sideShapes(top: number): Record<string, unknown>[] {
  return [
    {
      type: "rect",
      xref: "paper",
      x0: 0,
      x1: 1,
      yref: "y",
      y0: 0,
      y1: top,
      fillcolor: PAPER_SIDE,
      line: { width: 0 },
      layer: "below",
    },
    {
      type: "line",
      xref: "paper",
      x0: 0,
      x1: 1,
      yref: "y",
      y0: 0,
      y1: 0,
      line: { dash: "dash", color: "#555", width: 2 },
      name: "no difference",
      showlegend: true,
    },
  ];
}

/**
 * The paired difference against the budget for one laddered claim (a log x axis in epochs),
 * error bars of the 95% CI over seeds, the paper's direction shaded above 0 and labelled.
 */
export function ladderFigure(o: LadderFigureOptions): Figure {
  const k = o.points ? 100 : 1;
  const drawn = o.rungs.filter((r) => r.mean !== undefined && Number.isFinite(r.mean));
  const [lo, hi] = yRange(drawn, k);
  const unit = o.points ? "points" : "";
  const images = o.trainLimit ? ` on ${o.trainLimit} images` : "";
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "paired difference (better - worse), mean over seeds",
        x: drawn.map((r) => r.epochs),
        y: drawn.map((r) => (r.mean as number) * k),
        text: drawn.map((r) => `${r.multiplier}x the study budget, ${r.n} seeds`),
        error_y: {
          type: "data",
          symmetric: false,
          visible: true,
          array: drawn.map((r) => (r.ci ? (r.ci[1] - (r.mean as number)) * k : 0)),
          arrayminus: drawn.map((r) => (r.ci ? ((r.mean as number) - r.ci[0]) * k : 0)),
        },
      },
    ],
    layout: {
      font: { family: "system-ui, -apple-system, Segoe UI, sans-serif", size: 13 },
      margin: { l: 90, r: 30, t: 90, b: 90 },
      title: { text: `${o.title} (${metricWords(o.metric)})<br><sub>${o.slope}</sub>` },
      xaxis: {
        type: "log",
        title: { text: `pre-training epochs${images} (budget, log scale)` },
        tickvals: o.rungs.map((r) => r.epochs),
        // every planned rung on the axis, one without runs too
        range: xRange(o.rungs),
      },
      yaxis: {
        title: {
          text: `difference (better - worse)${unit ? `, ${unit}` : ""}<br><sub>${ERROR_BAR_NOTE}</sub>`,
        },
        range: [lo, hi],
        zeroline: false,
      },
      shapes: sideShapes(hi),
      annotations: [
        {
          xref: "paper",
          yref: "y",
          x: 0.01,
          y: hi,
          xanchor: "left",
          yanchor: "top",
          showarrow: false,
          text: "paper's direction: above 0 (the claim's better cell wins) ↑",
          font: { color: "#2ca02c" },
        },
      ],
      legend: { orientation: "h", y: -0.25 },
    },
  };
}
