/**
 * The two-view batches of pre-training (SimCLR section 2.1, Algorithm 1) from the data module's
 * view stream, which prepares the next batch on a worker thread while a step computes. Each epoch
 * is its own stream seeded from (run seed, epoch), so a run resumed at step s sees exactly the
 * batches an uninterrupted run would (mid-epoch resumes replay the epoch's earlier batches).
 */
import type { PretrainConfig } from "../config/pretrain-config";
import type { ImageSplit } from "../data/types";
import { isAugmentName, pipeline, type ComposeOptions } from "../augment/compose";
import { PLUGIN_VIEW_WORKER, pluginAugmentations, pluginFileOf } from "../parts/resolve";
import type { PluginRef } from "../plugins/types";
import {
  asymmetric,
  createViewStream,
  symmetric,
  type TwoViewBatch,
  type TwoViewSpec,
  type ViewStream,
} from "../augment/views";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";

export type { TwoViewBatch } from "../augment/views";

/** Steps per epoch for n images and batch size b (partial last batch dropped, at least 1). */
export function stepsPerEpoch(n: number, batchSize: number): number {
  return Math.max(1, Math.floor(n / Math.min(batchSize, n)));
}

/** The plugin files (as the config records them) that registered the plugin ops among `ops`. */
function pluginsOfOps(config: PretrainConfig, ops: readonly string[]): PluginRef[] {
  const paths = new Set(
    ops.filter((op) => !isAugmentName(op)).map((op) => pluginFileOf("augmentations", op)),
  );
  return (config.plugins ?? []).filter((p) => paths.has(p.path));
}

/**
 * The two branches' pipelines from config.augment (ordered ops; Figure 5's asymmetric setup).
 * Unknown names throw listing the known ones (compose.ts), plugin ones included.
 */
export function viewSpec(config: PretrainConfig): TwoViewSpec {
  const a = config.augment;
  const options: ComposeOptions = {
    ...(a.options ?? {}),
    crop: { scale: [a.cropMinArea, 1] },
    color: { strength: a.colorStrength },
    jitter: { strength: a.colorStrength },
  };
  const ops = [...a.ops];
  if (a.blur && !ops.includes("blur")) ops.push("blur");
  const plugins = pluginsOfOps(config, ops);
  const withPlugins = (spec: TwoViewSpec): TwoViewSpec =>
    plugins.length ? { ...spec, plugins } : spec;
  const extra = pluginAugmentations();
  // Figure 5: the shared crop is the base; a studied "crop" is a second crop on branch 2.
  if (a.asymmetric) return withPlugins(asymmetric({ studied: ops, options, extra }));
  return withPlugins(symmetric(pipeline(ops, options, extra)));
}

/** Yields the batches of steps [start, total) in order. */
export interface ViewSource {
  readonly stepsPerEpoch: number;
  /** The next step's batch. */
  next(): Promise<TwoViewBatch>;
  close(): Promise<void>;
}

/** Batches of a run from step `start` (epoch streams are opened one ahead of need). */
export function createViewSource(
  split: ImageSplit,
  config: PretrainConfig,
  start: number,
  total: number,
): ViewSource {
  const b = Math.min(config.train.batchSize, split.n);
  const spe = stepsPerEpoch(split.n, b);
  const spec = viewSpec(config);
  const open = (epoch: number): ViewStream =>
    createViewStream(split, {
      batchSize: b,
      spec,
      seed: deriveSeed(config.seed, SEED_STREAMS.augment, epoch),
      steps: Math.min(spe, total - epoch * spe),
      worker: config.data.prefetch > 0,
      ...(spec.plugins ? { extra: pluginAugmentations(), workerModule: PLUGIN_VIEW_WORKER } : {}),
    });
  let step = start;
  let epoch = Math.floor(start / spe);
  let stream: ViewStream | null = null;
  let skip = start - epoch * spe;
  return {
    stepsPerEpoch: spe,
    async next() {
      if (step >= total) throw new Error(`view source: no batch after step ${total - 1}`);
      if (!stream) stream = open(epoch);
      for (;;) {
        const r = await stream.next();
        if (r.done) {
          await stream.close();
          epoch++;
          stream = open(epoch);
          continue;
        }
        if (skip > 0) {
          skip--;
          continue;
        }
        step++;
        return r.value;
      }
    },
    async close() {
      if (stream) await stream.close();
      stream = null;
    },
  };
}
