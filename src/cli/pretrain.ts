/**
 * `simclr pretrain`: one SimCLR pre-training run with evaluation, every config field settable as
 * a flag (`--loss.temperature 0.2` or a short alias such as `--temperature 0.2`), from a named
 * preset (`--preset tiny|small|paper`) and/or a JSON config file (`--config FILE.json`); later
 * sources win: preset < file < flags. `--json` prints the result as one JSON line (the last line
 * of stdout). A sweep's cells run through this module's other entry, {@link runCell}
 * (bin/simclr-cell.cjs): the config their study's plan resolved, validated once, not resolved
 * again. Tracking context comes from the environment
 * (MLFLOW_TRACKING_URI, SIMCLR_EXPERIMENT, SIMCLR_PARENT_RUN_ID, SIMCLR_CONFIG_HASH, SIMCLR_STUDY,
 * SIMCLR_RUN_NAME); SIMCLR_NO_DOWNLOAD=1 stops a missing CIFAR-10 from being downloaded.
 * Plugin files the config (or `--plugins`) names are loaded while the config is read, before it
 * is validated, so every executor running this command runs them.
 */
import type { Command } from "./main";
import { firstLine, parseCommandLine } from "./usage";
import type { PretrainConfig, PretrainConfigOverrides } from "../config/pretrain-config";
import { PRESETS, type PresetName } from "../config/presets";
import {
  configFieldDefaults,
  ConfigError,
  NULLABLE,
  pluginOptionDefault,
  readConfigFile,
  readResolvedConfig,
  resolveValidatedConfig,
  validateOverrides,
} from "../config/resolve";
import { pretrainRunIdentity } from "../train/run-identity";
import { killRunOnSignal, startRun } from "../track/logger";
import type { RunLogger } from "../track/types";
import { nullLogger } from "../track/types";
import { downloadAllowed } from "../data/paths";
import { configureFromEnv } from "../workbench/params";

/** Short flags for the most used fields. */
export const PRETRAIN_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  seed: "seed",
  mode: "mode",
  epochs: "train.epochs",
  "batch-size": "train.batchSize",
  "max-steps": "train.maxSteps",
  "checkpoint-dir": "train.checkpointDir",
  "checkpoint-every": "train.checkpointEverySteps",
  "knn-every": "train.knnEveryEpochs",
  lr: "optimizer.learningRate",
  optimizer: "optimizer.kind",
  "weight-decay": "optimizer.weightDecay",
  "warmup-epochs": "optimizer.warmupEpochs",
  temperature: "loss.temperature",
  loss: "loss.kind",
  arch: "encoder.arch",
  width: "encoder.widthMultiplier",
  head: "head.kind",
  dataset: "data.dataset",
  "data-dir": "data.dataDir",
  resolution: "data.resolution",
  "train-limit": "data.trainLimit",
  "test-limit": "data.testLimit",
  ops: "augment.ops",
  "color-strength": "augment.colorStrength",
  blur: "augment.blur",
  representation: "eval.representation",
});

/** A flag's raw text as a value of `kind` (a field's or option's type); throws naming the flag. */
function parseTyped(kind: string, raw: string, flag: string, path: string): unknown {
  if (kind === "number") {
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v))
      throw new ConfigError(`${flag}: expected a number, got '${raw}'`, path);
    return v;
  }
  if (kind === "boolean") {
    if (["true", "1", "yes"].includes(raw)) return true;
    if (["false", "0", "no"].includes(raw)) return false;
    throw new ConfigError(`${flag}: expected true or false, got '${raw}'`, path);
  }
  if (kind === "array")
    return raw
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== "");
  return raw;
}

/** Parses one flag value by the type of the field's default; throws ConfigError naming the flag. */
export function parseFlagValue(path: string, raw: string, flag = `--${path}`): unknown {
  const def = configFieldDefaults()[path];
  const nullable = NULLABLE[path];
  if (nullable && raw === "null") return null;
  const kind = Array.isArray(def) ? "array" : def === null ? nullable : typeof def;
  return parseTyped(kind, raw, flag, path);
}

