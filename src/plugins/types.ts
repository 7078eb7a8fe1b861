/**
 * The shape of a plugin: a TypeScript or JavaScript module whose default export names the
 * augmentations, contrastive losses, projection heads and encoders it adds to the built-ins (not
 * in the paper: this is how a study tries an idea the paper did not). A plugin file needs no
 * runtime import from the toolkit: `import type { Plugin } from "simclr-workbook"` types it.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ImageBatch } from "../data/types";
import type { ExtraOptions } from "../augment/compose";
import type { ContrastiveLossOptions, ContrastiveLossOutput } from "../loss/contrastive";
import type { Encoder, EncoderOptions } from "../models/encoder";
import type { Head, HeadOptions } from "../models/head";
import type { Rng } from "../util/random";

/** Options of a plugin part: flat, JSON-serialisable values (what a config can set). */
export type PluginOptions = ExtraOptions;

/**
 * An augmentation: a batched kernel over an NHWC float32 batch in [0, 1]. It returns a batch of
 * the same shape (a new one, or `batch` itself changed in place: the caller hands it a copy),
 * draws every random number from `rng` in image order, and never calls Math.random.
 */
export interface AugmentationPlugin<O extends PluginOptions = PluginOptions> {
  /** Name used in `augment.ops` (letters, digits, '-', '_'; must not clash with a built-in). */
  name: string;
  description?: string;
  /** Every option with its default; `augment.options.<name>` may override them. */
  defaults?: O;
  apply(batch: ImageBatch, rng: Rng, options: O): ImageBatch;
}

/**
 * A contrastive loss with {@link ContrastiveLossOptions} (kind, temperature, l2Normalize, ...)
 * and options of its own (`defaults`; a config sets them as `loss.<option>`): z1, z2 [N, D] (row
 * i of each is a positive pair) in, the contract of `contrastiveLoss` out: a scalar loss, logits
 * [2N, 2N] (self-similarities masked) and the positive's column [2N].
 */
export interface LossPlugin<O extends PluginOptions = PluginOptions> {
  /** Name used in `loss.kind`. */
  name: string;
  description?: string;
  /** Every option of its own with its default; `loss.<option>` may override them. */
  defaults?: O;
  loss(
    z1: tf.Tensor2D,
    z2: tf.Tensor2D,
    options: ContrastiveLossOptions & O,
  ): ContrastiveLossOutput;
}

/**
 * A projection head g: created on inputs of width inDim from an explicit seed, with the config's
 * `head` fields and its own options (`defaults`; a config sets them as `head.<option>`).
 */
export interface HeadPlugin<O extends PluginOptions = PluginOptions> {
  /** Name used in `head.kind`. */
  name: string;
  description?: string;
  /** Every option of its own with its default; `head.<option>` may override them. */
  defaults?: O;
  create(inDim: number, options: HeadOptions & O, seed: number): Head;
}

/**
 * An encoder f: images [N, H, W, 3] in [0, 1] -> h [N, featureDim], created from a seed, with
 * the config's `encoder` fields and its own options (`defaults`; set as `encoder.<option>`).
 */
export interface EncoderPlugin<O extends PluginOptions = PluginOptions> {
  /** Name used in `encoder.arch`. */
  name: string;
  description?: string;
  /** Every option of its own with its default; `encoder.<option>` may override them. */
  defaults?: O;
  create(options: EncoderOptions & O, seed: number): Encoder;
}

/** What a plugin module exports by default. */
export interface Plugin {
  augmentations?: AugmentationPlugin[];
  losses?: LossPlugin[];
  heads?: HeadPlugin[];
  encoders?: EncoderPlugin[];
}

/** A plugin file as a resolved config records it: where it is and the sha256 of its content. */
export interface PluginRef {
  /** Relative to the project root when inside it (POSIX separators), else absolute. */
  path: string;
  sha256: string;
}

/** The four kinds of part a plugin registers, and the config field that names each. */
export const PART_KINDS = Object.freeze({
  augmentations: { what: "augmentation", field: "augment.ops", fn: "apply" },
  losses: { what: "loss", field: "loss.kind", fn: "loss" },
  heads: { what: "projection head", field: "head.kind", fn: "create" },
  encoders: { what: "encoder", field: "encoder.arch", fn: "create" },
} as const);

/** A kind of plugin part. */
export type PartKind = keyof typeof PART_KINDS;

/** Types a plugin's default export (an identity function: plugins need not import it). */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/**
 * A plugin that could not be loaded or registered, or that broke its contract when called; `file`
 * is the path as the config names it. Deterministic: the same config fails the same way again.
 */
export class PluginError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = "PluginError";
  }
}
