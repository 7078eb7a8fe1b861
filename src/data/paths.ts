/**
 * Where data sets live: the data root (`SIMCLR_DATA`, default `<project>/data`), its `cache/`
 * folder of decoded splits, and per-data-set overrides (`SIMCLR_CIFAR10_DIR`, `SIMCLR_STL10_DIR`).
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
