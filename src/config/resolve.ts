/**
 * Builds a complete run config from the defaults, a preset and overrides (a JSON file, flags), and
 * validates it: every unknown field, wrong type or out-of-range value is reported by its dotted path.
 * A layer's `plugins` are loaded before it is validated, since the names they register are valid
 * values of augment.ops, loss.kind, head.kind and encoder.arch.
 */
import * as fs from "node:fs";
import { ENCODER_STEMS } from "../models/encoder";
import { OPTIMIZER_KINDS } from "../optim/optimizer";
import { LR_SCALINGS } from "../optim/schedule";
import {
  DEFAULT_CONFIG,
  MODES,
  REPRESENTATIONS,
  PROBE_DATA,
  type PretrainConfig,
  type PretrainConfigOverrides,
} from "./pretrain-config";
import { PRESETS, type PresetName } from "./presets";
import { flattenFields, paramValue, type FlatLeaf } from "../util/flatten";
import { builtinNames, loadPlugins } from "../plugins/load";
import { findPart, pluginNames } from "../plugins/registry";
import { PRECISIONS } from "../backend/bf16";
import type { PartKind, PluginRef } from "../plugins/types";

/** A config that failed validation; `field` is the dotted path of the first bad field. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Allowed values of the enumerated fields, by dotted path (each list from its module). */
const ENUMS: Record<string, readonly (string | null)[]> = {
  mode: MODES,
  "encoder.stem": ENCODER_STEMS,
  "optimizer.kind": OPTIMIZER_KINDS,
  "optimizer.lrScaling": LR_SCALINGS,
  "eval.representation": REPRESENTATIONS,
  "eval.probeData": PROBE_DATA,
  "train.precision": PRECISIONS,
};

/** Fields whose values are the built-in names of a part kind plus those of loaded plugins. */
const PLUGGABLE: Record<string, PartKind> = {
  "augment.ops": "augmentations",
  "encoder.arch": "encoders",
  "head.kind": "heads",
  "loss.kind": "losses",
};

function allowedNames(path: string): readonly (string | null)[] | undefined {
  const kind = PLUGGABLE[path];
  return kind ? [...builtinNames(kind), ...pluginNames(kind)] : ENUMS[path];
}

const PLUGIN_HINT = " (a part of your own: name its plugin file in `plugins`)";

/** Config sections that name a model part, the kind of part and the field that names it. */
const PART_SECTIONS: Record<string, { kind: PartKind; field: string }> = {
  loss: { kind: "losses", field: "kind" },
  head: { kind: "heads", field: "kind" },
  encoder: { kind: "encoders", field: "arch" },
};

/** The default of a plugin part's own option `section.key` (any loaded part of that kind), or undefined. */
function partOption(section: string, key: string): { value: unknown; from: string } | undefined {
  const { kind } = PART_SECTIONS[section];
  for (const name of pluginNames(kind)) {
    const found = findPart(kind, name);
    const d = found?.part.defaults as Record<string, unknown> | undefined;
    if (d && key in d) return { value: d[key], from: `${name} (plugin ${found?.from.path})` };
  }
  return undefined;
}

/**
 * The default of the plugin option a dotted path names (`augment.options.<op>.<key>`,
 * `loss.<key>`, `head.<key>`, `encoder.<key>`) among the loaded plugins, or undefined when none
 * declares it (the CLI parses a flag's value by this default's type).
 */
export function pluginOptionDefault(path: string): unknown {
  const m = /^augment\.options\.([^.]+)\.([^.]+)$/.exec(path);
  if (m) return (findPart("augmentations", m[1])?.part.defaults ?? {})[m[2]];
  const [section, key, ...rest] = path.split(".");
  return section in PART_SECTIONS && key && !rest.length
    ? partOption(section, key)?.value
    : undefined;
}

/**
 * The part sections of a merged config: a plugin part's own options over its defaults (so the
 * config records and logs every one); an option no chosen part has is an error.
 */
