/**
 * A study's grid: a named set of cells over config fields plus seeds, the unit the paper's
 * ablations are made of (e.g. Figure 8 varies the projection head, Figure 5 pairs of
 * augmentations), with its per-preset budgets, cells and seeds, and its plan of runs. This is what
 * a sweep runs (src/sweep/), and what the evidence (src/evidence/) and figures (src/plot/) select
 * cells from, so it sits below all three. What the study says about the paper (its claims,
 * findings, reasons, plot and prose) is separate: src/evidence/study.ts, where `Study` joins both;
 * each built-in study's home is src/studies/<study>.ts.
 */
import { validateSeedPolicy, type SeedPolicy } from "../stats/seed-policy";
import { configHash } from "../track/hash";
import { flattenFields, type FlatLeaf } from "../util/flatten";
import type {
  CellOverrides,
  ConfigFieldValues,
  ConfigGrid,
  PartExtras,
  PretrainConfig,
  PretrainConfigOverrides,
} from "../config/pretrain-config";

/**
 * A cell's config overrides, nested and typed like the config (`{ loss: { temperature: 0.1 } }`):
 * the layer the resolver merges as it is (`X` types a plugin part's own options).
 */
export type Overrides<X extends PartExtras = NoExtras> = CellOverrides<X>;

/** No plugin options (the built-in parts only). */
type NoExtras = Record<never, never>;

/** An explicit cell (Figure 5 pairs are listed, not a product). */
export interface StudyCell<X extends PartExtras = NoExtras> {
  /** Short label shown in plots and tables; default "key=value, ..." (dotted fields). */
  label?: string;
  /** Config overrides of this cell. */
  overrides: Overrides<X>;
}

/**
 * Picks cells: a cell label, or field values by dotted path (`{ "head.kind": "linear" }`) that the
 * cell's overrides must hold (values compared as JSON).
 */
export type CellSelector = string | ConfigFieldValues;

/**
 * A study's setup at one preset (`tiny` for CI, `small` for a laptop, `paper`): its budget and,
 * where they differ from the study's, its cells and seeds.
 */
export interface StudyPreset<X extends PartExtras = NoExtras> {
  /** Overrides on top of `base` at this preset: the per-cell budget (epochs, subset sizes). */
  overrides?: Overrides<X>;
  /** Explicit cells used instead of the study's `cells`/`grid` at this preset. */
  cells?: (StudyCell<X> | Overrides<X>)[];
  /** Grid used instead of the study's `grid`/`cells` at this preset. */
  grid?: ConfigGrid;
  /** Seeds per cell at this preset, instead of the study's `seeds`. */
  seeds?: number;
  /**
   * The seed values every cell runs at this preset, instead of 0..seeds-1: a search stage's own
   * seeds, disjoint from those of the comparison it feeds (src/evidence/search.ts).
   */
  seedValues?: readonly number[];
  /**
   * Seeds of named cells (by label) where they differ: a large grid run with one seed per cell
   * can still give the cells its claims compare the seeds a test needs (Figure 5: crop, color and
   * crop+color). A sweep's explicit seed count overrides these.
   */
  cellSeeds?: Record<string, number>;
  /**
   * Adaptive seeds at this preset: `min` seeds per cell, then more only for the cells of claims
   * still undecided (src/stats/seed-policy.ts); the findings correct their p for the looks.
   */
  seedPolicy?: SeedPolicy;
}

/** A named grid over config fields plus seeds: the part of a study a sweep runs. */
export interface StudyGrid<X extends PartExtras = NoExtras> {
  /** Registry name, e.g. "projection-head" (letters, digits, - _ .). */
  name: string;
  description: string;
  /** Overrides applied to every cell (on top of the preset). */
  base: Overrides<X>;
  /** Per-preset budget, cells and seeds (see {@link StudyPreset}). */
  presets?: Record<string, StudyPreset<X>>;
  /** Cartesian grid: field (dotted path) -> values. Used when `cells` is absent. */
  grid?: ConfigGrid;
  /** Explicit cells (used instead of `grid`). */
  cells?: (StudyCell<X> | Overrides<X>)[];
  /** Seeds per cell (seed values 0..seeds-1), unless the preset or the sweep says otherwise. */
  seeds: number;
  /** Metrics the study reports (keys of the cell's JSON result / MLflow metrics), e.g. ["linear_acc"]. */
  metrics: string[];
  /** Each cell logs its encoder as an MLflow logged model (default false; the sweep may override). */
  logModels?: boolean;
}

