/**
 * The environment's entry into the toolkit. Library code reads no environment variable: the entry
 * points (the `simclr` CLI, the notebooks' toolkit shim lib/toolkit.cjs, the scripts, the test
 * harness) call {@link configureFromEnv}, which reads the variables once and hands typed values to
 * the modules that use them.
 *
 * Notebook parameters: papermill has no TypeScript translator, so a notebook reads its parameters
 * from the environment, explicitly in its config cell: `SIMCLR_PRESET` (set by the test harness
 * and `npm run reproduce`), `SIMCLR_DATASET` and `SIMCLR_NO_DOWNLOAD` (the data it trains on).
 */
import path from "node:path";
import {
  availableCores,
  backendSettingsFromEnv,
  setBackendSettings,
  tensorflowEnvDefaults,
} from "../backend/settings";
import { dataLocationsFromEnv, downloadAllowed, setDataLocations } from "../data/paths";
import { setTrackingSettings, trackingSettingsFromEnv } from "../track/context";
import { setChildEnvironment } from "../util/process";

/**
 * Reads the toolkit's environment variables and hands them in: sets TensorFlow's `TF_*` defaults
 * in `env` where unset (before tfjs-node loads, which reads them once), then the backend
 * (`SIMCLR_BACKEND`, `TF_*`), tracking (`MLFLOW_TRACKING_URI`, `SIMCLR_*` run context, credentials,
 * `SIMCLR_JOURNAL_DIR`) and data (`SIMCLR_DATA`, `SIMCLR_<NAME>_DIR`) settings, and `env` as the
 * environment child processes inherit. Call it again after changing `env`.
 */
export function configureFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, tensorflowEnvDefaults(env, availableCores()));
  setBackendSettings(backendSettingsFromEnv(env));
  setTrackingSettings(trackingSettingsFromEnv(env));
  setDataLocations(dataLocationsFromEnv(env));
  setChildEnvironment(env);
}

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

/** The data a notebook trains on, from {@link dataFromEnv}. */
export interface NotebookData {
  /** Data-set name or image-folder path, for `loadDataset` and the config's `data.dataset`. */
  dataset: string;
  /** Whether a missing CIFAR-10 / STL-10 may be downloaded (false with SIMCLR_NO_DOWNLOAD=1). */
  download: boolean;
}

/**
 * The data set for this notebook run: `SIMCLR_DATASET` when set (a name such as "cifar10", or an
 * image folder with train/ and test/; the tests point it at a generated one), else `fallback`;
 * downloads allowed unless `SIMCLR_NO_DOWNLOAD=1`.
 */
export function dataFromEnv(fallback = "cifar10"): NotebookData {
  const raw = process.env.SIMCLR_DATASET?.trim();
  return { dataset: raw || fallback, download: downloadAllowed(process.env) };
}

/**
 * The notebook a kernel runs, as a run's Source (mlflow.source.name, type NOTEBOOK): JupyterLab
 * gives each kernel its notebook's path in JPY_SESSION_NAME; a kernel started without it (nbclient
 * in the tests) reports "notebook".
 */
export function notebookSourceFromEnv(env: NodeJS.ProcessEnv = process.env): {
  name: string;
  type: "NOTEBOOK";
} {
  const session = env.JPY_SESSION_NAME?.trim();
  return { name: session ? path.basename(session) : "notebook", type: "NOTEBOOK" };
}
