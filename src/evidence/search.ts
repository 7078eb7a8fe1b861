/**
 * A study's search stage (issue 27, item 3): a declared, small hyperparameter search per cell of a
 * comparison, at a cheaper budget and on its own seeds, whose choice the comparison then runs at
 * with fresh seeds, so that no run both chooses and tests. SimCLR tunes each loss's hyperparameters
 * before comparing them (Table 4's caption, appendix B.2); a study declares the same procedure as
 * `search: { name, over, choose, presets }` (see {@link SearchStage}).
 *
 * The choice lives nowhere but in the runs: it is computed, every time it is needed, from the
 * search's finished runs by {@link chooseSettings} (the sweep from the tracking store before it
 * plans the comparison, the findings README and the report from the results archive), and what
 * the comparison ran at is in its runs' params and its sweep's study.json. A choice is never typed
 * in, so it cannot drift from the runs it came from.
 *
 * The rule: "max mean <metric>" (or "min mean <metric>") over the search seeds of each value. A
 * value is eligible only when every one of its search seeds finished with a finite metric: a
 * failed (or diverged) run rules its value out rather than being skipped, since a setting that
 * diverges on one seed is no setting to compare losses at. Equal means (within 1e-12) go to the
 * value declared first. The comparison is refused while any planned search run has not ended
 * (FINISHED or FAILED), naming the study and the runs it lacks.
 */
import type { ConfigField, ConfigFieldValues } from "../config/pretrain-config";
import {
  expandDotted,
  mergeOverrides,
  planStudy,
  studyCells,
  type Overrides,
  type StudyCell,
  type StudyPreset,
} from "../grid/study-grid";
import type { Study } from "./study";

/** One field searched, for some cells of the comparison, each cell on its own. */
export interface SearchAxis {
  /** Labels of the comparison's cells this field is searched for (each gets its own choice). */
  cells: readonly string[];
  /** The config field by its dotted name ("loss.temperature"). */
  field: ConfigField;
  /** The values tried, in order of preference: a tie goes to the earlier one. */
  values: readonly (number | string | boolean)[];
}

/** A search stage at one preset: its budget, its seeds and, where they differ, its axes. */
export interface SearchPreset {
  /** Seed values of every search run: disjoint from the comparison's (checked). */
  seeds: readonly number[];
  /**
   * Overrides over the comparison's preset budget: the cheaper search budget (a field that a
   * searched cell sets itself keeps the cell's value).
   */
  budget: Overrides;
  /** Axes at this preset instead of the stage's (e.g. fewer values at `tiny`). */
  over?: readonly SearchAxis[];
}

/** A study's declared search stage (see the module comment). */
export interface SearchStage {
  /** The search's own study name (its experiment and archive lines), e.g. "losses-search". */
  name: string;
  /** The fields searched and for which cells. */
  over: readonly SearchAxis[];
  /** "max mean <metric>" or "min mean <metric>". */
  choose: string;
  /** The presets the study runs at with its search; running at another preset is refused. */
  presets: Readonly<Record<string, SearchPreset>>;
}

/** One run of a search as the choice reads it: a sweep's cell result or an archived run. */
export interface SearchRun {
  label: string;
  seed: number;
  /** "FINISHED", "SKIPPED" (finished before) or "FAILED"; archived runs are finished. */
  status?: string;
  runId?: string;
  metrics: Record<string, number>;
}

/** One value tried for one cell, with what its search runs gave. */
export interface SearchCandidate {
  value: number | string | boolean;
  /** The search cell's label, e.g. "ntxent loss.temperature=0.5". */
  label: string;
  /** Mean of the metric over its finished seeds (undefined with none). */
  mean?: number;
  /** Seeds that finished with a finite metric. */
  finished: number[];
  /** Seeds that failed or gave no finite metric. */
  failed: number[];
  /** Seeds with no ended run. */
  missing: number[];
  runIds: string[];
  eligible: boolean;
}

/** The choice for one cell of the comparison: the value, the rule and the runs it came from. */
export interface SearchChoice {
  /** The comparison cell's label. */
  cell: string;
  field: string;
  /** The chosen value; undefined when no value is eligible (only from {@link searchStatus}). */
  value?: number | string | boolean;
  /** The rule in words, e.g. "max mean linear_acc over seeds 100, 101". */
  rule: string;
  candidates: SearchCandidate[];
  /** Values whose means tied with the chosen one (the earliest declared won). */
  tiedWith: (number | string | boolean)[];
}

