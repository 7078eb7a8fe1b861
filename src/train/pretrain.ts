/**
 * SimCLR pre-training (Algorithm 1 of the paper): for each mini-batch draw two augmented views of
 * every image, encode both with one pass through the encoder (global batch norm over the 2N views,
 * section 2.2), project with g, take the contrastive loss and one optimiser step; then evaluate the
 * frozen encoder (linear evaluation, kNN) beside the same encoder with random weights.
 */
import { initBackend, type BackendInfo } from "../backend";
import type { PretrainConfig } from "../config/pretrain-config";
import { flattenConfig } from "../config/resolve";
import { cpuRecord } from "../track/cpu";
import { configHash } from "../track/hash";
import { datasetInput } from "../track/dataset-input";
import { loadDataset } from "../data/load";
import type { Dataset } from "../data/types";
import { nullLogger, type RunLogger } from "../track/types";
import {
  evaluateRepresentations,
  type EvaluatedModel,
  type EvaluationResult,
} from "../eval/evaluate";
import { DivergenceError } from "./divergence";
import type { EvalPoint, StepMetrics } from "./metrics";
import { createProgress, type ProgressOptions } from "./progress";
import { createTrainingState, type TrainingState } from "./state";
import { evaluationSplits, prepareSplits, type PreparedSplits } from "./splits";
import { createViewSource, type ViewSource } from "./views";
import { contrastiveStep, supervisedStep } from "./step";
import { dryRunPlugins } from "./dry-run";
import { resolveLoss } from "../parts/resolve";
import { logPluginFiles } from "../plugins/log";
import { encoderModelFiles } from "./logged-model";

/** Options of pretrain besides the config. */
export interface PretrainOptions {
  /** Where parameters, metrics and the final status go (default: no tracking). */
  logger: RunLogger;
  /** Called after every optimiser step. */
  onStep?: (m: StepMetrics) => void;
  /** Called after every kNN monitor evaluation. */
  onEval?: (p: EvalPoint) => void;
  /** Stops training after the current step (the run is marked KILLED). */
  signal?: AbortSignal;
  /** Progress display: false for none, else where it goes (default auto: TTY or notebook). */
  progress: Partial<ProgressOptions> | false;
  /** A data set already loaded (notebooks reuse one across runs); default loads config.data. */
  dataset?: Dataset;
  /** When loading config.data: download a missing CIFAR-10 / STL-10 (default: loadDataset's, yes). */
  download?: boolean;
  /** Backend already initialised; default initBackend(). */
  backend?: BackendInfo;
  /** Resume from config.train.checkpointDir when it holds a checkpoint (default true). */
  resume: boolean;
  /** Extra tags for the run. */
  tags?: Record<string, string>;
  /** Config hash to tag the run with (a sweep's SIMCLR_CONFIG_HASH); default sha256 of the config. */
  configHash?: string;
  /**
   * Log the trained encoder and head as an MLflow logged model at the end of the run (default on:
   * a single run's encoder is what a user wants back; sweeps turn it off per study, src/sweep/cell.ts).
   */
  logModel: boolean;
  /**
   * Folder of the random-init baseline cache (src/eval/baseline-cache.ts) that the cells of a sweep
   * share, so a baseline is measured once per encoder, seed and evaluation; absent: measured here.
   */
  baselineCache?: string;
  /**
   * The evaluation the run ends with (default: {@link evaluateRepresentations} of config.eval on
   * the probe's training split and the test split). Benchmarks pass their own to evaluate one
   * trained encoder under several protocols (bench/eval-protocol.ts).
   */
  evaluate?: (
    model: EvaluatedModel,
    splits: PreparedSplits,
    config: PretrainConfig,
  ) => EvaluationResult;
}

/** Defaults of PretrainOptions. */
export const PRETRAIN_DEFAULTS: Readonly<PretrainOptions> = Object.freeze({
  logger: nullLogger,
  progress: {},
  resume: true,
  logModel: true,
});

/** Per-epoch summary (the `history` of a result). */
export interface EpochSummary {
  epoch: number;
  /** Steps done at the end of the epoch. */
  step: number;
  loss: number;
  contrastive_acc: number;
  entropy: number;
  /** Training seconds so far (excluding evaluation). */
  train_s: number;
  /** kNN monitor accuracy when measured at this epoch. */
  knn_acc?: number;
}

/** What a run returns (also the `--json` output of `simclr pretrain`). */
export interface PretrainResult extends EvaluationResult {
  /** Tracking run id, when tracked. */
  run_id?: string;
  backend: BackendInfo;
  config: PretrainConfig;
  config_hash: string;
  /** Optimiser steps done (in this and resumed runs). */
  steps: number;
  /** Mean loss, contrastive accuracy and entropy over the last epoch (Tables 4, 5). */
  final_loss: number;
  contrastive_acc: number;
  entropy: number;
  /** Training throughput (views per second, both views counted). */
  views_per_s: number;
  /** Training seconds (without evaluation; resumed runs add the earlier seconds). */
  train_s: number;
  /** Evaluation seconds (features, linear evaluation, kNN, baselines). */
  eval_s: number;
  /** Per-epoch summaries. */
  history: EpochSummary[];
  /** kNN monitor points (accuracy versus training time). */
  curve: EvalPoint[];
}

