/**
 * The random-init baseline of the evaluation (the encoder with its initial, untrained weights
 * through the same protocol; SimCLR section 2.3 compares against it) is a function of the encoder
 * architecture and its config, its initialisation seed, the evaluation's images and the protocol,
 * not of the studied choice (loss, augmentation, head, ...). So it is computed once per such key and
 * read back by every other cell of that key: a folder of `<key>.json` files that the cells of a
 * sweep (separate processes) share. Writes are atomic (a temp file renamed into place), so two
 * cells racing for one key each compute it and the second rename replaces an identical value.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PretrainConfig } from "../config/pretrain-config";
import { deriveSeed, SEED_STREAMS } from "../config/seeds";
import { configHash } from "../track/hash";
import { splitDigest } from "../track/dataset-input";
import { cpuInfo } from "../track/cpu";
import type { EvaluationSplits } from "./evaluate";

/** The baseline's two accuracies. */
export interface BaselineScores {
  /** Linear-probe test top-1 of the random-init encoder. */
  linear: number;
  /** kNN test top-1 of the random-init encoder. */
  knn: number;
}

/** A baseline with where it came from. */
export interface RandomInitBaseline extends BaselineScores {
  /** sha256 of {@link baselineInputs} (the cache file's name). */
  key: string;
  /** "computed" in this process, or "reused" from the cache. */
  source: "computed" | "reused";
}

/**
 * Everything the baseline depends on, and nothing else: the encoder section (with the plugin files
 * that may define it), the initialisation seed, digests of the probe's training images and the
 * scored images, the number of classes and the protocol (probe and kNN settings; the probe's
 * shuffles use config.seed), and the CPU model: the same config and seed give results that differ
 * by up to 1.45 points between CPU models (issue 27), and pairs are formed within one CPU model, so
 * a baseline measured on one model is never reused on another (a cluster of mixed CPUs measures
 * one per model).
 */
export function baselineInputs(
  config: PretrainConfig,
  splits: EvaluationSplits,
  cpu: { model: string; id: string } = cpuInfo(),
): Record<string, unknown> {
  const e = config.eval;
  return {
    encoder: config.encoder,
    plugins: config.plugins ?? [],
    initSeed: deriveSeed(config.seed, SEED_STREAMS.encoder),
    probeSeed: config.seed,
    probeTrain: splitDigest(splits.train),
    test: splitDigest(splits.test),
    classes: splits.classes,
    cpu: { model: cpu.model, id: cpu.id },
    protocol: {
      linear: e.linear,
      linearEpochs: e.linearEpochs,
      linearBatchSize: e.linearBatchSize,
      linearLearningRate: e.linearLearningRate,
      linearWeightDecay: e.linearWeightDecay,
      knnK: e.knnK,
      knnTemperature: e.knnTemperature,
    },
  };
}

/** A score as JSON keeps it: NaN (a protocol part switched off) is written as null. */
function score(x: unknown): number | undefined {
  return x === null ? NaN : typeof x === "number" ? x : undefined;
}

/** A cached entry, or null when absent or unreadable (a torn or foreign file is recomputed). */
function readEntry(file: string, key: string): BaselineScores | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const linear = score(v.linear);
    const knn = score(v.knn);
    return v.key === key && linear !== undefined && knn !== undefined ? { linear, knn } : null;
  } catch {
    return null;
  }
}

/**
 * The baseline of `config` on `splits`: read from `cacheDir` when a cell of the same key has
 * computed it, else `compute()`d and written there (atomically). Without `cacheDir` it is computed.
 */
export function randomInitBaseline(
  config: PretrainConfig,
  splits: EvaluationSplits,
  compute: () => BaselineScores,
  cacheDir?: string,
): RandomInitBaseline {
  const inputs = baselineInputs(config, splits);
  const key = configHash(inputs);
  if (!cacheDir) return { ...compute(), key, source: "computed" };
  const file = path.join(cacheDir, `${key}.json`);
  const cached = fs.existsSync(file) ? readEntry(file, key) : null;
  if (cached) return { ...cached, key, source: "reused" };
  const scores = compute();
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const entry = { key, linear: scores.linear, knn: scores.knn, inputs };
  fs.writeFileSync(tmp, `${JSON.stringify(entry, null, 1)}\n`);
  fs.renameSync(tmp, file);
  return { ...scores, key, source: "computed" };
}
