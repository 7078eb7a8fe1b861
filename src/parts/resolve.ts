/**
 * One home for turning a config's part names into parts (not in the paper: this is how a study
 * tries an idea of its own). A built-in name resolves to the leaf's own function (augment/,
 * loss/, models/ know only their built-ins); any other name to the part a loaded plugin registered
 * (src/plugins/registry.ts), wrapped in its contract check. Training, evaluation and the dry batch
 * call these and hand the result down to the leaves.
 */
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { ExtraAugmentations } from "../augment/compose";
import {
  contrastiveLoss,
  LOSS_DEFAULTS,
  LOSS_KINDS,
  type ContrastiveLossOptions,
  type ContrastiveLossOutput,
  type LossKind,
} from "../loss/contrastive";
import {
  createEncoder,
  ENCODER_ARCHS,
  ENCODER_DEFAULTS,
  type Encoder,
  type EncoderArch,
  type EncoderOptions,
} from "../models/encoder";
import {
  createHead,
  HEAD_DEFAULTS,
  HEAD_KINDS,
  type Head,
  type HeadKind,
  type HeadOptions,
} from "../models/head";
import type { Conv2dFn } from "../models/conv";
import { checkedEncoder, checkedHead, pluginLossOutput } from "../plugins/contract";
import { pluginKernel } from "../plugins/kernel";
import { findPart, pluginNames } from "../plugins/registry";
import { PART_KINDS, type PartKind, type PluginOptions } from "../plugins/types";

/**
 * A contrastive loss as training calls it: z1 and z2 only. Its options (temperature, margin, a
 * plugin's own) were bound and checked once, when {@link resolveLoss} resolved it.
 */
export type LossFn = (z1: tf.Tensor2D, z2: tf.Tensor2D) => ContrastiveLossOutput;

/**
 * A loss section as a config holds it (`config.loss`) or a caller writes it: the loss's name (a
 * built-in kind or a plugin's loss) and its options; missing fields come from the defaults.
 */
export type LossSection = Partial<Omit<ContrastiveLossOptions, "kind">> & {
  kind?: LossKind | (string & Record<never, never>);
};

/** The worker-thread module that loads a view spec's plugins before serving batches. */
export const PLUGIN_VIEW_WORKER = path.join(__dirname, "view-worker.ts");

/** How an unknown name of each kind is called in errors (as the leaves' own errors say it). */
const UNKNOWN: Record<PartKind, string> = {
  augmentations: "augmentation",
  losses: "loss kind",
  heads: "head kind",
  encoders: "encoder arch",
};

/** The plugin part of `kind` named `name`; throws listing built-in and plugin names when none. */
function pluginPart<K extends PartKind>(kind: K, name: string, builtins: readonly string[]) {
  const found = findPart(kind, name);
  if (found) return found;
  throw new Error(
    `unknown ${UNKNOWN[kind]} ${JSON.stringify(name)}; expected ${[...builtins, ...pluginNames(kind)].join(", ")} (a ${PART_KINDS[kind].what} of your own: name its plugin file in the config's \`plugins\`)`,
  );
}

/** Throws unless the loss's temperature is positive (the one check of a bound loss's options). */
function checkTemperature(o: ContrastiveLossOptions): void {
  if (!(o.temperature > 0)) throw new Error(`loss temperature must be > 0, got ${o.temperature}`);
}

/**
 * The loss `loss.kind` names, with `loss`'s options bound: the built-in contrastiveLoss (over
 * LOSS_DEFAULTS), or a plugin's loss with its contract checked (over the plugin's own defaults
 * over LOSS_DEFAULTS). The options are merged and checked here, once per run, so a training step
 * hands the loss its projections only. Throws on an unknown name or a temperature <= 0.
 */
export function resolveLoss(loss: LossSection = {}): LossFn {
  const kind = loss.kind ?? LOSS_DEFAULTS.kind;
  if (LOSS_KINDS.includes(kind as LossKind)) {
    const o: ContrastiveLossOptions = { ...LOSS_DEFAULTS, ...loss, kind: kind as LossKind };
    checkTemperature(o);
    return (z1, z2) => contrastiveLoss(z1, z2, o);
  }
  const found = pluginPart("losses", kind, LOSS_KINDS);
  const o = { ...LOSS_DEFAULTS, ...found.part.defaults, ...loss } as ContrastiveLossOptions &
    PluginOptions;
  checkTemperature(o);
  return (z1, z2) => pluginLossOutput(found, z1, z2, o);
}

/**
 * Creates the encoder `opts.arch` names (built-in or plugin) from `seed`; a plugin's gets the
 * options over its own defaults over ENCODER_DEFAULTS. `conv` computes a built-in encoder's
 * convolutions (float32 by default; src/backend/bf16.ts); a plugin encoder computes its own.
 */
export function createEncoderPart(
  opts: Partial<EncoderOptions>,
  seed: number,
  conv?: Conv2dFn,
): Encoder {
  const arch = opts.arch ?? ENCODER_DEFAULTS.arch;
  if (ENCODER_ARCHS.includes(arch as EncoderArch)) return createEncoder(opts, seed, conv);
  const found = pluginPart("encoders", arch, ENCODER_ARCHS);
  const options = { ...ENCODER_DEFAULTS, ...found.part.defaults, ...opts } as EncoderOptions &
    PluginOptions;
  return checkedEncoder(found, found.part.create(options, seed));
}

/**
 * Creates the projection head `opts.kind` names (built-in or plugin) on inputs of width inDim; a
 * plugin's gets the options over its own defaults over HEAD_DEFAULTS.
 */
export function createHeadPart(inDim: number, opts: Partial<HeadOptions>, seed: number): Head {
  const kind = opts.kind ?? HEAD_DEFAULTS.kind;
  if (HEAD_KINDS.includes(kind as HeadKind)) return createHead(inDim, opts, seed);
  const found = pluginPart("heads", kind, HEAD_KINDS);
  const options = { ...HEAD_DEFAULTS, ...found.part.defaults, ...opts } as HeadOptions &
    PluginOptions;
  return checkedHead(found, found.part.create(inDim, options, seed));
}

/** The loaded plugins' augmentations, as compose takes them. */
export function pluginAugmentations(): ExtraAugmentations {
  return {
    has: (name) => findPart("augmentations", name) !== undefined,
    kernel: (name, options) => pluginKernel(pluginPart("augmentations", name, []), options),
    names: () => pluginNames("augmentations"),
  };
}

/** The path (as the config records it) of the plugin file that registered `name`, or undefined. */
export function pluginFileOf(kind: PartKind, name: string): string | undefined {
  return findPart(kind, name)?.from.path;
}
