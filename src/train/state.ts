/**
 * Everything a training run carries between steps: the encoder f, projection head g (or the
 * supervised baseline's linear classifier), the optimiser and its slots, the step counter, the
 * learning-rate schedule and the history; saved to and restored from a checkpoint as a whole.
 */
import * as tf from "@tensorflow/tfjs";
import type { PretrainConfig } from "../config/pretrain-config";
import type { ImageSplit } from "../data/types";
import { extractFeatures } from "../eval/features";
import { knnEval } from "../eval/knn";
import { backendInfo } from "../backend";
import { bf16Conv2d, bf16Unavailable, type Precision } from "../backend/bf16";
import { conv2dFp32, type Conv2dFn } from "../models/conv";
import type { Encoder } from "../models/encoder";
import type { Head } from "../models/head";
import { createEncoderPart, createHeadPart } from "../parts/resolve";
import { cpuInfo } from "../track/cpu";
import type { NamedVariable } from "../models/params";
import { createOptimizer, type Optimizer } from "../optim/optimizer";
import { baseLearningRate, learningRateAt } from "../optim/schedule";
import { createRng } from "../util/random";
import { hasCheckpoint, loadCheckpoint, restoreVariables, saveCheckpoint } from "./checkpoint";
import type { EvalPoint } from "./metrics";
import type { EpochSummary } from "./pretrain";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";
import { stepsPerEpoch } from "./views";

/** The supervised baseline's linear classifier on h. */
export interface Classifier {
  kernel: tf.Variable; // [D, C]
  bias: tf.Variable; // [C]
  params: NamedVariable[];
}

/** Metadata stored in a checkpoint. */
interface CheckpointMeta {
  configHash: string;
  trainS: number;
  history: EpochSummary[];
  curve: EvalPoint[];
}

/** A run's mutable state. */
export interface TrainingState {
  readonly config: PretrainConfig;
  readonly encoder: Encoder;
  readonly head: Head;
  readonly classifier: Classifier | null;
  readonly optimizer: Optimizer;
  /** Variables gradients are taken over. */
  readonly trainableVariables: tf.Variable[];
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly warmupSteps: number;
  /** Peak learning rate. */
  readonly peakLearningRate: number;
  /** Steps done. */
  step: number;
  /** Training seconds so far. */
  trainS: number;
  /** Evaluation milliseconds spent inside the training loop (kNN monitor). */
  evalOffsetMs: number;
  history: EpochSummary[];
  curve: EvalPoint[];
  /** Learning rate of a step. */
  learningRate(step: number): number;
  /** kNN accuracy of the current encoder (h, inference mode) on the monitor images. */
  monitorKnn(bank: ImageSplit, queries: ImageSplit): number;
  /** Writes a checkpoint. */
  save(dir: string, configHash: string): void;
  /** Restores from dir when it holds a checkpoint of the same config; returns whether it did. */
  tryResume(dir: string, configHash: string): boolean;
  dispose(): void;
}

function createClassifier(inDim: number, classes: number, seed: number): Classifier {
  const rng = createRng(seed);
  const std = 1 / Math.sqrt(inDim);
  const kernel = tf.tidy(() =>
    tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: inDim * classes }, () => rng.normal() * std),
        [inDim, classes],
      ),
    ),
  );
  const bias = tf.tidy(() => tf.variable(tf.zeros([classes])));
  return {
    kernel,
    bias,
    params: [
      { name: "classifier/kernel", role: "kernel", variable: kernel, trainable: true },
      { name: "classifier/bias", role: "bias", variable: bias, trainable: true },
    ],
  };
}

/**
 * The convolution of a run's `train.precision`: float32, or bfloat16 where this CPU and backend
 * run it natively; an Error that names why and the fix where they do not (never emulated).
 */
export function convForPrecision(precision: Precision): Conv2dFn {
  if (precision === "fp32") return conv2dFp32;
  const why = bf16Unavailable(cpuInfo(), backendInfo());
  if (why) throw new Error(`train.precision "bf16" cannot run here: ${why}`);
  return bf16Conv2d();
}

