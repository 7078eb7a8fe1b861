/**
 * One tracked pre-training run, the call a notebook makes: resolves the config from a preset and
 * overrides, opens an MLflow run (the tracking server from MLFLOW_TRACKING_URI, else the project's
 * local one), pre-trains and evaluates (src/train/pretrain.ts), and finishes the run FINISHED or
 * FAILED with the reason.
 */
import { resolveConfig } from "../config/resolve";
import type { PresetName } from "../config/presets";
import type { PretrainConfigOverrides } from "../config/pretrain-config";
import { startRun } from "../track/logger";
import { pretrain, type PretrainOptions, type PretrainResult } from "../train/pretrain";
import { pretrainRunIdentity } from "../train/run-identity";
import { notebookSourceFromEnv } from "./params";

/** Options for {@link runPretrain}. */
export interface RunPretrainOptions {
  /** Preset the config starts from. */
  preset: PresetName;
  /** Config overrides on top of the preset (nested partials). */
  overrides: PretrainConfigOverrides;
  /** MLflow experiment. */
  experiment: string;
  /** mlflow.runName; default "<preset>-<mode>-<hash>". */
  runName?: string;
  /** Extra pre-training options (onStep, onEval, dataset, signal, progress). */
  pretrain?: Partial<Omit<PretrainOptions, "logger">>;
}

/** Defaults for {@link RunPretrainOptions}. */
export const RUN_PRETRAIN_DEFAULTS: Readonly<Omit<RunPretrainOptions, "preset">> = Object.freeze({
  overrides: {},
  experiment: "quickstart",
});

/** Runs one tracked SimCLR pre-training and evaluation; returns its result (with `run_id`). */
export async function runPretrain(
  options: Partial<RunPretrainOptions> & { preset: PresetName },
): Promise<PretrainResult> {
  const o: RunPretrainOptions = { ...RUN_PRETRAIN_DEFAULTS, ...options };
  const config = resolveConfig(o.preset, o.overrides);
  const id = pretrainRunIdentity(config);
  const logger = await startRun({
    experiment: o.experiment,
    runName: o.runName ?? id.runName,
    tags: id.tags,
    source: notebookSourceFromEnv(),
    useEnv: false,
  });
  return pretrain(config, { ...o.pretrain, logger, configHash: id.hash });
}
