/**
 * Live progress of a training run: a one-line bar on the terminal (stderr) and a line in a
 * notebook output that is rewritten in place (tslab `newDisplay`), both fed the per-step metrics.
 */
import { randomBytes } from "node:crypto";
import type { StepMetrics } from "./metrics";

/** Where progress goes. */
export interface ProgressOptions {
  /** "auto": terminal bar when stderr is a TTY, notebook line inside a tslab kernel. */
  mode: "auto" | "terminal" | "notebook" | "none";
  /** Minimum milliseconds between redraws. */
  intervalMs: number;
  /** Label in front of the bar. */
  label: string;
}

/** Defaults of createProgress. */
export const PROGRESS_DEFAULTS: Readonly<ProgressOptions> = Object.freeze({
  mode: "auto",
  intervalMs: 250,
  label: "pretrain",
});

/** A progress display. */
export interface Progress {
  /** Called after every step. */
  update(m: StepMetrics): void;
  /** Free-form status line (evaluation phases). */
  note(text: string): void;
  /** Final redraw and newline. */
  close(): void;
}

/** Seconds as "1h02m", "3m05s" or "12s". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** One progress line: bar, step, epoch, loss, contrastive accuracy, views/s and ETA. */
export function formatProgressLine(m: StepMetrics, label: string, width = 24): string {
  const frac = m.totalSteps > 0 ? Math.min(1, (m.step + 1) / m.totalSteps) : 0;
  const filled = Math.round(frac * width);
  const bar =
    "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled);
  const eta =
    m.viewsPerSecond > 0 ? ((m.totalSteps - m.step - 1) * m.views) / m.viewsPerSecond : NaN;
  return (
    `${label} [${bar}] ${m.step + 1}/${m.totalSteps} ep ${m.epoch + 1} ` +
    `loss ${m.loss.toFixed(3)} acc ${m.contrastiveAccuracy.toFixed(3)} lr ${m.learningRate.toExponential(2)} ` +
    `${m.viewsPerSecond.toFixed(0)} views/s eta ${formatDuration(eta)}`
  );
}

/** One notebook output that `text` rewrites in place. */
export interface TslabDisplay {
  text(s: string): void;
}

/** tslab's jupyter module: the display writer of the kernel cell running now (null between cells). */
interface TslabJupyter {
  lastWriteDisplayData:
    | ((
        data: { data: Record<string, string>; metadata: object; transient: { display_id: string } },
        update: boolean,
      ) => void)
    | null;
}

/**
 * A tslab display that overwrites one output, or null outside a tslab kernel: one display id whose
 * first write creates the output and later ones update it, as tslab's `newDisplay().text` does.
 */
export function notebookDisplay(): TslabDisplay | null {
  // Only inside a tslab kernel, which has already loaded its jupyter module: it is taken from the
  // module cache as the kernel loaded it (never loaded here: tslab is heavy).
  const loaded = Object.keys(require.cache).find((k) =>
    /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k),
  );
  const jupyter = loaded ? (require.cache[loaded]?.exports as TslabJupyter | undefined) : undefined;
  if (!jupyter?.lastWriteDisplayData) return null;
  const id = randomBytes(8).toString("hex");
  let update = false;
  return {
    text(s) {
      const write = jupyter.lastWriteDisplayData;
      if (!write) return; // between cells: nothing to write to
      write({ data: { "text/plain": s }, metadata: {}, transient: { display_id: id } }, update);
      update = true;
    },
  };
}

/** Creates the progress display for the current environment. */
export function createProgress(options: Partial<ProgressOptions> = {}): Progress {
  const o = { ...PROGRESS_DEFAULTS, ...options };
  const nb = o.mode === "notebook" || o.mode === "auto" ? notebookDisplay() : null;
  const term =
    !nb && (o.mode === "terminal" || (o.mode === "auto" && process.stderr.isTTY === true));
  if (!nb && !term) return { update: () => {}, note: () => {}, close: () => {} };
  let last = 0;
  let line = "";
  let retry: ReturnType<typeof setTimeout> | null = null;
  const draw = (): void => {
    if (!nb) {
      process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 160) - 1)}\x1b[K`);
      return;
    }
    // tslab's zeromq socket refuses a second send while one is still being written (EBUSY), which
    // happens when two updates come without the event loop turning (a long synchronous step or
    // evaluation in between). A progress line must never stop training: skip this frame and draw
    // the latest line once the socket is free.
    try {
      nb.text(line);
    } catch {
      if (!retry) {
        retry = setTimeout(() => {
          retry = null;
          try {
            nb.text(line);
          } catch {
            /* still busy: the next update draws again */
          }
        }, 100);
      }
    }
  };
  return {
    update(m) {
      line = formatProgressLine(m, o.label);
      const now = Date.now();
      if (now - last >= o.intervalMs || m.step + 1 >= m.totalSteps) {
        last = now;
        draw();
      }
    },
    note(text) {
      line = `${o.label}: ${text}`;
      draw();
    },
    close() {
      if (line) draw();
      if (term && line) process.stderr.write("\n");
    },
  };
}
