/**
 * The trained encoder f and projection head g (SimCLR section 2.1) as an MLflow 3 logged model:
 * their variables (batch-norm moving statistics included) in the checkpoint format of
 * src/train/checkpoint.ts, plus the resolved config, which is enough to rebuild both; and
 * {@link loadEncoder}, which downloads such a model and rebuilds them, for transfer or a
 * re-evaluation without re-training (`simclr eval --model`).
 */
import * as tf from "@tensorflow/tfjs";
import type { PretrainConfig } from "../config/pretrain-config";
import { flattenConfig } from "../config/resolve";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";
import type { Encoder } from "../models/encoder";
import type { Head } from "../models/head";
import { createEncoderPart, createHeadPart } from "../parts/resolve";
import { trackingSettings } from "../track/context";
import { MlflowClient, type LoggedModel } from "../track/mlflow";
import { modelIdOfUri } from "../track/model-uri";
import type { ModelFiles } from "../track/types";
import { decodeCheckpoint, encodeCheckpoint, restoreVariables } from "./checkpoint";
import { convForPrecision } from "./state";

/** A logged encoder's files, relative to the model's artifact location. */
export const ENCODER_MODEL_FILES = Object.freeze({
  /** The checkpoint manifest (tensor names, shapes, offsets; meta: feature width, step). */
  manifest: "weights/checkpoint.json",
  /** The raw float32 values (little-endian, in manifest order). */
  tensors: "weights/tensors.bin",
  /** The resolved PretrainConfig the model was trained with (rebuilds the architecture). */
  config: "config.json",
});

/** MLflow model_type of a logged encoder. */
export const ENCODER_MODEL_TYPE = "simclr-encoder";

/** The manifest's meta of a logged encoder. */
interface EncoderModelMeta {
  featureDim: number;
}

/** The parts a logged encoder holds. */
export interface EncoderParts {
  config: PretrainConfig;
  encoder: Encoder;
  head: Head;
}

/**
 * The files and metadata of a trained encoder and head, as {@link RunLogger.logModel} takes them
 * (`step`: the training step the weights are from).
 */
export function encoderModelFiles(parts: EncoderParts, step: number): ModelFiles {
  const tensors = new Map<string, tf.Tensor>();
  for (const p of [...parts.encoder.params, ...parts.head.params])
    tensors.set(`var:${p.name}`, p.variable);
  const meta: EncoderModelMeta = { featureDim: parts.encoder.featureDim };
  const ckpt = encodeCheckpoint(step, tensors, meta);
  const flat = flattenConfig(parts.config);
  const params: Record<string, string> = { feature_dim: String(parts.encoder.featureDim) };
  for (const [k, v] of Object.entries(flat))
    if (/^(encoder|head|data|mode|seed)\b/.test(k)) params[k] = String(v);
  return {
    name: "encoder",
    modelType: ENCODER_MODEL_TYPE,
    step,
    params,
    tags: { "simclr.preset": parts.config.preset, "simclr.mode": parts.config.mode },
    files: [
      { path: ENCODER_MODEL_FILES.manifest, content: ckpt.manifest },
      { path: ENCODER_MODEL_FILES.tensors, content: ckpt.tensors },
      { path: ENCODER_MODEL_FILES.config, content: JSON.stringify(parts.config, null, 1) },
    ],
  };
}

/**
 * Rebuilds the encoder and head from a logged encoder's files (`where` names the model in
 * errors). The convolution is the trained run's precision unless `precision` says otherwise.
 */
export function rebuildEncoder(
  files: { manifest: string; tensors: Uint8Array; config: string },
  where: string,
  precision?: PretrainConfig["train"]["precision"],
): EncoderParts {
  let config: PretrainConfig;
  try {
    config = JSON.parse(files.config) as PretrainConfig;
  } catch (e) {
    throw new Error(`${where}/${ENCODER_MODEL_FILES.config}: not JSON (${(e as Error).message})`);
  }
  const ckpt = decodeCheckpoint<EncoderModelMeta>(files, where);
  const encoder = createEncoderPart(
    config.encoder,
    deriveSeed(config.seed, SEED_STREAMS.encoder),
    convForPrecision(precision ?? config.train.precision),
  );
  const head = createHeadPart(
    encoder.featureDim,
    config.head,
    deriveSeed(config.seed, SEED_STREAMS.head),
  );
  try {
    const vars = new Map<string, tf.Variable>();
    for (const p of [...encoder.params, ...head.params]) vars.set(`var:${p.name}`, p.variable);
    restoreVariables(ckpt, vars, where);
  } catch (e) {
    encoder.dispose();
    head.dispose();
    throw e;
  }
  return { config, encoder, head };
}

/** A logged encoder loaded back: its parts and the model it came from. */
export interface LoadedEncoder extends EncoderParts {
  model: LoggedModel;
  /** Frees the encoder's and head's variables. */
  dispose(): void;
}

/** Options of {@link loadEncoder}. */
export interface LoadEncoderOptions {
  /** The tracking server's client; default one for the entry point's tracking server. */
  client?: MlflowClient;
  /** Convolution precision; default the trained run's (`train.precision` of its config). */
  precision?: PretrainConfig["train"]["precision"];
}

/**
 * Downloads the encoder a run logged (`models:/<model_id>`) and rebuilds its encoder f and head g
 * with the trained weights; throws naming the model when it is not a READY simclr encoder.
 */
export async function loadEncoder(
  modelUri: string,
  options: LoadEncoderOptions = {},
): Promise<LoadedEncoder> {
  const id = modelIdOfUri(modelUri);
  const client =
    options.client ??
    new MlflowClient(trackingSettings().context.trackingUri, {
      ...(trackingSettings().credentials ? { credentials: trackingSettings().credentials } : {}),
    });
  const model = await client.getLoggedModel(id);
  const where = `logged model ${id}`;
  if (model.status !== "LOGGED_MODEL_READY")
    throw new Error(`${where} is ${model.status}, not READY: its files may be incomplete`);
  if (model.modelType !== ENCODER_MODEL_TYPE)
    throw new Error(
      `${where} has model_type '${model.modelType ?? ""}'; expected '${ENCODER_MODEL_TYPE}'`,
    );
  const text = async (p: string): Promise<string> =>
    Buffer.from(await client.downloadModelArtifact(model, p)).toString("utf8");
  const files = {
    manifest: await text(ENCODER_MODEL_FILES.manifest),
    tensors: await client.downloadModelArtifact(model, ENCODER_MODEL_FILES.tensors),
    config: await text(ENCODER_MODEL_FILES.config),
  };
  const parts = rebuildEncoder(files, where, options.precision);
  return {
    ...parts,
    model,
    dispose() {
      parts.encoder.dispose();
      parts.head.dispose();
    },
  };
}
