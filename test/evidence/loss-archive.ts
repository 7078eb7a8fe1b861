/**
 * A results archive of the `losses` study at `small` for tests: the given linear_acc per cell
 * label, seed by seed (seed = index), with the params given (what the runs recorded of their
 * evaluation).
 */
import type { ArchivedRun } from "../../src/evidence/archive";

/** Archived losses runs, one per value: label -> linear_acc of seeds 0, 1, ... */
export function lossArchive(
  acc: Record<string, readonly number[]>,
  params: Record<string, string> = {},
): ArchivedRun[] {
  return Object.entries(acc).flatMap(([label, xs]) =>
    xs.map((x, seed) => ({
      study: "losses",
      preset: "small",
      experiment: "losses",
      label,
      seed,
      runId: `${label}-${seed}`,
      startTime: 0,
      endTime: 120_000,
      codeVersion: "aaaaaaaaaaaa",
      params,
      metrics: { linear_acc: x },
    })),
  );
}
