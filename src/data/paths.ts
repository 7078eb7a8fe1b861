/**
 * Where data sets live: the data root (`SIMCLR_DATA`, default `<project>/data`), its `cache/`
 * folder of decoded splits, per-data-set overrides (`SIMCLR_CIFAR10_DIR`, `SIMCLR_STL10_DIR`), and
 * the `SIMCLR_NO_DOWNLOAD` opt-out of first-use downloads. Entry points (the CLI, the notebooks'
 * config helper, the test harness) read these variables and pass the values in; nothing here reads
 * the environment.
 */
import path from "node:path";

/** The project folder (two levels above this file: src/data/ -> project). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Where the caller's environment puts data: the data root (`SIMCLR_DATA`) and per-data-set
 * folders by name (`SIMCLR_CIFAR10_DIR` -> "cifar10"). An entry point reads them
 * ({@link dataLocationsFromEnv}) and hands them in with {@link setDataLocations}.
 */
export interface DataLocations {
  root?: string;
  /** {@link datasetKey} of a data set ("CIFAR10") -> its folder. */
  datasetDirs: Readonly<Record<string, string>>;
}

let locations: DataLocations = { datasetDirs: {} };

/** Sets the data locations the entry point read from its environment. */
export function setDataLocations(l: DataLocations): void {
  locations = l;
}

/** The data locations set by the entry point (none by default). */
export function dataLocations(): DataLocations {
  return locations;
}

/** The data root: `explicit`, else the entry point's (`SIMCLR_DATA`), else `<project>/data`. */
export function dataRoot(explicit?: string): string {
  return path.resolve(explicit ?? locations.root ?? path.join(PROJECT_ROOT, "data"));
}

/** The folder holding decoded one-file-per-split caches under a data root. */
export function cacheDir(root: string): string {
  return path.join(root, "cache");
}

/** A data set's key in {@link DataLocations.datasetDirs} and its variable: "cifar10" -> "CIFAR10". */
export function datasetKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The environment variable that points at one data set's folder, e.g. `SIMCLR_CIFAR10_DIR`. */
export function datasetDirVariable(name: string): string {
  return `SIMCLR_${datasetKey(name)}_DIR`;
}

/** The data locations an environment names (`SIMCLR_DATA`, `SIMCLR_<NAME>_DIR`; empty values count as unset). */
export function dataLocationsFromEnv(env: Readonly<Record<string, string | undefined>>): DataLocations {
  const datasetDirs: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^SIMCLR_([A-Z0-9_]+)_DIR$/.exec(k);
    if (m && v && v.trim() !== "") datasetDirs[m[1]] = v.trim();
  }
  const root = env.SIMCLR_DATA?.trim();
  return root ? { root, datasetDirs } : { datasetDirs };
}

/** The variable that turns off first-use downloads of CIFAR-10 / STL-10 (`SIMCLR_NO_DOWNLOAD=1`). */
export const NO_DOWNLOAD_VARIABLE = "SIMCLR_NO_DOWNLOAD";

/**
 * Whether first-use downloads are allowed by `env` (the caller passes `process.env`): false when
 * SIMCLR_NO_DOWNLOAD is set to anything but "", "0", "false" or "no".
 */
export function downloadAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env[NO_DOWNLOAD_VARIABLE]?.trim().toLowerCase() ?? "";
  return ["", "0", "false", "no"].includes(v);
}
