/**
 * The dry batch a run with plugins goes through before training starts: a few training images
 * through the run's own augmentations, encoder, head and loss (inference mode: no variable or
 * moving statistic changes), so a broken plugin fails the run before its first step, with an
 * error naming the plugin file, instead of after minutes of training.
 */
import * as tf from "@tensorflow/tfjs";
import type { PretrainConfig } from "../config/pretrain-config";
import type { ImageSplit } from "../data/types";
import { toImageBatch } from "../data/batch";
import { twoViewAugmenter } from "../augment/views";
import { pluginAugmentations, pluginFileOf, resolveLoss } from "../parts/resolve";
import type { TrainingState } from "./state";
import { viewSpec } from "./views";
import { createRng } from "../util/random";
import { PluginError } from "../plugins/types";

/** Images in the dry batch (the loss needs at least 2). */
export const DRY_BATCH_IMAGES = 4;

/**
 * Runs the dry batch when the config names plugins (built-in runs skip it: unchanged behaviour).
 * Throws the plugin's contract error, or one naming the loss plugin when the loss is not finite.
 */
export function dryRunPlugins(
  config: PretrainConfig,
  state: TrainingState,
  train: ImageSplit,
): void {
  if (!config.plugins?.length) return;
  const n = Math.min(DRY_BATCH_IMAGES, train.n);
  const batch = toImageBatch(
    train,
    Int32Array.from({ length: n }, (_, i) => i),
  );
  const extra = pluginAugmentations();
  const [v1, v2] = twoViewAugmenter(viewSpec(config), extra)(batch, createRng(config.seed));
  const lossFn = resolveLoss(config.loss);
  const value = tf.tidy(() => {
    const x = tf.concat([
      tf.tensor4d(v1.data, [v1.n, v1.height, v1.width, 3]),
      tf.tensor4d(v2.data, [v2.n, v2.height, v2.width, 3]),
    ]);
    const h = state.encoder.apply(x, false);
    if (config.mode !== "simclr") return tf.scalar(0);
    const [z1, z2] = tf.split(state.head.apply(h, false), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    return lossFn(z1, z2).loss;
  });
  const loss = value.dataSync()[0];
  value.dispose();
  if (!Number.isFinite(loss)) {
    const file = pluginFileOf("losses", config.loss.kind);
    const who = file ? `plugin ${file}: loss '${config.loss.kind}'` : `loss '${config.loss.kind}'`;
    const message = `${who} returned ${loss} on a dry batch of ${n} images before training; expected a finite scalar`;
    throw file ? new PluginError(message, file) : new Error(message);
  }
}