function applyPartOptions(cfg: PretrainConfig): void {
  const sections = cfg as unknown as Record<string, Record<string, unknown>>;
  const defaults = DEFAULT_CONFIG as unknown as Record<string, Record<string, unknown>>;
  for (const [section, { kind, field }] of Object.entries(PART_SECTIONS)) {
    const name = String(sections[section][field]);
    const own = (findPart(kind, name)?.part.defaults ?? {}) as Record<string, unknown>;
    const missing = Object.entries(own).filter(([k]) => !(k in sections[section]));
    const merged = { ...sections[section], ...Object.fromEntries(missing) };
    for (const k of Object.keys(merged))
      if (!(k in defaults[section]) && !(k in own))
        throw new ConfigError(
          `'${section}.${k}' is not an option of ${section} ${field} '${name}'; its own options: ${Object.keys(own).join(", ") || "(none)"}`,
          `${section}.${k}`,
        );
    sections[section] = merged;
  }
}

/** Checks the shape of a layer's `plugins` list; throws naming the source and entry. */
function pluginSpecs(v: unknown, source: string): (string | PluginRef)[] {
  const ok = (x: unknown): boolean =>
    typeof x === "string" ||
    (typeOf(x) === "object" &&
      typeof (x as PluginRef).path === "string" &&
      typeof (x as PluginRef).sha256 === "string" &&
      Object.keys(x as object).length === 2);
  if (!Array.isArray(v) || !v.every(ok))
    throw new ConfigError(
      `${source}: 'plugins' must be an array of plugin file paths (relative to the project root, or absolute) or {path, sha256} objects, got ${describe(v)}`,
      "plugins",
    );
  return v as (string | PluginRef)[];
}

/** Loads plugins named by a config layer; load failures become ConfigErrors naming the source. */
function loadLayerPlugins(specs: readonly (string | PluginRef)[], source: string): PluginRef[] {
  try {
    return loadPlugins(specs);
  } catch (e) {
    throw new ConfigError(`${source}: ${(e as Error).message}`, "plugins");
  }
}

/** `augment.options`: plugin augmentation name -> options of the types of its defaults. */
function checkAugmentOptions(v: unknown, source: string): void {
  const path = "augment.options";
  if (typeOf(v) !== "object")
    throw new ConfigError(`${source}: '${path}' must be an object, got ${describe(v)}`, path);
  for (const [op, opts] of Object.entries(v as Record<string, unknown>)) {
    const found = findPart("augmentations", op);
    if (!found)
      throw new ConfigError(
        `${source}: '${path}.${op}': no loaded plugin augmentation is named '${op}'; plugin augmentations: ${pluginNames("augmentations").join(", ") || "(none loaded)"}${PLUGIN_HINT}`,
        `${path}.${op}`,
      );
    const defaults = found.part.defaults ?? {};
    if (typeOf(opts) !== "object")
      throw new ConfigError(
        `${source}: '${path}.${op}' must be an object, got ${describe(opts)}`,
        `${path}.${op}`,
      );
    for (const [k, x] of Object.entries(opts as Record<string, unknown>)) {
      const f = `${path}.${op}.${k}`;
      if (!(k in defaults))
        throw new ConfigError(
          `${source}: unknown option '${f}'; options of '${op}' (plugin ${found.from.path}): ${Object.keys(defaults).join(", ") || "(none)"}`,
          f,
        );
      if (typeof x !== typeof defaults[k])
        throw new ConfigError(
          `${source}: '${f}' must be a ${typeof defaults[k]}, got ${describe(x)}`,
          f,
        );
    }
  }
}

/**
 * Every plugin part a resolved config uses must come from a file its `plugins` lists, so the
 * config hash covers that code (a part loaded earlier in the same notebook is not enough).
 */
