/**
 * Offline HTML for plotly figures: the plotly.js bundle from node_modules/plotly.js-dist (never a
 * CDN), minified once with esbuild (tsx's dependency) and cached under .simclr/cache/, and the
 * markup that draws one figure with it. Also HTML escaping for everything user-supplied.
 */
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../track/server";
import type { Figure } from "./figures";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/** JSON safe to place inside a <script> element (no "</script>", "<!--", U+2028/2029 breaks). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function plotlyDistFile(): string {
  return require.resolve("plotly.js-dist/plotly.js");
}

/** plotly.js version of the bundled file. */
export function plotlyVersion(): string {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(path.dirname(plotlyDistFile()), "package.json"), "utf8"),
  ) as { version: string };
  return pkg.version;
}

let cachedSource: string | undefined;

/**
 * The plotly.js source to inline: minified (about 4.8 MB instead of 11 MB) and cached in
 * <project>/.simclr/cache/ when esbuild is available, else the original file.
 */
export function plotlySource(): string {
  if (cachedSource) return cachedSource;
  const version = plotlyVersion();
  const cacheFile = path.join(PROJECT_ROOT, ".simclr", "cache", `plotly-${version}.min.js`);
  if (fs.existsSync(cacheFile)) {
    cachedSource = fs.readFileSync(cacheFile, "utf8");
    return cachedSource;
  }
  const original = fs.readFileSync(plotlyDistFile(), "utf8");
  let src = original;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as {
      transformSync(code: string, o: Record<string, unknown>): { code: string };
    };
    src = esbuild.transformSync(original, {
      minify: true,
      legalComments: "inline",
      charset: "utf8",
    }).code;
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(`${cacheFile}.tmp`, src);
    fs.renameSync(`${cacheFile}.tmp`, cacheFile);
  } catch {
    src = original; // no esbuild: the unminified bundle works the same
  }
  cachedSource = src;
  return src;
}

/** A <script> element defining window.Plotly, safe to inline in an HTML page. */
export function plotlyScriptTag(): string {
  return `<script type="text/javascript">/* plotly.js ${plotlyVersion()} (MIT), inlined for offline use */\n${plotlySource().replace(/<\/script/gi, "<\\/script")}\n</script>`;
}

/** Plotly config used for every figure: no link to plotly's cloud, responsive. */
export const PLOTLY_CONFIG = Object.freeze({
  responsive: true,
  displaylogo: false,
  showLink: false,
  showSendToCloud: false,
});

/**
 * Markup that draws `fig` into a new div with window.Plotly (which must be loaded before it runs,
 * e.g. by {@link plotlyScriptTag} earlier in the page). Shows a note when Plotly is missing.
 */
export function figureHtml(fig: Figure, opts: { id: string; height?: number }): string {
  const id = escapeHtml(opts.id);
  const h = opts.height ?? 420;
  return (
    `<div id="${id}" class="simclr-figure" style="width:100%;height:${h}px"></div>\n` +
    `<script type="text/javascript">(function(){var el=document.getElementById(${jsonForScript(opts.id)});` +
    `if(!window.Plotly){el.textContent="plotly.js is not loaded in this page: re-run the cell that first displayed a plot, or call display.embedPlotly()";return;}` +
    `window.Plotly.newPlot(el,${jsonForScript(fig.data)},${jsonForScript(fig.layout)},${jsonForScript(PLOTLY_CONFIG)});})();</script>`
  );
}