/** Thrown when the comparison is planned before its search has ended. */
export class SearchNotFinished extends Error {
  constructor(
    readonly study: string,
    readonly search: string,
    readonly missing: readonly string[],
  ) {
    super(
      `study '${study}': its comparison cannot be planned before its search '${search}' has finished; ` +
        `missing runs (${missing.length}): ${missing.slice(0, 12).join(", ")}${missing.length > 12 ? ", ..." : ""}`,
    );
  }
}

const TIE = 1e-12;

/** The rule of a `choose` string: direction and metric; throws naming the study and the string. */
export function parseChooseRule(
  choose: string,
  where = "search",
): { direction: "max" | "min"; metric: string } {
  const m = /^(max|min) mean ([A-Za-z0-9_.:/-]+)$/.exec(String(choose).trim());
  if (!m)
    throw new Error(
      `${where}: choose must read "max mean <metric>" or "min mean <metric>", got ${JSON.stringify(choose)}`,
    );
  return { direction: m[1] as "max" | "min", metric: m[2] };
}

function stagePreset(study: Study, preset: string): SearchPreset {
  const stage = study.search;
  if (!stage) throw new Error(`study '${study.name}' declares no search stage`);
  const p = stage.presets[preset];
  if (!p)
    throw new Error(
      `study '${study.name}': its search '${stage.name}' declares no preset '${preset}' (declared: ${Object.keys(stage.presets).join(", ")})`,
    );
  return p;
}

/** A search cell: one comparison cell at one value of one field. */
interface SearchCell extends StudyCell {
  label: string;
  target: string;
  field: string;
  value: number | string | boolean;
}

/** A cell's overrides with one field (by dotted name) set to a value. */
function withField(overrides: Overrides, field: string, value: unknown): Overrides {
  return mergeOverrides(overrides, expandDotted({ [field]: value } as ConfigFieldValues));
}

function cellsOf(cells: readonly StudyCell[], axes: readonly SearchAxis[]): SearchCell[] {
  return axes.flatMap((axis) =>
    cells
      .filter((c) => axis.cells.includes(c.label ?? ""))
      .flatMap((c) =>
        axis.values.map((value) => ({
          label: `${c.label} ${axis.field}=${String(value)}`,
          target: c.label ?? "",
          field: axis.field,
          value,
          overrides: withField(c.overrides, axis.field, value),
        })),
      ),
  );
}

/** The search's cells at a preset: every searched cell of the comparison there, at each value. */
function searchCells(study: Study, preset: string): SearchCell[] {
  const p = stagePreset(study, preset);
  return cellsOf(studyCells(study, preset), p.over ?? study.search?.over ?? []);
}

/**
 * The search stage as a study of its own (runs, experiment, archive lines, budget row): at each
 * declared preset, the comparison's preset budget with the search's budget over it, the searched
 * cells at each value, and the search's seed values.
 */
export function searchStudyOf(study: Study): Study {
  const stage = study.search;
  if (!stage) throw new Error(`study '${study.name}' declares no search stage`);
  const { metric } = parseChooseRule(stage.choose, `study '${study.name}': search`);
  const presets: Record<string, StudyPreset> = {};
  for (const [name, p] of Object.entries(stage.presets))
    presets[name] = {
      overrides: mergeOverrides(study.presets?.[name]?.overrides ?? {}, p.budget),
      cells: searchCells(study, name).map(({ label, overrides }) => ({ label, overrides })),
      seedValues: p.seeds,
    };
  return {
    name: stage.name,
    description: `The hyperparameter search before '${study.name}': ${stage.over.map((a) => `${a.field} in {${a.values.join(", ")}} for ${a.cells.join(", ")}`).join("; ")}; the comparison runs each cell at the value chosen by "${stage.choose}", with seeds disjoint from the search's.`,
    base: study.base,
    presets,
    cells: cellsOf(studyCells(study), stage.over).map(({ label, overrides }) => ({
      label,
      overrides,
    })),
    seeds: Math.max(1, ...Object.values(stage.presets).map((p) => p.seeds.length)),
    metrics: [metric],
    plot: { kind: "bars", metric },
  };
}