/**
 * A cell with its seed, resolved config and hash: one child run. `C` is the type of the resolved
 * config: the project's {@link PretrainConfig} when planned with its resolver (src/config
 * `resolveConfig`), a plain merge ({@link MergedConfig}) for a test's stand-in cell command.
 */
export interface CellPlan<C extends object = PretrainConfig> {
  /** Cell index in the study (before seeds). */
  cellIndex: number;
  label: string;
  /** The cell's own overrides (not base/preset). */
  overrides: Overrides;
  seed: number;
  /** The resolved config, resolved once when the study is planned; written for the cell command. */
  config: C;
  /** sha256 of the canonical resolved config (tag simclr.config_hash). */
  configHash: string;
  /** mlflow.runName, e.g. "head.kind=linear/seed1 (projection-head)". */
  runName: string;
  /**
   * Why the cell's config did not resolve (a plugin that does not load), in plans made with
   * {@link TolerantPlanOptions}: the cell fails without running, and `config` is then the plain
   * merge of its layers, so its hash still names the cell.
   */
  unstartable?: string;
}

/** What {@link mergeResolver} builds: `{preset, ...overrides}` merged deeply, not validated. */
export type MergedConfig = Record<string, unknown>;

/**
 * Resolves a preset plus nested overrides (in order, later wins) into the full config: the
 * project's `resolveConfig` (src/config/resolve.ts) itself, or {@link mergeResolver}.
 */
export type ConfigResolver<C extends object = PretrainConfig> = (
  preset: string,
  ...overrides: PretrainConfigOverrides[]
) => C;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype
  );
}

/**
 * `{"head.kind": "linear"}` -> `{head: {kind: "linear"}}` (nested objects merged): a grid's
 * combination of dotted fields as the cell's overrides.
 */
export function expandDotted(fields: ConfigFieldValues): Overrides {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const parts = k.split(".");
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      if (!isPlainObject(cur[p])) cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    cur[last] =
      isPlainObject(v) && isPlainObject(cur[last])
        ? deepMerge(cur[last] as Record<string, unknown>, v)
        : v;
  }
  return out;
}

function deepMerge(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] =
      isPlainObject(v) && isPlainObject(out[k])
        ? deepMerge(out[k] as Record<string, unknown>, v)
        : v;
  return out;
}

/** Overrides layered in order (later wins), nested objects merged: a study's budget plus its own. */
export function mergeOverrides<X extends PartExtras>(...layers: Overrides<X>[]): Overrides<X> {
  let out: Record<string, unknown> = {};
  for (const o of layers) out = deepMerge(out, o);
  return out;
}

/** A resolver that only merges: `{preset, ...overrides}` deeply (used when no config module is given). */
export const mergeResolver: ConfigResolver<MergedConfig> = (preset, ...overrides) => {
  let out: MergedConfig = { preset };
  for (const o of overrides) out = deepMerge(out, o as Record<string, unknown>);
  return out;
};

function formatValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Default label of a cell from its dotted fields: "key=value, key=value" ("base" for none). */
export function cellLabel(fields: ConfigFieldValues | Readonly<Record<string, FlatLeaf>>): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length ? parts.join(", ") : "base";
}

/**
 * A cell's overrides by dotted field (`{ "loss.temperature": 0.1 }`), with the one flattener
 * (src/util/flatten.ts): what labels, selectors, tables and plot axes read.
 */
export function cellFields(overrides: Overrides<PartExtras>): Record<string, FlatLeaf> {
  return flattenFields(overrides);
}

