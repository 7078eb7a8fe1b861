/**
 * The numerics guard of issue 23: the per-step losses of two tiny pre-training runs with a fixed
 * config and seed, as exact float64 hex strings, so a refactor of the code around training can be
 * checked to leave the numbers bit for bit as they were (same machine, same backend). One run takes
 * only built-ins (ConvNet, nonlinear head, NT-Xent, the default augmentations); the other goes
 * through plugin parts (an augmentation, a loss and a head from test/plugins/fixtures).
 *
 *   node --import tsx bench/loss-trace.ts [--out FILE]
 */
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import "@tensorflow/tfjs-node";
import { resolveConfig } from "../src/config/resolve";
import type { PretrainConfigOverrides } from "../src/config/pretrain-config";
import type { Dataset, ImageSplit } from "../src/data/types";
import { pretrain } from "../src/train/pretrain";
import { createRng } from "../src/util/random";

/** Steps of each traced run. */
export const TRACE_STEPS = 4;

/** The exact bits of a float64, as 16 hex digits. */
export function float64Hex(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString("hex");
}

function split(n: number, side: number, seed: number): ImageSplit {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rng.next() * 256);
  const labels = Int16Array.from({ length: n }, (_, i) => i % 4);
  return { n, height: side, width: side, pixels, labels };
}

/** 64 random 16x16 images in 4 classes, the same on every machine. */
export function traceDataset(): Dataset {
  return {
    name: "loss-trace",
    classes: ["a", "b", "c", "d"],
    train: split(64, 16, 1),
    test: split(16, 16, 2),
    source: "memory",
  };
}

const BASE: PretrainConfigOverrides = {
  seed: 7,
  data: { trainLimit: 0, testLimit: 0, resolution: 16, prefetch: 0 },
  encoder: { arch: "convnet", widthMultiplier: 0.25 },
  head: { outDim: 16 },
  train: { batchSize: 16, maxSteps: TRACE_STEPS },
  eval: { linear: false, knnK: 5, randomInit: false },
};

const PLUGIN_RUN: PretrainConfigOverrides = {
  plugins: [
    "test/plugins/fixtures/invert.ts",
    "test/plugins/fixtures/twin-a.ts",
    "test/plugins/fixtures/models.ts",
  ],
  augment: { ops: ["crop", "flip", "invert"], options: { invert: { p: 0.5 } } },
  loss: { kind: "twin" as never },
  head: { kind: "dense1" as never },
};

/** The per-step losses (float64 hex) of the built-in and the plugin run. */
export async function lossTrace(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const runs: [string, PretrainConfigOverrides][] = [
    ["builtin", { augment: { ops: ["crop", "flip", "color"] } }],
    ["plugins", PLUGIN_RUN],
    // the same through the view worker thread, which loads the augmentation plugin itself
    ["plugins-worker", { ...PLUGIN_RUN, data: { prefetch: 1 } }],
  ];
  const dataset = traceDataset();
  for (const [name, extra] of runs) {
    const config = resolveConfig("tiny", BASE, extra);
    const losses: string[] = [];
    await pretrain(config, {
      dataset,
      progress: false,
      resume: false,
      onStep: (m) => losses.push(float64Hex(m.loss)),
    });
    out[name] = losses;
  }
  return out;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  void lossTrace().then((t) => {
    const text = `${JSON.stringify({ cpu: os.cpus()[0]?.model ?? "unknown", trace: t }, null, 2)}\n`;
    if (values.out) fs.writeFileSync(values.out, text);
    process.stdout.write(text);
  });
}