/** Sets a dotted path in a nested overrides object. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let o = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== "object" || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
}

/** What the command line asks for. */
export interface PretrainInvocation {
  config: PretrainConfig;
  json: boolean;
  progress: boolean | null;
  track: boolean | null;
  /** --log-model / --no-log-model; null: SIMCLR_LOG_MODEL=0 turns it off, else on. */
  logModel: boolean | null;
  help: boolean;
}

const USAGE = `usage: simclr pretrain [--preset tiny|small|paper] [--config FILE.json] [--json] [flags]

Runs SimCLR pre-training, then linear evaluation, kNN and the random-init baseline.
Sources, later wins: paper defaults < --preset < --config file < flags.
Every config field is a flag by its dotted name, e.g. --loss.temperature 0.2 --train.batchSize 256
  --augment.ops crop,flip,color --optimizer.kind lars --eval.representation gh
Short flags: ${Object.entries(PRETRAIN_ALIASES)
  .map(([a, p]) => `--${a} (${p})`)
  .join(", ")}
Plugins: --plugins a.ts,b.ts (files relative to the project root, loaded before the config is
  validated; their names become valid values of augment.ops, loss.kind, head.kind, encoder.arch;
  their options are flags too: --augment.options.<op>.<option> 0.9, --loss.<option> 0.5,
  --head.<option>, --encoder.<option>).
Other: --json (one JSON line on stdout), --progress / --no-progress, --track / --no-track
  (default: track when MLFLOW_TRACKING_URI or SIMCLR_EXPERIMENT is set), --log-model /
  --no-log-model (the trained encoder as an MLflow logged model; default on, off when
  SIMCLR_LOG_MODEL=0, as a sweep's cells have it unless the study sets logModels), --help.`;

/** A flag that may set a plugin's option: `--augment.options.<op>.<key>`, `--loss.<key>`, ... */
const PLUGIN_OPTION_FLAG =
  /^--(augment\.options\.[A-Za-z][\w-]*\.[A-Za-z]\w*|(?:loss|head|encoder)\.[A-Za-z]\w*)(?:=(.*))?$/;

/**
 * Takes the plugin-option flags out of argv (their names are known only once the plugins are
 * loaded): returns the other arguments and each taken flag's path and raw value.
 */
function takePluginOptionFlags(
  argv: string[],
  known: ReadonlySet<string>,
): { rest: string[]; taken: [string, string][] } {
  const rest: string[] = [];
  const taken: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = PLUGIN_OPTION_FLAG.exec(argv[i]);
    if (!m || known.has(m[1])) rest.push(argv[i]);
    else if (m[2] !== undefined) taken.push([m[1], m[2]]);
    else if (i + 1 < argv.length) taken.push([m[1], argv[++i]]);
    else throw new ConfigError(`simclr pretrain: option '--${m[1]}' needs a value\n${USAGE}`, m[1]);
  }
  return { rest, taken };
}

/** A plugin option's flag value, parsed by the type of the option's default. */
function pluginFlagValue(path: string, raw: string): unknown {
  const def = pluginOptionDefault(path);
  if (def === undefined)
    throw new ConfigError(
      `--${path}: unknown option; no loaded plugin declares it (name the plugin file with --plugins or in --config)`,
      path,
    );
  return parseTyped(typeof def, raw, `--${path}`, path);
}

