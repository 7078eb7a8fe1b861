/**
 * Starting a worker thread that runs one of this package's TypeScript modules: `name.ts` runs
 * through its entry `name.cjs` beside it, which registers tsx's CommonJS hook in the worker and
 * requires the module by a literal path (so the import graph shows it; no code is generated). This
 * works from the CLI, from tests and from a tslab notebook alike (none of which need a build step).
 */
import fs from "node:fs";
import { Worker } from "node:worker_threads";

/**
 * Starts a worker thread running the TypeScript module at `modulePath` (absolute, `*.ts`) through
 * its `*.cjs` entry, with `workerData`.
 */
export function startTsWorker(modulePath: string, workerData: unknown): Worker {
  const entry = modulePath.replace(/\.ts$/, ".cjs");
  if (entry === modulePath || !fs.existsSync(entry))
    throw new Error(`worker module ${modulePath} has no entry ${entry} (a .cjs that requires it)`);
  return new Worker(entry, { workerData });
}
