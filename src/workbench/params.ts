/**
 * Notebook parameters. papermill has no TypeScript translator, so a notebook reads its parameters
 * from the environment: `SIMCLR_PRESET` (set by the test harness and `npm run reproduce`).
 */
import path from "node:path";

/** Preset names a notebook accepts. */
export type NotebookPreset = "tiny" | "small" | "paper";

const PRESET_NAMES: readonly NotebookPreset[] = ["tiny", "small", "paper"];

/**
 * The preset for this notebook run: `SIMCLR_PRESET` when set, else `fallback`.
 * Throws when the variable holds something other than a preset name.
 */
export function presetFromEnv(fallback: NotebookPreset = "small"): NotebookPreset {
  const raw = process.env.SIMCLR_PRESET?.trim();
  if (!raw) return fallback;
  if ((PRESET_NAMES as readonly string[]).includes(raw)) return raw as NotebookPreset;
  throw new Error(
    `SIMCLR_PRESET='${raw}' is not a preset; expected one of ${PRESET_NAMES.join(", ")}`,
  );
}

/**
 * Folder a notebook writes its shareable outputs to (the HTML report): `SIMCLR_RESULTS_DIR` when
 * set (tests point it at a temporary folder), else `<project>/results/<preset>`.
 */
export function resultsDir(preset: NotebookPreset): string {
  const env = process.env.SIMCLR_RESULTS_DIR?.trim();
  if (env) return path.resolve(env);
  return path.join(path.resolve(__dirname, "..", ".."), "results", preset);
}
