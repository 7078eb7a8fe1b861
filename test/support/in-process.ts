/**
 * A sweep executor that runs each cell inside the test's own process, for tests about sweeps,
 * reports and archives where training is beside the point: it opens the cell's run on the real
 * MLflow server as a cell process would (config hash, study and preset tags), lets the test log
 * what that cell measured, and finishes the run.
 */
import fs from "node:fs";
import type { CellTask, Executor } from "../../src/sweep/executor";
import { startRun, type TrackedRun } from "../../src/track/logger";

/** What a cell logs: given its run and resolved config, returns the metrics of its JSON result. */
export type InProcessCell = (
  run: TrackedRun,
  config: Record<string, unknown>,
  task: CellTask,
) => Promise<Record<string, number>>;

/** Options of {@link inProcessExecutor}. */
export interface InProcessOptions {
  /** Tags beside the sweep's own (config hash, study, preset). */
  tags?: Record<string, string>;
  /** The note each run finishes with. */
  note?: string;
}

/** An executor whose cells run `cell` in this process against the sweep's tracking server. */
export function inProcessExecutor(cell: InProcessCell, o: InProcessOptions = {}): Executor {
  return {
    name: "in-process",
    async run(task) {
      const t0 = Date.now();
      const run = await startRun({
        trackingUri: task.context.trackingUri,
        experiment: task.context.experiment,
        runName: task.context.runName,
        parentRunId: task.context.parentRunId,
        tags: {
          "simclr.config_hash": task.context.configHash ?? "",
          "simclr.study": task.study,
          "simclr.preset": task.preset,
          ...o.tags,
        },
        useEnv: false,
      });
      const config = JSON.parse(fs.readFileSync(task.configFile, "utf8")) as Record<
        string,
        unknown
      >;
      const metrics = await cell(run, config, task);
      await run.finish("FINISHED", o.note);
      return {
        ok: true,
        exitCode: 0,
        result: { run_id: run.runId, ...metrics },
        stderrTail: "",
        seconds: (Date.now() - t0) / 1000,
      };
    },
  };
}