function checkPluginsListed(cfg: PretrainConfig): void {
  const listed = new Set((cfg.plugins ?? []).map((p) => p.path));
  const used: [string, PartKind, string][] = [
    ...cfg.augment.ops.map((op): [string, PartKind, string] => [
      "augment.ops",
      "augmentations",
      op,
    ]),
    ["loss.kind", "losses", cfg.loss.kind],
    ["head.kind", "heads", cfg.head.kind],
    ["encoder.arch", "encoders", cfg.encoder.arch],
  ];
  for (const [field, kind, name] of used) {
    const found = findPart(kind, name); // plugin names never equal built-in ones
    if (found && !listed.has(found.from.path))
      throw new ConfigError(
        `'${field}' uses '${name}' of plugin ${found.from.path}, which the config's 'plugins' does not list; add "${found.from.path}" to 'plugins' so the config hash covers its code`,
        field,
      );
  }
}

/**
 * Fields whose values are a fixed set of mixed types (checked instead of the default's type).
 * `eval.transformProbe` stays `false` by default so adding the probe kinds changed no config hash.
 */
const CHOICES: Record<string, readonly unknown[]> = {
  "eval.transformProbe": [false, "linear", "mlp"],
};

/** Fields that must be integers >= the given minimum. */
const INTEGERS: Record<string, number> = {
  seed: 0,
  "data.trainLimit": 0,
  "data.testLimit": 0,
  "data.resolution": 8,
  "data.prefetch": 0,
  "head.layers": 1,
  "head.hiddenDim": 0,
  "head.outDim": 1,
  "train.batchSize": 2,
  "train.maxSteps": 0,
  "train.checkpointEverySteps": 0,
  "train.knnMonitorTrain": 0,
  "train.knnMonitorTest": 0,
  "eval.linearEpochs": 0,
  "eval.linearBatchSize": 1,
  "eval.knnK": 1,
};

/** Fields that must be > 0. */
const POSITIVE = [
  "encoder.widthMultiplier",
  "loss.temperature",
  "train.epochs",
  "eval.knnTemperature",
  "eval.linearLearningRate",
];

/** Fields that must be >= 0. */
const NON_NEGATIVE = [
  "optimizer.weightDecay",
  "optimizer.momentum",
  "optimizer.trustCoefficient",
  "optimizer.beta1",
  "optimizer.beta2",
  "optimizer.epsilon",
  "optimizer.warmupEpochs",
  "augment.colorStrength",
  "train.knnEveryEpochs",
  "eval.linearWeightDecay",
  "loss.margin",
];

/** Fields whose default is null but that accept a value of this type. */
export const NULLABLE: Record<string, "string" | "number"> = {
  "data.dataDir": "string",
  "train.checkpointDir": "string",
  "optimizer.learningRate": "number",
  "optimizer.baseLearningRate": "number",
};

function describe(v: unknown): string {
  return v === undefined ? "undefined" : JSON.stringify(v);
}

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * Checks that `overrides` only names known fields with values of the right type. Throws a
 * ConfigError naming the dotted path, the value and what was expected. `source` prefixes messages.
 */
