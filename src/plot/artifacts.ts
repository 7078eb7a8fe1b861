/**
 * Figures as MLflow artifacts: the plotly spec as JSON (small, re-plottable), an SVG picture (a few
 * kB, shown as an image by the MLflow UI's artifact view: src/plot/svg.ts) and, on request, a
 * self-contained HTML page (plotly.js inlined, about 4.8 MB; interactive).
 */
import type { RunLogger } from "../track/types";
import type { Figure } from "./figures";
import { escapeHtml, figureHtml, plotlyScriptTag } from "./html";
import { figureSvg } from "./svg";

/** A standalone HTML page showing one figure (plotly.js inlined; about 4.8 MB). */
export function figurePage(fig: Figure, title = "figure"): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n${plotlyScriptTag()}\n</head>` +
    `<body style="margin:0">${figureHtml(fig, { id: "figure", height: 560 })}</body></html>\n`
  );
}

/**
 * Logs a figure under `plots/`: `<name>.json` and `<name>.svg` always, `<name>.html` when `html`
 * is true.
 * `name` may contain letters, digits, '-', '_' and '.'.
 */
export async function logFigure(
  logger: RunLogger,
  name: string,
  fig: Figure,
  opts: { html?: boolean } = {},
): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    throw new Error(`figure name ${JSON.stringify(name)} must be letters, digits, '-', '_' or '.'`);
  await logger.logArtifact(`${name}.json`, JSON.stringify(fig), "plots");
  await logger.logArtifact(`${name}.svg`, figureSvg(fig), "plots");
  if (opts.html) await logger.logArtifact(`${name}.html`, figurePage(fig, name), "plots");
}
