/**
 * One training process of the tracking load test (test/load/tracking-load.ts): pre-trains
 * `small`-preset runs one after another until a deadline, logging to the given MLflow server the
 * way the quickstart does (every step, kNN monitor every epoch), and prints one JSON line with the
 * runs and how often each fell back to the journal.
 *
 *   node --import tsx test/load/train-worker.ts '<json WorkerArgs>'
 */
import { resolveConfig } from "../../src/config/resolve";
import { loadDataset } from "../../src/data/load";
import { startRun } from "../../src/track/logger";
import { pretrain } from "../../src/train/pretrain";

/** What the load test passes to each worker. */
export interface WorkerArgs {
  trackingUri: string;
  journalDir: string;
  /** A data-set name ("cifar10") or an image folder. */
  dataset: string;
  /** Epoch milliseconds after which the current run is stopped and no new one starts. */
  deadline: number;
  /** Training images per run (an epoch's length), and so how often the kNN monitor blocks the loop. */
  trainLimit: number;
  epochs: number;
  worker: number;
}

/** One run's outcome as the worker reports it. */
export interface WorkerRun {
  runId?: string;
  fallbacks: number;
  pending: number;
  steps: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? "{}") as WorkerArgs;
  const data = await loadDataset(a.dataset, { download: false });
  const runs: WorkerRun[] = [];
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), Math.max(0, a.deadline - Date.now()));
  timer.unref();
  while (Date.now() < a.deadline) {
    const config = resolveConfig("small", {
      data: { dataset: a.dataset, trainLimit: a.trainLimit },
      train: { epochs: a.epochs },
      eval: { linearEpochs: 10 },
      seed: a.worker * 1000 + runs.length,
    });
    const logger = await startRun({
      trackingUri: a.trackingUri,
      experiment: "load-test",
      runName: `worker${a.worker}-run${runs.length}`,
      journalDir: a.journalDir,
      useEnv: false,
    });
    const r = await pretrain(config, {
      dataset: data,
      logger,
      progress: false,
      signal: stop.signal,
    });
    runs.push({
      runId: logger.runId,
      fallbacks: logger.fallbacks(),
      pending: logger.pending(),
      steps: r.steps,
    });
    console.error(
      `worker ${a.worker}: run ${runs.length} (${r.steps} steps), fallbacks ${logger.fallbacks()}`,
    );
  }
  console.log(JSON.stringify({ worker: a.worker, runs }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