/** The study's cells (grid product, or the explicit list), without seeds. */
export function studyCells(study: StudyGrid, preset?: string): StudyCell[] {
  const p = preset !== undefined ? study.presets?.[preset] : undefined;
  if (p?.cells || p?.grid) {
    const own = { ...study, presets: undefined };
    return studyCells(
      p.cells
        ? { ...own, cells: p.cells, grid: undefined }
        : { ...own, cells: undefined, grid: p.grid },
    );
  }
  if (study.cells) {
    return study.cells.map((c) => {
      const cell = isStudyCell(c) ? c : { overrides: c };
      return {
        label: cell.label ?? cellLabel(cellFields(cell.overrides)),
        overrides: cell.overrides,
      };
    });
  }
  const grid: Record<string, readonly unknown[] | undefined> = study.grid ?? {};
  let combos: ConfigFieldValues[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (!Array.isArray(values) || values.length === 0)
      throw new Error(
        `study '${study.name}': grid field '${key}' needs a non-empty array of values`,
      );
    combos = combos.flatMap((c) => values.map((v: unknown) => ({ ...c, [key]: v })));
  }
  return combos.map((o) => ({ label: cellLabel(o), overrides: expandDotted(o) }));
}

function isStudyCell(c: StudyCell | Overrides): c is StudyCell {
  return (
    isPlainObject(c) &&
    isPlainObject((c as unknown as StudyCell).overrides) &&
    Object.keys(c).every((k) => k === "label" || k === "overrides")
  );
}

/**
 * Checks a study grid's shape; throws naming the field (src/evidence/study.ts `validateStudy`
 * checks the claims too).
 */
export function validateStudyGrid(study: StudyGrid): void {
  if (!study || typeof study !== "object") throw new Error("study must be an object");
  if (typeof study.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(study.name)) {
    throw new Error(
      `study name ${JSON.stringify(study.name)} must be letters, digits, '-', '_' or '.'`,
    );
  }
  if (!Number.isInteger(study.seeds) || study.seeds < 1)
    throw new Error(
      `study '${study.name}': seeds must be an integer >= 1, got ${JSON.stringify(study.seeds)}`,
    );
  if (!Array.isArray(study.metrics) || study.metrics.length === 0)
    throw new Error(`study '${study.name}': metrics must list at least one metric`);
  if (study.logModels !== undefined && typeof study.logModels !== "boolean")
    throw new Error(
      `study '${study.name}': logModels must be true or false, got ${JSON.stringify(study.logModels)}`,
    );
  if (!isPlainObject(study.base))
    throw new Error(`study '${study.name}': base must be an object of config overrides`);
  if (!study.grid && !study.cells)
    throw new Error(`study '${study.name}': give a grid or a cells list`);
  const labels = studyCells(study).map((c) => c.label);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined)
    throw new Error(`study '${study.name}': two cells share the label '${dup}'`);
  for (const [preset, p] of Object.entries(study.presets ?? {})) {
    if (p.seeds !== undefined && (!Number.isInteger(p.seeds) || p.seeds < 1))
      throw new Error(
        `study '${study.name}': presets.${preset}.seeds must be an integer >= 1, got ${JSON.stringify(p.seeds)}`,
      );
    const sv = p.seedValues;
    if (sv !== undefined && (!sv.length || sv.some((x) => !Number.isInteger(x) || x < 0)))
      throw new Error(
        `study '${study.name}': presets.${preset}.seedValues must list integers >= 0, got ${JSON.stringify(sv)}`,
      );
    if (p.seedPolicy)
      validateSeedPolicy(p.seedPolicy, `study '${study.name}': presets.${preset}.seedPolicy`);
    const here = studyCells(study, preset).map((c) => c.label);
    for (const [label, n] of Object.entries(p.cellSeeds ?? {})) {
      if (!here.includes(label))
        throw new Error(
          `study '${study.name}': presets.${preset}.cellSeeds names cell '${label}', which the ${preset} preset does not have`,
        );
      if (!Number.isInteger(n) || n < 1)
        throw new Error(
          `study '${study.name}': presets.${preset}.cellSeeds['${label}'] must be an integer >= 1, got ${JSON.stringify(n)}`,
        );
    }
  }
}

/** Cells matched by a selector (label or contained overrides), among the preset's cells when given. */
export function selectCells(study: StudyGrid, sel: CellSelector, preset?: string): StudyCell[] {
  const cells = studyCells(study, preset);
  if (typeof sel === "string") return cells.filter((c) => c.label === sel);
  return cells.filter((c) => {
    const fields = cellFields(c.overrides);
    return Object.entries(sel).every(
      ([k, v]) => k in fields && JSON.stringify(fields[k]) === JSON.stringify(v),
    );
  });
}

