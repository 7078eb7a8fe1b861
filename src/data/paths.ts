/**
 * Where data sets live: the data root (`SIMCLR_DATA`, default `<project>/data`), its `cache/`
 * folder of decoded splits, per-data-set overrides (`SIMCLR_CIFAR10_DIR`, `SIMCLR_STL10_DIR`), and
 * the `SIMCLR_NO_DOWNLOAD` opt-out of first-use downloads (read by the CLI and notebooks, which
 * pass the environment in).
 */
import path from "node:path";

/** The project folder (two levels above this file: src/data/ -> project). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** The data root: `explicit`, else `SIMCLR_DATA`, else `<project>/data`. */
export function dataRoot(explicit?: string): string {
  return path.resolve(explicit ?? process.env.SIMCLR_DATA ?? path.join(PROJECT_ROOT, "data"));
}

/** The folder holding decoded one-file-per-split caches under a data root. */
export function cacheDir(root: string): string {
  return path.join(root, "cache");
}

/** The environment variable that points at one data set's folder, e.g. `SIMCLR_CIFAR10_DIR`. */
export function datasetDirVariable(name: string): string {
  return `SIMCLR_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_DIR`;
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