/**
 * Checks that the comparison's seeds at a preset (or with an explicit seed count) are fresh: none
 * is a search seed. Throws naming the study, the preset and the shared seeds.
 */
export function checkFreshSeeds(study: Study, preset: string, seeds?: number): void {
  const searchSeeds = new Set(stagePreset(study, preset).seeds);
  const plans = planStudy(study, seeds === undefined ? { preset } : { preset, seeds });
  const used = [...new Set(plans.map((p) => p.seed))];
  const shared = used.filter((s) => searchSeeds.has(s));
  if (shared.length)
    throw new Error(
      `study '${study.name}' at preset '${preset}': the comparison's seeds ${used.join(", ")} and its search '${study.search?.name ?? ""}''s seeds ${[...searchSeeds].join(", ")} share ${shared.join(", ")}: no run may both choose and test, so the search's seeds must be fresh`,
    );
}

/** Checks a study's search stage at every preset it declares; throws naming the field. */
export function validateSearch(study: Study): void {
  const stage = study.search;
  if (!stage) return;
  const where = `study '${study.name}': search`;
  if (typeof stage.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stage.name))
    throw new Error(`${where}.name must be letters, digits, '-', '_' or '.'`);
  if (stage.name === study.name) throw new Error(`${where}.name must differ from the study's`);
  parseChooseRule(stage.choose, where);
  const labels = new Set(
    [undefined, ...Object.keys(study.presets ?? {})].flatMap((p) =>
      studyCells(study, p).map((c) => c.label),
    ),
  );
  for (const [preset, p] of Object.entries(stage.presets)) {
    for (const axis of p.over ?? stage.over) {
      if (!axis.values.length) throw new Error(`${where}: field '${axis.field}' has no values`);
      const unknown = axis.cells.filter((c) => !labels.has(c));
      if (unknown.length)
        throw new Error(`${where} at preset '${preset}' names no cell '${unknown.join("', '")}'`);
    }
    checkFreshSeeds(study, preset);
  }
}

/** The ended run of a search cell and seed (a finished one wins over a failed one). */
function endedRun(runs: readonly SearchRun[], label: string, seed: number): SearchRun | undefined {
  const mine = runs.filter((r) => r.label === label && r.seed === seed);
  const done = (r: SearchRun): boolean =>
    r.status === undefined || r.status === "FINISHED" || r.status === "SKIPPED";
  return mine.find(done) ?? mine.find((r) => r.status === "FAILED");
}

function candidate(
  cell: SearchCell,
  seeds: readonly number[],
  runs: readonly SearchRun[],
  metric: string,
): SearchCandidate {
  const c: SearchCandidate = {
    value: cell.value,
    label: cell.label,
    finished: [],
    failed: [],
    missing: [],
    runIds: [],
    eligible: false,
  };
  const values: number[] = [];
  for (const seed of seeds) {
    const r = endedRun(runs, cell.label, seed);
    if (!r) c.missing.push(seed);
    else {
      if (r.runId) c.runIds.push(r.runId);
      const v = r.metrics[metric];
      if (r.status === "FAILED" || typeof v !== "number" || !Number.isFinite(v))
        c.failed.push(seed);
      else {
        c.finished.push(seed);
        values.push(v);
      }
    }
  }
  if (values.length) c.mean = values.reduce((a, b) => a + b, 0) / values.length;
  c.eligible = c.finished.length === seeds.length;
  return c;
}

/** The best eligible candidate under the rule; ties within 1e-12 go to the one declared first. */
function pick(
  candidates: readonly SearchCandidate[],
  direction: "max" | "min",
): { best?: SearchCandidate; tiedWith: SearchCandidate[] } {
  const sign = direction === "max" ? 1 : -1;
  let best: SearchCandidate | undefined;
  for (const c of candidates)
    if (c.eligible && (best === undefined || sign * ((c.mean ?? 0) - (best.mean ?? 0)) > TIE))
      best = c;
  const tiedWith = candidates.filter(
    (c) => c !== best && c.eligible && best && Math.abs((c.mean ?? 0) - (best.mean ?? 0)) <= TIE,
  );
  return { best, tiedWith };
}

