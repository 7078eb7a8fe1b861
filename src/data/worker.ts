/**
 * Starting a worker thread that runs one of this package's TypeScript modules. The worker registers
 * tsx's CommonJS hook itself, so this works from the CLI, from tests and from a tslab notebook
 * alike (none of which need a build step).
 */
import { Worker } from "node:worker_threads";

/** Starts a worker thread running the TypeScript module at `modulePath` (absolute) with `workerData`. */
export function startTsWorker(modulePath: string, workerData: unknown): Worker {
  const tsx = require.resolve("tsx/cjs/api");
  const code = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(modulePath)});`;
  return new Worker(code, { eval: true, workerData });
}