export function validateOverrides(overrides: unknown, source = "config"): void {
  if (typeOf(overrides) !== "object") {
    throw new ConfigError(`${source}: expected a JSON object, got ${typeOf(overrides)}`);
  }
  const { plugins, ...fields } = overrides as Record<string, unknown>;
  if (plugins !== undefined) loadLayerPlugins(pluginSpecs(plugins, source), source);
  const walk = (o: Record<string, unknown>, ref: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (path === "augment.options") {
        checkAugmentOptions(v, source);
        continue;
      }
      const own = !(k in ref) && prefix in PART_SECTIONS ? partOption(prefix, k) : undefined;
      if (own) {
        if (typeof v !== typeof own.value)
          throw new ConfigError(
            `${source}: '${path}' must be a ${typeof own.value} (an option of ${prefix} ${own.from}), got ${describe(v)}`,
            path,
          );
        continue;
      }
      if (!(k in ref)) {
        const known = Object.keys(ref).join(", ");
        throw new ConfigError(
          `${source}: unknown field '${path}'; known fields here: ${known}`,
          path,
        );
      }
      const def = ref[k];
      const want = typeOf(def);
      if (want === "object") {
        if (typeOf(v) !== "object") {
          throw new ConfigError(`${source}: '${path}' must be an object, got ${describe(v)}`, path);
        }
        walk(v as Record<string, unknown>, def as Record<string, unknown>, path);
        continue;
      }
      const choices = CHOICES[path];
      const nullable = NULLABLE[path];
      if (choices) {
        if (!choices.includes(v))
          throw new ConfigError(
            `${source}: '${path}' is ${describe(v)}; expected one of ${choices.map((a) => describe(a)).join(", ")}`,
            path,
          );
      } else if (nullable) {
        if (v !== null && typeof v !== nullable) {
          throw new ConfigError(
            `${source}: '${path}' must be a ${nullable} or null, got ${describe(v)}`,
            path,
          );
        }
      } else if (want === "array") {
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
          throw new ConfigError(
            `${source}: '${path}' must be an array of strings, got ${describe(v)}`,
            path,
          );
        }
        const names = path === "augment.ops" ? (allowedNames(path) as string[]) : undefined;
        const bad = names ? v.find((x) => !names.includes(x)) : undefined;
        if (bad !== undefined) {
          throw new ConfigError(
            `${source}: '${path}' has unknown operation ${describe(bad)}; expected names from ${(names ?? []).join(", ")}${PLUGIN_HINT}`,
            path,
          );
        }
      } else if (typeOf(v) !== want) {
        throw new ConfigError(`${source}: '${path}' must be a ${want}, got ${describe(v)}`, path);
      }
      const allowed = path === "augment.ops" ? undefined : allowedNames(path);
      if (allowed && !allowed.includes(v as string)) {
        throw new ConfigError(
          `${source}: '${path}' is ${describe(v)}; expected one of ${allowed.map((a) => describe(a)).join(", ")}${path in PLUGGABLE ? PLUGIN_HINT : ""}`,
          path,
        );
      }
      if (typeof v === "number") {
        if (!Number.isFinite(v))
          throw new ConfigError(`${source}: '${path}' must be finite, got ${v}`, path);
        if (path in INTEGERS && (!Number.isInteger(v) || v < INTEGERS[path])) {
          throw new ConfigError(
            `${source}: '${path}' must be an integer >= ${INTEGERS[path]}, got ${v}`,
            path,
          );
        }
        if (POSITIVE.includes(path) && !(v > 0)) {
          throw new ConfigError(`${source}: '${path}' must be > 0, got ${v}`, path);
        }
        if (NON_NEGATIVE.includes(path) && v < 0) {
          throw new ConfigError(`${source}: '${path}' must be >= 0, got ${v}`, path);
        }
      }
    }
  };
  walk(fields, DEFAULT_CONFIG as unknown as Record<string, unknown>, "");
}

function mergeInto(base: PretrainConfig, over: PretrainConfigOverrides): PretrainConfig {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined || k === "plugins") continue; // plugins: resolved by resolveConfig
    const cur = out[k];
    out[k] =
      typeOf(cur) === "object" && typeOf(v) === "object"
        ? {
            ...(cur as object),
            ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)),
          }
        : Array.isArray(v)
          ? [...v]
          : v;
  }
  return out as unknown as PretrainConfig;
}

/**
 * The complete config: paper defaults, then the preset ("default" or a {@link PresetName}, checked
 * here, so a study's preset string passes as it is), then each override in order (later wins).
 * Validates every layer; throws ConfigError naming the bad field.
 */
export function resolveConfig(
  preset: string = "default",
  ...overrides: PretrainConfigOverrides[]
): PretrainConfig {
  return mergeLayers(preset, overrides, true);
}

/**
 * {@link resolveConfig} for layers validated already in this process (a config file read with
 * readConfigFile, flags checked by validateOverrides): merges them without validating again.
 */
export function resolveValidatedConfig(
  preset: PresetName | "default",
  ...overrides: PretrainConfigOverrides[]
): PretrainConfig {
  return mergeLayers(preset, overrides, false);
}

function isPresetName(name: string): name is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