/**
 * What the search's runs give at a preset, per searched cell, without refusing anything: the
 * findings README and the report show it (a value is undefined where none is eligible yet).
 */
export function searchStatus(
  study: Study,
  preset: string,
  runs: readonly SearchRun[],
): SearchChoice[] {
  const p = stagePreset(study, preset);
  const { direction, metric } = parseChooseRule(study.search?.choose ?? "", study.name);
  const cells = searchCells(study, preset);
  const targets = [...new Set(cells.map((c) => `${c.target}\u0000${c.field}`))];
  return targets.map((key) => {
    const [cell, field] = key.split("\u0000") as [string, string];
    const candidates = cells
      .filter((c) => c.target === cell && c.field === field)
      .map((c) => candidate(c, p.seeds, runs, metric));
    const { best, tiedWith } = pick(candidates, direction);
    return {
      cell,
      field,
      ...(best ? { value: best.value } : {}),
      rule: ruleText(study, preset),
      candidates,
      tiedWith: tiedWith.map((c) => c.value),
    };
  });
}

/**
 * The choice per searched cell, computed from the search's runs; throws {@link SearchNotFinished}
 * while a planned search run has not ended, and an error naming the cell when every value of
 * its field failed. `seeds`: the comparison's explicit seed count, where it has one.
 */
export function chooseSettings(
  study: Study,
  preset: string,
  runs: readonly SearchRun[],
  seeds?: number,
): SearchChoice[] {
  checkFreshSeeds(study, preset, seeds);
  const status = searchStatus(study, preset, runs);
  const missing = status.flatMap((s) =>
    s.candidates.flatMap((c) => c.missing.map((seed) => `${c.label}/seed${seed}`)),
  );
  if (missing.length) throw new SearchNotFinished(study.name, study.search?.name ?? "", missing);
  for (const s of status)
    if (s.value === undefined)
      throw new Error(
        `study '${study.name}': no value of ${s.field} for cell '${s.cell}' has all its search runs finished (${s.candidates.map((c) => `${String(c.value)}: failed seeds ${c.failed.join(", ")}`).join("; ")})`,
      );
  return status;
}

/**
 * The comparison at a preset, each searched cell at its chosen value (its label unchanged, so
 * claims and figures select it as before); the search stage itself is left out.
 */
export function applyChoices(
  study: Study,
  preset: string,
  choices: readonly SearchChoice[],
): Study {
  const cells = studyCells(study, preset).map((c) => {
    const mine = choices.filter((x) => x.cell === c.label && x.value !== undefined);
    const overrides = mine.reduce((o, x) => withField(o, x.field, x.value), c.overrides);
    return { label: c.label, overrides };
  });
  const { search: _search, ...rest } = study;
  return {
    ...rest,
    presets: { ...study.presets, [preset]: { ...study.presets?.[preset], cells } },
  };
}

/** The rule of a search stage in words, as its choices record it. */
export function ruleText(study: Study, preset: string): string {
  const { direction, metric } = parseChooseRule(study.search?.choose ?? "", study.name);
  return `${direction} mean ${metric} over seeds ${stagePreset(study, preset).seeds.join(", ")}; a value with a failed run is out; a tie goes to the value declared first`;
}

/** One line per searched cell: what each value gave and what was chosen, from which runs. */
export function searchLines(choices: readonly SearchChoice[]): string[] {
  const num = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(4));
  return choices.map((s) => {
    const tried = s.candidates
      .map(
        (c) =>
          `${String(c.value)}: ${num(c.mean)} (${c.finished.length} finished${c.failed.length ? `, ${c.failed.length} failed` : ""}${c.missing.length ? `, ${c.missing.length} not run` : ""})`,
      )
      .join("; ");
    const runs = s.candidates.find((c) => c.value === s.value)?.runIds ?? [];
    const chosen =
      s.value === undefined
        ? "no value chosen"
        : `chose ${String(s.value)}${s.tiedWith.length ? ` (tied with ${s.tiedWith.join(", ")})` : ""}${runs.length ? ` from runs ${runs.join(", ")}` : ""}`;
    return `${s.cell}, ${s.field}: ${tried}; ${chosen}`;
  });
}
