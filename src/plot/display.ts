/**
 * Inline plots in tslab. A figure goes out as one Jupyter display_data bundle with three MIME types:
 * `application/vnd.plotly.v1+json` (drawn by JupyterLab's plotly extension from the `plotly` Python
 * package), `text/html` (a fallback that draws with plotly.js inlined from node_modules, embedded
 * only in the first figure of a kernel session; later ones reuse window.Plotly) and `text/plain`.
 *
 * tslab's public API (`tslab.display.raw(mime, data)`) sends one MIME type per message, and a
 * string, so it cannot send a plotly bundle. We call tslab's own display writer
 * (`tslab/dist/jupyter`.lastWriteDisplayData, what display.raw uses) with the full bundle; when that
 * is unavailable we fall back to `tslab.display.html(...)`. tslab is loaded lazily, so this module
 * works (and prints a line) outside a kernel.
 */
import { figureHtml, plotlyScriptTag, PLOTLY_CONFIG } from "./html";
import type { Figure } from "./figures";

/** The plotly MIME type rendered by JupyterLab's plotly extension. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** A Jupyter MIME bundle. */
export type MimeBundle = Record<string, unknown>;

/** Options for {@link display}. */
export interface DisplayOptions {
  /** Height of the HTML fallback in pixels. */
  height: number;
  /** Inline plotly.js in the HTML fallback even if this session already did. */
  embedPlotly: boolean;
}

/** Defaults for {@link DisplayOptions}. */
export const DISPLAY_DEFAULTS: Readonly<DisplayOptions> = Object.freeze({
  height: 420,
  embedPlotly: false,
});

let plotlyEmbedded = false;
let counter = 0;

function titleOf(fig: Figure): string {
  const t = fig.layout.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string")
    return (t as { text: string }).text;
  return "figure";
}

/** The display bundle of a figure; `withPlotlyJs` inlines plotly.js in the HTML part. */
export function mimeBundle(
  fig: Figure,
  opts: { id: string; height?: number; withPlotlyJs: boolean },
): MimeBundle {
  const html =
    (opts.withPlotlyJs ? `${plotlyScriptTag()}\n` : "") +
    figureHtml(fig, { id: opts.id, height: opts.height });
  return {
    [PLOTLY_MIME]: { data: fig.data, layout: fig.layout, config: PLOTLY_CONFIG },
    "text/html": html,
    "text/plain": `<plotly figure: ${titleOf(fig)} (${fig.data.length} traces)>`,
  };
}

type Writer = (
  msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update?: boolean,
) => void;

/** tslab's internal display writer, set while a kernel cell runs; undefined otherwise. */
function tslabWriter(): Writer | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: Writer | null };
    return jupyter.lastWriteDisplayData ?? undefined;
  } catch {
    return undefined; // a tslab without this module
  }
}

/** True in a tslab kernel process (its command line names tslab). */
function inTslabKernel(): boolean {
  return process.argv.some((a) => /tslab/.test(a));
}

/**
 * Sends a MIME bundle to the notebook; returns false outside a tslab kernel. Uses tslab's display
 * writer (the whole bundle in one message); when that is not reachable from here (another tslab
 * install runs the kernel) it falls back to `tslab.display.html` with the bundle's HTML.
 */
export function displayBundle(bundle: MimeBundle): boolean {
  const write = tslabWriter();
  if (write) {
    const msg = { data: bundle, metadata: {}, transient: {} };
    try {
      write(msg, false);
    } catch {
      // tslab's zeromq socket refuses a send while another is still being written (EBUSY); try
      // again once the event loop has turned instead of failing the cell.
      let tries = 0;
      const again = (): void => {
        try {
          write(msg, false);
        } catch {
          if (++tries < 50) setTimeout(again, 100);
        }
      };
      setTimeout(again, 50);
    }
    return true;
  }
  if (!inTslabKernel() || typeof bundle["text/html"] !== "string") return false;
  try {
    // inside tslab-compiled code, require("tslab") is the kernel's own instance
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tslab = require("tslab") as { display: { html(s: string): void } };
    tslab.display.html(bundle["text/html"]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows a figure inline in tslab. Outside a kernel it prints a one-line description instead.
 * plotly.js is inlined in the HTML fallback of the first figure of the session only.
 */
export function display(fig: Figure, options: Partial<DisplayOptions> = {}): void {
  const o: DisplayOptions = { ...DISPLAY_DEFAULTS, ...options };
  const inKernel = tslabWriter() !== undefined || inTslabKernel();
  const withPlotlyJs = inKernel && (o.embedPlotly || !plotlyEmbedded);
  const bundle = mimeBundle(fig, {
    id: `simclr-fig-${process.pid}-${Date.now().toString(36)}-${counter++}`,
    height: o.height,
    withPlotlyJs,
  });
  if (displayBundle(bundle)) {
    if (withPlotlyJs) plotlyEmbedded = true;
    return;
  }
  console.log(String(bundle["text/plain"]));
}

/** Inlines plotly.js into the notebook again (for a notebook whose first plot output was cleared). */
export function embedPlotly(): void {
  if (displayBundle({ "text/html": plotlyScriptTag(), "text/plain": "<plotly.js loaded>" }))
    plotlyEmbedded = true;
}