function mergeLayers(
  preset: string,
  overrides: readonly PretrainConfigOverrides[],
  validate: boolean,
): PretrainConfig {
  if (preset !== "default" && !isPresetName(preset)) {
    throw new ConfigError(
      `unknown preset ${describe(preset)}; expected one of ${Object.keys(PRESETS).join(", ")}`,
      "preset",
    );
  }
  let cfg = mergeInto(structuredClone(DEFAULT_CONFIG) as PretrainConfig, { preset });
  if (isPresetName(preset)) cfg = mergeInto(cfg, PRESETS[preset]);
  const source = (i: number): string => (overrides.length > 1 ? `overrides[${i}]` : "overrides");
  // Every layer's plugins first (a name one layer uses may come from another's plugin), in order.
  const specs = overrides.flatMap((o, i) =>
    o && typeOf(o) === "object" && o.plugins !== undefined ? pluginSpecs(o.plugins, source(i)) : [],
  );
  const plugins = loadLayerPlugins(specs, "plugins");
  overrides.forEach((o, i) => {
    if (validate) validateOverrides(o, source(i));
    cfg = mergeInto(cfg, o);
  });
  if (plugins.length) cfg.plugins = plugins;
  checkPluginsListed(cfg);
  applyPartOptions(cfg);
  return cfg;
}

/** A config file's content: its base preset and its validated overrides. */
export interface ConfigFile {
  preset?: PresetName | "default";
  overrides: PretrainConfigOverrides;
}

/**
 * Reads and validates a JSON config file: a full or partial config (fields as in PretrainConfig),
 * optionally naming its base "preset". Errors name the file and the bad field.
 */
export function readConfigFile(file: string): ConfigFile {
  const parsed = readJsonFile(file);
  validateOverrides(parsed, file);
  const { preset, ...rest } = parsed as PretrainConfigOverrides & { preset?: string };
  if (preset !== undefined && preset !== "default" && !(preset in PRESETS)) {
    throw new ConfigError(
      `${file}: 'preset' is ${describe(preset)}; expected one of default, ${Object.keys(PRESETS).join(", ")}`,
      "preset",
    );
  }
  return { preset: preset as PresetName | "default" | undefined, overrides: rest };
}

/**
 * Reads a resolved config (a sweep cell's, written by the cell step from the config the study's
 * plan resolved) and validates it once, since it crossed a process boundary: every field present
 * with a valid value, its plugins loaded with the content it was resolved with (sha256), every
 * plugin part it uses listed. It is not resolved again: no preset, no defaults, no re-merge, so
 * the child runs exactly the config the sweep hashed. Errors name the file and the field.
 */
export function readResolvedConfig(file: string): PretrainConfig {
  const parsed = readJsonFile(file);
  validateOverrides(parsed, file);
  const flat = flattenFields(parsed as object);
  for (const field of Object.keys(configFieldDefaults())) {
    if (!(field in flat))
      throw new ConfigError(
        `${file}: '${field}' is missing; a resolved config names every field (resolve it with resolveConfig)`,
        field,
      );
  }
  const cfg = parsed as PretrainConfig; // every field present and valid (checked above)
  checkPluginsListed(cfg);
  return cfg;
}

/** Reads a JSON file; errors name it. */
function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads a JSON config file and resolves it (its preset, its fields, then `overrides`). */
export function loadConfigFile(
  file: string,
  ...overrides: PretrainConfigOverrides[]
): PretrainConfig {
  const f = readConfigFile(file); // validates the file's layer
  overrides.forEach((o, i) => validateOverrides(o, `overrides[${i}]`));
  return resolveValidatedConfig(f.preset ?? "default", f.overrides, ...overrides);
}

/**
 * Flattens a config to dotted keys for MLflow params (arrays of values joined with ","; arrays of
 * objects, the plugins, by index: `plugins.0.path`, `plugins.0.sha256`), with util/flatten.ts,
 * the one flattener.
 */
export function flattenConfig(cfg: PretrainConfig): Record<string, string | number | boolean> {
  const flat = flattenFields(cfg);
  return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, paramValue(v)]));
}

/** Every config field by dotted key with its default (the CLI's flags). */
export function configFieldDefaults(): Readonly<Record<string, FlatLeaf>> {
  return flattenFields(DEFAULT_CONFIG);
}
