/**
 * Builds a complete run config from the defaults, a preset and overrides (a JSON file, flags), and
 * validates it: every unknown field, wrong type or out-of-range value is reported by its dotted path.
 */
import * as fs from "node:fs";
import {
  DEFAULT_CONFIG,
  type PretrainConfig,
  type PretrainConfigOverrides,
} from "./pretrain-config";
import { PRESETS, type PresetName } from "./presets";
import { AUGMENT_NAMES } from "../augment/compose";

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

/** Allowed values of the enumerated fields, by dotted path. */
const ENUMS: Record<string, readonly (string | null)[]> = {
  mode: ["simclr", "supervised"],
  "encoder.arch": ["convnet", "resnet18", "resnet34", "resnet50"],
  "encoder.stem": ["cifar", "imagenet"],
  "head.kind": ["none", "linear", "nonlinear"],
  "loss.kind": ["ntxent", "ntlogistic", "margin"],
  "optimizer.kind": ["lars", "sgd", "nesterov", "adam"],
  "optimizer.lrScaling": ["linear", "sqrt"],
  "eval.representation": ["h", "gh"],
};

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
const NULLABLE: Record<string, "string" | "number"> = {
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
  const walk = (o: Record<string, unknown>, ref: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const path = prefix ? `${prefix}.${k}` : k;
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
        const bad =
          path === "augment.ops"
            ? v.find((x) => !(AUGMENT_NAMES as readonly string[]).includes(x))
            : undefined;
        if (bad !== undefined) {
          throw new ConfigError(
            `${source}: '${path}' has unknown operation ${describe(bad)}; expected names from ${AUGMENT_NAMES.join(", ")}`,
            path,
          );
        }
      } else if (typeOf(v) !== want) {
        throw new ConfigError(`${source}: '${path}' must be a ${want}, got ${describe(v)}`, path);
      }
      const allowed = ENUMS[path];
      if (allowed && !allowed.includes(v as string)) {
        throw new ConfigError(
          `${source}: '${path}' is ${describe(v)}; expected one of ${allowed.map((a) => describe(a)).join(", ")}`,
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
  walk(
    overrides as Record<string, unknown>,
    DEFAULT_CONFIG as unknown as Record<string, unknown>,
    "",
  );
}

function mergeInto(base: PretrainConfig, over: PretrainConfigOverrides): PretrainConfig {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
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
 * The complete config: paper defaults, then the preset, then each override in order (later wins).
 * Validates every layer; throws ConfigError naming the bad field.
 */
export function resolveConfig(
  preset: PresetName | "default" = "default",
  ...overrides: PretrainConfigOverrides[]
): PretrainConfig {
  if (preset !== "default" && !(preset in PRESETS)) {
    throw new ConfigError(
      `unknown preset ${describe(preset)}; expected one of ${Object.keys(PRESETS).join(", ")}`,
      "preset",
    );
  }
  let cfg = mergeInto(structuredClone(DEFAULT_CONFIG) as PretrainConfig, { preset });
  if (preset !== "default") cfg = mergeInto(cfg, PRESETS[preset]);
  overrides.forEach((o, i) => {
    validateOverrides(o, overrides.length > 1 ? `overrides[${i}]` : "overrides");
    cfg = mergeInto(cfg, o);
  });
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
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
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

/** Reads a JSON config file and resolves it (its preset, its fields, then `overrides`). */
export function loadConfigFile(
  file: string,
  ...overrides: PretrainConfigOverrides[]
): PretrainConfig {
  const f = readConfigFile(file);
  return resolveConfig(f.preset ?? "default", f.overrides, ...overrides);
}

/** Flattens a config to dotted keys for MLflow params (arrays joined with ","). */
export function flattenConfig(cfg: PretrainConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const walk = (o: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (Array.isArray(v)) out[p] = v.join(",");
      else if (v !== null && typeof v === "object") walk(v as Record<string, unknown>, p);
      else out[p] = v === null ? "null" : (v as string | number | boolean);
    }
  };
  walk(cfg as unknown as Record<string, unknown>, "");
  return out;
}