/** What resuming must match: the config without the label and checkpoint placement. */
function checkpointKey(config: PretrainConfig): string {
  return configHash({
    ...config,
    preset: "",
    train: { ...config.train, checkpointDir: null, checkpointEverySteps: 0 },
  });
}

/** Evaluation fields of a run stopped before evaluating. */
function notEvaluated(): EvaluationResult {
  return {
    linear_acc: NaN,
    knn_acc: NaN,
    random_init_linear_acc: NaN,
    random_init_knn_acc: NaN,
    linear_train_acc: NaN,
    linear_eval_s: 0,
    feature_s: 0,
  };
}

/** config.eval's protocol: probe and kNN fitted on splits.probeTrain, scored on splits.test. */
function defaultEvaluation(
  baselineCache: string | undefined,
): NonNullable<PretrainOptions["evaluate"]> {
  return (model, splits, config) =>
    evaluateRepresentations(
      model,
      evaluationSplits(splits),
      config,
      baselineCache === undefined ? {} : { baselineCache },
    );
}

function finite(x: number): boolean {
  return Number.isFinite(x);
}

/**
 * Pre-trains an encoder with SimCLR (or, with config.mode "supervised", with labels through the
 * same encoder and augmentations) and evaluates it. Throws DivergenceError on a NaN/Inf loss
 * (the run is marked FAILED with that reason).
 */