/** Builds the models, optimiser and schedule of a run over nTrain images. */
export function createTrainingState(
  config: PretrainConfig,
  nTrain: number,
  classes: number,
): TrainingState {
  const encoder = createEncoderPart(
    config.encoder,
    deriveSeed(config.seed, SEED_STREAMS.encoder),
    convForPrecision(config.train.precision),
  );
  const head = createHeadPart(
    encoder.featureDim,
    config.head,
    deriveSeed(config.seed, SEED_STREAMS.head),
  );
  const classifier =
    config.mode === "supervised"
      ? createClassifier(
          encoder.featureDim,
          classes,
          deriveSeed(config.seed, SEED_STREAMS.classifier),
        )
      : null;
  const params: NamedVariable[] =
    config.mode === "supervised"
      ? [...encoder.params, ...(classifier as Classifier).params]
      : [...encoder.params, ...head.params];
  const {
    learningRate,
    baseLearningRate: base,
    lrScaling,
    warmupEpochs,
    ...optimizerOptions
  } = config.optimizer;
  const optimizer = createOptimizer(optimizerOptions, params);
  const spe = stepsPerEpoch(nTrain, config.train.batchSize);
  const totalSteps =
    config.train.maxSteps > 0
      ? config.train.maxSteps
      : Math.max(1, Math.round(config.train.epochs * spe));
  const warmupSteps = Math.min(totalSteps, Math.round(warmupEpochs * spe));
  const peak =
    learningRate ??
    baseLearningRate(Math.min(config.train.batchSize, nTrain), lrScaling, base ?? undefined);
  const allParams = [...encoder.params, ...head.params, ...(classifier?.params ?? [])];
  const state: TrainingState = {
    config,
    encoder,
    head,
    classifier,
    optimizer,
    trainableVariables: params.filter((p) => p.trainable).map((p) => p.variable),
    stepsPerEpoch: spe,
    totalSteps,
    warmupSteps,
    peakLearningRate: peak,
    step: 0,
    trainS: 0,
    evalOffsetMs: 0,
    history: [],
    curve: [],
    learningRate: (step) => learningRateAt(step, totalSteps, warmupSteps, peak),
    monitorKnn(bank, queries) {
      const fn = (x: tf.Tensor4D): tf.Tensor2D => encoder.apply(x, false);
      const a = extractFeatures(fn, bank);
      const b = extractFeatures(fn, queries);
      return knnEval(a, b, { k: config.eval.knnK, temperature: config.eval.knnTemperature });
    },
    save(dir, configHash) {
      const tensors = new Map<string, tf.Tensor>();
      for (const p of allParams) tensors.set(`var:${p.name}`, p.variable);
      const slots: tf.Tensor[] = [];
      for (const [k, v] of Object.entries(optimizer.getState())) {
        const t = tf.tensor1d(v);
        slots.push(t);
        tensors.set(`opt:${k}`, t);
      }
      const meta: CheckpointMeta = {
        configHash,
        trainS: state.trainS,
        history: state.history,
        curve: state.curve,
      };
      try {
        saveCheckpoint(dir, state.step, tensors, meta);
      } finally {
        tf.dispose(slots);
      }
    },
    tryResume(dir, configHash) {
      if (!hasCheckpoint(dir)) return false;
      const ck = loadCheckpoint<CheckpointMeta>(dir);
      if (ck.meta.configHash !== configHash) {
        throw new Error(
          `checkpoint ${dir} belongs to config ${ck.meta.configHash}, this run is ${configHash}; use another checkpointDir or delete it`,
        );
      }
      const vars = new Map<string, tf.Variable>();
      for (const p of allParams) vars.set(`var:${p.name}`, p.variable);
      restoreVariables(ck, vars, dir);
      const optState: Record<string, Float32Array> = {};
      for (const [k, v] of ck.tensors)
        if (k.startsWith("opt:")) optState[k.slice(4)] = Float32Array.from(v.data);
      optimizer.setState(optState);
      state.step = ck.step;
      state.trainS = ck.meta.trainS;
      state.history = ck.meta.history;
      state.curve = ck.meta.curve;
      return true;
    },
    dispose() {
      optimizer.dispose();
      encoder.dispose();
      head.dispose();
      if (classifier) tf.dispose([classifier.kernel, classifier.bias]);
    },
  };
  return state;
}
