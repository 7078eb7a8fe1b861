/**
 * `runStudy`: the one call a notebook makes to run a study as a resumable sweep with the project's
 * config resolver (src/config), returning the per-cell results as an arquero table as well.
 */
import fs from "node:fs";
import path from "node:path";
import * as aq from "arquero";
import { resolveConfig } from "../config/resolve";
import type { PretrainConfig, PretrainConfigOverrides } from "../config/pretrain-config";
import { createExecutor, type ExecutorChoice, type ExecutorName } from "./executors";
import { notebookProgress } from "./progress";
import { getStudy } from "./registry";
import { cellFields, type ConfigResolver } from "../grid/study-grid";
import type { Study } from "../evidence/study";
import { archiveFile } from "../evidence/archive";
import type { SearchChoice } from "../evidence/search";
import { sweepWithSearch } from "./search-stage";
import type { CellResult, SweepOptions, SweepResult } from "./sweep";

/**
 * The project's config resolver (preset + nested overrides, validated, a PretrainConfig): it is
 * `resolveConfig` itself, so planning a study calls it directly (no adapter between them).
 */
export const projectConfigResolver: ConfigResolver<PretrainConfig> = resolveConfig;

/** A sweep's results plus a table with one row per cell x seed. */
export interface StudyResults extends SweepResult {
  /** Columns: label, seed, status, run_id, attempts, seconds, the overrides' fields, then each metric. */
  table: aq.ColumnTable;
  /**
   * The study's search stage, where it declares one: the search's own sweep and table, and the
   * value chosen per cell (computed from the search's runs; the comparison ran at it).
   */
  search?: StudyResults & { choices: SearchChoice[] };
}

/** Rows of {@link StudyResults.table}. */
export function cellsToTable(cells: CellResult[], metrics?: string[]): aq.ColumnTable {
  const fields = cells.map((c) => cellFields(c.overrides));
  const overrideKeys = [...new Set(fields.flatMap((f) => Object.keys(f)))];
  const metricKeys = metrics ?? [...new Set(cells.flatMap((c) => Object.keys(c.metrics)))].sort();
  const cols: Record<string, unknown[]> = {
    label: [],
    seed: [],
    status: [],
    run_id: [],
    attempts: [],
    seconds: [],
  };
  for (const k of overrideKeys) cols[k] = [];
  for (const m of metricKeys) cols[m] = [];
  cells.forEach((c, i) => {
    cols.label.push(c.label);
    cols.seed.push(c.seed);
    cols.status.push(c.status);
    cols.run_id.push(c.runId);
    cols.attempts.push(c.attempts);
    cols.seconds.push(c.seconds);
    for (const k of overrideKeys) cols[k].push(fields[i][k]);
    for (const m of metricKeys) cols[m].push(c.metrics[m]);
  });
  return aq.table(cols);
}

/**
 * Runs a study (a registered name, a Study, or a .json file) as a sweep with the project's config
 * resolver and the local executor unless others are given. `overrides` apply under every cell's
 * own (a notebook's data set: `{ data: { dataset } }`). Progress goes to `onProgress`, else to a
 * line updated in place in the notebook (one console line per cell outside a kernel). Runs of its
 * cells in the preset's results archive (`archive`, default results/<preset>/runs.jsonl) that the
 * store lacks are imported first and their cells skipped.
 */
export async function runStudy(
  study: string | Study,
  options: Partial<Omit<SweepOptions, "executor">> & {
    preset: string;
    /** An executor, or its name ("local", "slurm", "ray") with `executorOptions`. */
    executor?: SweepOptions["executor"] | ExecutorName;
    executorOptions?: ExecutorChoice;
    /** Config overrides under every cell's (e.g. the notebook's data set). */
    overrides?: PretrainConfigOverrides;
  },
): Promise<StudyResults> {
  let s: Study;
  if (typeof study !== "string") s = study;
  else if (study.endsWith(".json") && fs.existsSync(study))
    s = JSON.parse(fs.readFileSync(path.resolve(study), "utf8")) as Study;
  else s = getStudy(study);
  const { executor, executorOptions, overrides: under, ...rest } = options;
  // The committed archive of the preset (results/<preset>/runs.jsonl) is imported when the store
  // lacks its runs, so a study reproduced on a new machine skips the cells the archive holds.
  const opts: Partial<SweepOptions> & { preset: string } = {
    resolveConfig: resolveConfig,
    archive: archiveFile(options.preset),
    ...rest,
  };
  if (under) opts.under = under;
  if (typeof executor === "string") opts.executor = createExecutor(executor, executorOptions);
  else if (executor) opts.executor = executor;
  if (!opts.onProgress && !opts.progressBar) opts.onProgress = notebookProgress();
  // A study with a search stage runs it first (src/sweep/search-stage.ts).
  const { search, ...result } = await sweepWithSearch(s, opts);
  const table = cellsToTable(result.cells, s.metrics);
  if (!search) return { ...result, table };
  return { ...result, table, search: { ...search, table: cellsToTable(search.cells) } };
}