/** Parses the command line into a resolved config; throws ConfigError on bad input. */
export function parsePretrainArgs(args: string[]): PretrainInvocation {
  const fields = Object.keys(configFieldDefaults());
  const { rest: argv, taken } = takePluginOptionFlags(args, new Set(fields));
  const options: Record<string, { type: "string" | "boolean" }> = {
    preset: { type: "string" },
    config: { type: "string" },
    json: { type: "boolean" },
    progress: { type: "boolean" },
    "no-progress": { type: "boolean" },
    track: { type: "boolean" },
    "no-track": { type: "boolean" },
    "log-model": { type: "boolean" },
    "no-log-model": { type: "boolean" },
    help: { type: "boolean" },
    plugins: { type: "string" },
  };
  for (const f of fields) options[f] = { type: "string" };
  for (const a of Object.keys(PRETRAIN_ALIASES)) options[a] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseCommandLine({ args: argv, options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new ConfigError(`simclr pretrain: ${(e as Error).message}\n${USAGE}`);
  }
  const flags: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    if (typeof raw !== "string" || name === "preset" || name === "config") continue;
    if (name === "plugins") {
      flags.plugins = raw
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");
      continue;
    }
    const path = PRETRAIN_ALIASES[name] ?? name;
    setPath(flags, path, parseFlagValue(path, raw, `--${name}`));
  }
  const presetFlag = values.preset as string | undefined;
  if (presetFlag !== undefined && presetFlag !== "default" && !(presetFlag in PRESETS)) {
    throw new ConfigError(
      `--preset: unknown preset '${presetFlag}'; expected one of ${Object.keys(PRESETS).join(", ")}`,
      "preset",
    );
  }
  let preset = (presetFlag ?? "default") as PresetName | "default";
  const layers: PretrainConfigOverrides[] = [];
  if (typeof values.config === "string") {
    const f = readConfigFile(values.config);
    if (presetFlag === undefined && f.preset) preset = f.preset;
    layers.push(f.overrides);
  }
  if (taken.length) {
    // the plugins first (theirs are the option types), then every config field and option
    validateOverrides({ plugins: flags.plugins ?? [] }, "command line");
    for (const [path, raw] of taken) setPath(flags, path, pluginFlagValue(path, raw));
  }
  validateOverrides(flags, "command line");
  layers.push(flags as PretrainConfigOverrides);
  // the file and the flags were validated above: merged without validating them again
  const config = resolveValidatedConfig(preset, ...layers);
  const tri = (on: string, off: string): boolean | null =>
    values[on] ? true : values[off] ? false : null;
  return {
    config,
    json: values.json === true,
    progress: tri("progress", "no-progress"),
    track: tri("track", "no-track"),
    logModel: tri("log-model", "no-log-model"),
    help: values.help === true,
  };
}

/** Opens a tracked run when asked or when the environment names a tracking context. */
async function openLogger(config: PretrainConfig, track: boolean | null): Promise<RunLogger> {
  const env = process.env;
  const wanted =
    track ?? Boolean(env.MLFLOW_TRACKING_URI || env.SIMCLR_EXPERIMENT || env.SIMCLR_PARENT_RUN_ID);
  if (!wanted) return nullLogger;
  const id = pretrainRunIdentity(config);
  const logger = await startRun({
    runName: env.SIMCLR_RUN_NAME || id.runName,
    tags: { ...id.tags, "simclr.config_hash": env.SIMCLR_CONFIG_HASH || id.hash },
  });
  killRunOnSignal(logger);
  return logger;
}

/** The `--json` object of a result. */
export function resultJson(r: import("../train/pretrain").PretrainResult): Record<string, unknown> {
  const { backend, ...rest } = r;
  return { ...rest, run_id: r.run_id ?? null, backend: backend.backend, backend_info: backend };
}

/** How {@link runResolved} reports: a JSON line, progress, tracking (null: from the environment). */
type Report = Pick<PretrainInvocation, "json" | "progress" | "track"> &
  Partial<Pick<PretrainInvocation, "logModel">>;

/**
 * Runs a resolved config and reports its result (or failure): the common end of `simclr pretrain`
 * and of a sweep cell ({@link runCell}). Returns the exit code.
 */
async function runResolved(config: PretrainConfig, report: Report): Promise<number> {
  // Loaded lazily: TensorFlow is only loaded when a run starts.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pretrain } = require("../train/pretrain") as typeof import("../train/pretrain");
  const logger = await openLogger(config, report.track);
  try {
    const progress =
      report.progress === false ? false : report.progress ? { mode: "terminal" as const } : {};
    const r = await pretrain(config, {
      logger,
      progress,
      onEval: (p) =>
        process.stderr.write(
          `\n[simclr] kNN monitor: epoch ${p.epoch + 1}, step ${p.step}, ${p.trainS.toFixed(1)} s training, ` +
            `kNN ${(100 * p.knnAcc).toFixed(1)}%\n`,
        ),
      configHash: process.env.SIMCLR_CONFIG_HASH || undefined,
      // a sweep's cells have SIMCLR_LOG_MODEL=0 unless the study logs models (src/sweep/cell.ts)
      logModel: report.logModel ?? process.env.SIMCLR_LOG_MODEL !== "0",
      // a sweep's cells share one folder of random-init baselines (src/eval/baseline-cache.ts)
      ...(process.env.SIMCLR_BASELINE_CACHE
        ? { baselineCache: process.env.SIMCLR_BASELINE_CACHE }
        : {}),
      download: downloadAllowed(process.env),
    });
    if (report.json) console.log(JSON.stringify(resultJson(r)));
    else console.log(resultText(r));
    return 0;
  } catch (e) {
    return reportFailure(e, report.json, logger.runId);
  }
}