export async function pretrain(
  config: PretrainConfig,
  options: Partial<PretrainOptions> = {},
): Promise<PretrainResult> {
  const o: PretrainOptions = { ...PRETRAIN_DEFAULTS, ...options };
  const logger = o.logger;
  const hash = o.configHash ?? configHash(config);
  const ckKey = checkpointKey(config);
  let state: TrainingState | null = null;
  let views: ViewSource | null = null;
  const progress =
    o.progress === false ? createProgress({ mode: "none" }) : createProgress(o.progress);
  try {
    const backend = o.backend ?? (await initBackend());
    // The CPU, its ISA, oneDNN and threads name every figure this run produces (issue 16).
    const env = Object.entries(cpuRecord(backend)).map(([k, v]) => [`env.${k}`, v]);
    await logger.logParams({ ...flattenConfig(config), ...Object.fromEntries(env) });
    await logger.setTags({
      "simclr.backend": backend.backend,
      "simclr.backend_version": backend.version,
      "simclr.device": backend.device,
      "simclr.threads": String(backend.threads),
      "simclr.preset": config.preset,
      "simclr.config_hash": hash,
      "simclr.mode": config.mode,
      ...(o.tags ?? {}),
    });
    await logPluginFiles(config.plugins ?? [], logger);
    const dataset =
      o.dataset ??
      (await loadDataset(config.data.dataset, {
        ...(config.data.dataDir ? { path: config.data.dataDir } : {}),
        ...(o.download === undefined ? {} : { download: o.download }),
      }));
    const splits: PreparedSplits = prepareSplits(dataset, config);
    await logger.logInputs([
      datasetInput(dataset, splits.train, "train", "training"),
      datasetInput(dataset, splits.test, "test", "evaluation"),
      ...(splits.probeTrain === splits.train
        ? []
        : [datasetInput(dataset, splits.probeTrain, "train", "evaluation")]),
    ]);
    state = createTrainingState(config, splits.train.n, dataset.classes.length);
    dryRunPlugins(config, state, splits.train);
    if (o.resume && config.train.checkpointDir) state.tryResume(config.train.checkpointDir, ckKey);
    views = createViewSource(splits.train, config, state.step, state.totalSteps);
    const lossFn = resolveLoss(config.loss);
    const { totalSteps, stepsPerEpoch } = state;
    const history: EpochSummary[] = state.history;
    const curve: EvalPoint[] = state.curve;
    let epochSum = { loss: 0, acc: 0, ent: 0, n: 0 };
    const t0 = performance.now();
    const trainStart = state.trainS;
    let viewsDone = 0;
    let loopEvalMs = 0;
    while (state.step < totalSteps) {
      if (o.signal?.aborted) break;
      const step = state.step;
      const epoch = Math.floor(step / stepsPerEpoch);
      const ts = performance.now();
      // The stream prepares the next batch on a worker while this step computes.
      const batch = await views.next();
      const lr = state.learningRate(step);
      const r =
        config.mode === "supervised"
          ? supervisedStep(state, batch, lr)
          : contrastiveStep(state, batch, lr, lossFn);
      if (!finite(r.loss)) throw new DivergenceError(step, r.loss);
      const dt = (performance.now() - ts) / 1000;
      const nViews = batch.view1.n + batch.view2.n;
      viewsDone += nViews;
      state.step = step + 1;
      state.trainS = trainStart + (performance.now() - t0 - loopEvalMs) / 1000;
      const m: StepMetrics = {
        step,
        totalSteps,
        epoch,
        loss: r.loss,
        contrastiveAccuracy: r.accuracy,
        entropy: r.entropy,
        learningRate: lr,
        views: nViews,
        viewsPerSecond: nViews / dt,
        elapsedS: state.trainS,
      };
      logger.logMetrics(
        {
          loss: r.loss,
          contrastive_acc: r.accuracy,
          entropy: r.entropy,
          lr,
          views_per_s: m.viewsPerSecond,
          epoch,
        },
        step,
      );
      o.onStep?.(m);
      progress.update(m);
      // Let the event loop turn between steps: a prefetched batch resolves as a microtask, so
      // without this a long run would starve timers and sockets (the tracker's flushes time out
      // and fall back to the journal; tslab's display socket stays busy).
      await new Promise<void>((resolve) => setImmediate(resolve));
      epochSum = {
        loss: epochSum.loss + r.loss,
        acc: epochSum.acc + r.accuracy,
        ent: epochSum.ent + r.entropy,
        n: epochSum.n + 1,
      };
      const endOfEpoch = state.step % stepsPerEpoch === 0 || state.step === totalSteps;
      if (endOfEpoch) {
        const summary: EpochSummary = {
          epoch,
          step: state.step,
          loss: epochSum.loss / epochSum.n,
          contrastive_acc: epochSum.acc / epochSum.n,
          entropy: epochSum.ent / epochSum.n,
          train_s: state.trainS,
        };
        epochSum = { loss: 0, acc: 0, ent: 0, n: 0 };
        const every = config.train.knnEveryEpochs;
        if (
          every > 0 &&
          ((epoch + 1) % every === 0 || state.step === totalSteps) &&
          config.mode === "simclr"
        ) {
          progress.note(`kNN monitor after epoch ${epoch + 1}`);
          const te = performance.now();
          const acc = state.monitorKnn(splits.monitorTrain, splits.monitorTest);
          const p: EvalPoint = { step: state.step, epoch, trainS: state.trainS, knnAcc: acc };
          summary.knn_acc = acc;
          curve.push(p);
          logger.logMetrics({ knn_acc: acc, knn_train_s: state.trainS }, state.step);
          o.onEval?.(p);
          // Evaluation time is not training time.
          const spent = performance.now() - te;
          loopEvalMs += spent;
          state.evalOffsetMs += spent;
        }
        history.push(summary);
        logger.logMetrics(
          { epoch_loss: summary.loss, epoch_contrastive_acc: summary.contrastive_acc },
          state.step,
        );
      }
      const ckEvery = config.train.checkpointEverySteps;
      if (
        config.train.checkpointDir &&
        ckEvery > 0 &&
        state.step % ckEvery === 0 &&
        state.step < totalSteps
      ) {
        state.save(config.train.checkpointDir, ckKey);
      }
    }
    await views.close();
    views = null;
    if (config.train.checkpointDir) state.save(config.train.checkpointDir, ckKey);
    const trainS = state.trainS;
    const killed = o.signal?.aborted === true;
    progress.note(killed ? "stopped" : "evaluating");
    const te = performance.now();
    const evaluate = o.evaluate ?? defaultEvaluation(o.baselineCache);
    const evaluation = killed ? notEvaluated() : evaluate(state, splits, config);
    const evalS = (performance.now() - te) / 1000 + state.evalOffsetMs / 1000;
    progress.close();
    const last = history.length ? history[history.length - 1] : undefined;
    const result: PretrainResult = {
      run_id: logger.runId,
      backend,
      config,
      config_hash: hash,
      steps: state.step,
      final_loss: last?.loss ?? NaN,
      contrastive_acc: last?.contrastive_acc ?? NaN,
      entropy: last?.entropy ?? NaN,
      views_per_s: trainS > trainStart ? viewsDone / (trainS - trainStart) : 0,
      train_s: trainS,
      eval_s: evalS,
      ...evaluation,
      history,
      curve,
    };
    if (evaluation.random_init_key)
      // the archive names the baseline it copied (or measured), so a run stays self-contained
      await logger.setTags({
        "simclr.random_init_key": evaluation.random_init_key,
        "simclr.random_init_source": evaluation.random_init_source ?? "computed",
      });
    const modelLogged = !killed && o.logModel && logger !== nullLogger;
    if (modelLogged) await logger.logModel(encoderModelFiles(state, state.step));
    logger.logMetrics(
      { train_s: trainS, eval_s: evalS, views_per_s: result.views_per_s },
      state.step,
    );
    const evalMetrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(evaluation))
      if (typeof v === "number" && finite(v)) evalMetrics[k] = v;
    // the evaluation measures the logged model: its values carry the model's id
    logger.logMetrics(evalMetrics, state.step, { ofModel: modelLogged });
    await logger.logArtifact(
      "result.json",
      JSON.stringify({ ...result, config: undefined }, null, 1),
      "results",
    );
    await logger.finish(killed ? "KILLED" : "FINISHED", killed ? "stopped by signal" : undefined);
    return result;
  } catch (e) {
    progress.close();
    const msg = e instanceof Error ? e.message : String(e);
    await logger.finish("FAILED", msg);
    throw e;
  } finally {
    await views?.close();
    state?.dispose();
  }
}