/** Options for {@link planStudy}. */
export interface PlanOptions<C extends object = MergedConfig> {
  preset: string;
  /** Seeds per cell; default the study's. */
  seeds?: number;
  /** Builds the full config; default {@link mergeResolver}. */
  resolveConfig?: ConfigResolver<C>;
  /** Overrides under every cell's (and the study's base): a notebook's data set, `{ data: { dataset } }`. */
  under?: PretrainConfigOverrides;
  /** Only in {@link TolerantPlanOptions} (whose plans' configs are then typed `object`). */
  tolerate?: undefined;
}

/** {@link PlanOptions} of a sweep, which runs the cells whose configs resolve and fails the others. */
export interface TolerantPlanOptions extends Omit<PlanOptions<object>, "tolerate"> {
  /**
   * Whether an error of the resolver makes only its cell unstartable ({@link CellPlan.unstartable})
   * instead of stopping the plan (a mistake in the study itself stops it).
   */
  tolerate: (error: unknown) => boolean;
}

/** One cell's config; an error `opts.tolerate` accepts gives the merged layers and the reason. */
function resolveCell(
  resolve: ConfigResolver<object>,
  opts: PlanOptions<object> | TolerantPlanOptions,
  layers: PretrainConfigOverrides[],
): { config: object; unstartable?: string } {
  try {
    return { config: resolve(opts.preset, ...layers) };
  } catch (e) {
    if (!opts.tolerate?.(e)) throw e;
    return { config: mergeResolver(opts.preset, ...layers), unstartable: (e as Error).message };
  }
}

/** A cell run's mlflow.runName. The cell leads: the runs table truncates long names from the right. */
export function cellRunName(label: string, seed: number, study: string): string {
  return `${label}/seed${seed} (${study})`;
}

/**
 * Every (cell, seed) of a study with its config resolved once, here, and its hash, in run order
 * (cells, then seeds). With the project's resolver each plan's config is a {@link PretrainConfig}.
 */
export function planStudy<C extends object>(
  study: StudyGrid,
  opts: PlanOptions<C> & { resolveConfig: ConfigResolver<C> },
): CellPlan<C>[];
export function planStudy(study: StudyGrid, opts: PlanOptions): CellPlan<MergedConfig>[];
export function planStudy(
  study: StudyGrid,
  opts: PlanOptions<object> | TolerantPlanOptions,
): CellPlan<object>[];
export function planStudy(
  study: StudyGrid,
  opts: PlanOptions<object> | TolerantPlanOptions,
): CellPlan<object>[] {
  validateStudyGrid(study);
  const p = study.presets?.[opts.preset];
  // Under an adaptive seed policy the plan starts at its minimum (src/sweep/adaptive.ts adds more).
  const seeds = opts.seeds ?? p?.seeds ?? p?.seedPolicy?.min ?? study.seeds;
  if (!Number.isInteger(seeds) || seeds < 1)
    throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
  const resolve: ConfigResolver<object> = opts.resolveConfig ?? mergeResolver;
  const under = opts.under ? [opts.under] : [];
  // Where a cell's config path is decided: its typed overrides ({ loss: { temperature } }) are the
  // resolver's layers as they are (no dotted keys, no conversion); the resolver validates them
  // once and the plan carries the PretrainConfig to the executor, which writes it for the cell's
  // process (environment.md, "A sweep cell's config path").
  const base = study.base;
  const presetOver = p?.overrides ?? {};
  const plans: CellPlan<object>[] = [];
  const cellSeeds = opts.seeds === undefined ? (p?.cellSeeds ?? {}) : {};
  studyCells(study, opts.preset).forEach((cell, cellIndex) => {
    const label = cell.label ?? cellLabel(cell.overrides);
    const n = cellSeeds[label] ?? seeds;
    const values = opts.seeds === undefined ? p?.seedValues : undefined;
    for (const seed of values ?? Array.from({ length: n }, (_, i) => i)) {
      const layers = [...under, base, presetOver, cell.overrides, { seed }];
      const { config, unstartable } = resolveCell(resolve, opts, layers);
      plans.push({
        cellIndex,
        label,
        overrides: cell.overrides,
        seed,
        config,
        configHash: configHash(config),
        runName: cellRunName(label, seed, study.name),
        ...(unstartable === undefined ? {} : { unstartable }),
      });
    }
  });
  return plans;
}