/** The human-readable summary of a result. */
function resultText(r: import("../train/pretrain").PretrainResult): string {
  const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
  return [
    `run ${r.run_id ?? "(not tracked)"}  backend ${r.backend.backend}  preset ${r.config.preset}  config ${r.config_hash}`,
    `trained ${r.steps} steps in ${r.train_s.toFixed(1)} s (${r.views_per_s.toFixed(0)} views/s), final loss ${r.final_loss.toFixed(3)}`,
    `linear eval ${pct(r.linear_acc)}  kNN ${pct(r.knn_acc)}  | random init: linear ${pct(r.random_init_linear_acc)}  kNN ${pct(r.random_init_knn_acc)}` +
      (r.supervised_acc !== undefined ? `  | supervised ${pct(r.supervised_acc)}` : ""),
    `evaluation ${r.eval_s.toFixed(1)} s`,
  ].join("\n");
}

/** Prints a failed run's error (and with `json` its JSON line); returns exit code 1. */
function reportFailure(e: unknown, json: boolean, runId?: string | null): number {
  const message = e instanceof Error ? e.message : String(e);
  console.error(`simclr pretrain: ${message}`);
  if (json) {
    const diverged = e instanceof Error && e.name === "DivergenceError";
    // a plugin's load failure, a broken contract or a bad config fails the same way again: a sweep does not retry it
    const deterministic =
      e instanceof Error && (e.name === "PluginError" || e.name === "ConfigError");
    console.log(
      JSON.stringify({
        status: "FAILED",
        error: message,
        diverged,
        deterministic,
        run_id: runId ?? null,
      }),
    );
  }
  return 1;
}

export const command: Command = {
  summary: "pre-train with SimCLR and evaluate (linear, kNN, random-init baseline)",
  async run(argv) {
    let inv: PretrainInvocation;
    try {
      inv = parsePretrainArgs(argv);
    } catch (e) {
      const line = firstLine(e).replace(/^simclr pretrain: /, "");
      console.error(`simclr pretrain: ${line} (simclr pretrain --help)`);
      return 2;
    }
    if (inv.help) {
      console.log(USAGE);
      return 0;
    }
    return runResolved(inv.config, inv);
  },
};

const CELL_USAGE = "usage: simclr-cell --config RESOLVED.json [--json]";

/**
 * A sweep cell's entry (bin/simclr-cell.cjs, what every executor runs): `--config FILE` names
 * the config the study's plan resolved (src/grid/study-grid.ts), which is read and validated once
 * (it crossed a process boundary: readResolvedConfig) and run as it is, without presets, flags or
 * resolving it again. Prints the result as one JSON line, like `simclr pretrain --json`; a config
 * that fails validation is a deterministic failure (exit 1, not retried). Usage errors exit 2.
 */
export async function runCell(argv: string[]): Promise<number> {
  // An entry point like cli/main: it hands its environment (TF threads, backend, tracking, data) to the toolkit.
  configureFromEnv(process.env);
  let file: string;
  try {
    const { values } = parseCommandLine({
      args: argv,
      options: { config: { type: "string" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    if (typeof values.config !== "string") throw new Error("--config FILE is required");
    file = values.config;
  } catch (e) {
    console.error(`simclr-cell: ${firstLine(e)}\n${CELL_USAGE}`);
    return 2;
  }
  let config: PretrainConfig;
  try {
    config = readResolvedConfig(file);
  } catch (e) {
    return reportFailure(e, true);
  }
  return runResolved(config, { json: true, progress: null, track: null });
}
