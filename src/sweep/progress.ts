/**
 * Sweep progress: counts, time per cell and estimated time left, as an object for notebooks
 * (callback) and as a one-line bar for terminals (redrawn in place on a TTY, one line per cell
 * otherwise).
 */

/** Progress of a sweep, after each cell. */
export interface SweepProgress {
  study: string;
  /** Cells (x seeds) in the sweep. */
  total: number;
  /** Cells done in any way (finished, failed, skipped). */
  done: number;
  /** Skipped because a FINISHED run with the same config hash exists. */
  skipped: number;
  failed: number;
  /** Label and seed of the cell now running, if any. */
  running?: string;
  /** Seconds the last executed cell took. */
  lastCellSeconds?: number;
  /** Mean seconds of the cells executed in this sweep. */
  meanCellSeconds?: number;
  /** Estimated seconds left (mean cell time x cells left); undefined before the first cell ends. */
  etaSeconds?: number;
  elapsedSeconds: number;
}

/** "1h 02m", "4m 05s", "12.3s". */
export function formatDuration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m - h * 60).padStart(2, "0")}m`;
}

/** The one-line text of a progress bar. */
export function formatProgress(p: SweepProgress, width = 24): string {
  const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : width;
  const bar = `${"#".repeat(filled)}${".".repeat(width - filled)}`;
  const extra = [p.skipped ? `${p.skipped} skipped` : "", p.failed ? `${p.failed} failed` : ""]
    .filter(Boolean)
    .join(", ");
  const parts = [
    `${p.study} [${bar}] ${p.done}/${p.total} cells${extra ? ` (${extra})` : ""}`,
    `${formatDuration(p.meanCellSeconds)}/cell`,
    `ETA ${p.done === p.total ? "0s" : formatDuration(p.etaSeconds)}`,
  ];
  if (p.running) parts.push(`running ${p.running}`);
  return parts.join(" | ");
}

/** A progress printer for a stream (stderr by default). */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
): (p: SweepProgress) => void {
  const tty = stream.isTTY === true;
  return (p) => {
    const line = formatProgress(p);
    if (tty) {
      const cols = stream.columns || 120;
      stream.write(
        `\r${line.slice(0, cols - 1).padEnd(cols - 1)}${p.done === p.total && !p.running ? "\n" : ""}`,
      );
    } else {
      stream.write(`${line}\n`);
    }
  };
}

/**
 * Progress for notebooks: inside a tslab kernel one output line updated in place (tslab's
 * newDisplay); elsewhere one console line per cell.
 */
export function notebookProgress(): (p: SweepProgress) => void {
  let out: { text(s: string): void } | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: unknown };
    if (jupyter.lastWriteDisplayData) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      out = (require("tslab") as { newDisplay(): { text(s: string): void } }).newDisplay();
    }
  } catch {
    out = undefined;
  }
  return (p) => {
    const line = formatProgress(p);
    if (out) out.text(line);
    else if (!p.running) console.log(line);
  };
}
