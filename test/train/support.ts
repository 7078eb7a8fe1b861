/** Small in-memory data sets and a recording logger for training tests. */
import type { PretrainConfigOverrides } from "../../src/config/pretrain-config";
import type { Dataset, ImageSplit } from "../../src/data/types";
import type { DatasetInput, ModelFiles, RunLogger, RunStatus } from "../../src/track/types";
import { createRng } from "../../src/util/random";

/** Random 16x16 images whose mean colour depends on the class (a learnable signal). */
export function syntheticDataset(
  nTrain: number,
  nTest: number,
  side = 16,
  classes = 4,
  seed = 0,
): Dataset {
  const rng = createRng(seed);
  const split = (n: number): ImageSplit => {
    const pixels = new Uint8Array(n * side * side * 3);
    const labels = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % classes;
      labels[i] = c;
      for (let p = 0; p < side * side; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const base = ch === c % 3 ? 170 : 60;
          pixels[(i * side * side + p) * 3 + ch] = Math.max(
            0,
            Math.min(255, base + Math.round(rng.normal() * 40)),
          );
        }
      }
    }
    return { n, height: side, width: side, pixels, labels };
  };
  return {
    name: "synthetic",
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
    train: split(nTrain),
    test: split(nTest),
    source: "memory",
  };
}

/** A RunLogger that keeps everything in memory (what the loop reports, not a stand-in for MLflow). */
export interface RecordingLogger extends RunLogger {
  params: Record<string, string | number | boolean>;
  tags: Record<string, string>;
  metrics: { key: string; value: number; step: number }[];
  inputs: DatasetInput[];
  models: ModelFiles[];
  status?: RunStatus;
  note?: string;
}

export function recordingLogger(): RecordingLogger {
  const r: RecordingLogger = {
    params: {},
    tags: {},
    metrics: [],
    inputs: [],
    models: [],
    logParams: async (p) => void Object.assign(r.params, p),
    logMetrics: (m, step) => {
      for (const [key, value] of Object.entries(m)) r.metrics.push({ key, value, step });
    },
    setTags: async (t) => void Object.assign(r.tags, t),
    logInputs: async (d) => void r.inputs.push(...d),
    logModel: async (m) => void r.models.push(m),
    logArtifact: async () => {},
    flush: async () => {},
    finish: async (status, note) => {
      r.status = status;
      r.note = note;
    },
  };
  return r;
}

/** A 6-step run on {@link syntheticDataset} images: the training tests' shared small config. */
export const small: PretrainConfigOverrides = {
  data: { trainLimit: 0, testLimit: 0, resolution: 16 },
  encoder: { arch: "convnet", widthMultiplier: 0.25 },
  head: { outDim: 16 },
  train: { batchSize: 32, epochs: 1, maxSteps: 6 },
  eval: { linear: false, randomInit: false, knnK: 10 },
};
