/**
 * Worker-thread body of the view stream (views.ts): receives a batch's bytes and seed, returns the
 * two augmented views (transferred, not copied). This module serves built-in augmentations;
 * src/parts/view-worker.ts serves with a config's plugin augmentations through the same body.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { toImageBatch } from "../data/batch";
import type { ImageBatch } from "../data/types";
import { createRng, type Rng } from "../util/random";
import { twoViewAugmenter, type TwoViewSpec } from "./views";

/** What a view worker is started with (views.ts workerProducer). */
export interface ViewWorkerInit {
  kind: string;
  /** The module the worker runs (each view worker module serves only its own). */
  entry: string;
  spec: TwoViewSpec;
  height: number;
  width: number;
}

type TwoViews = (batch: ImageBatch, rng: Rng) => [ImageBatch, ImageBatch];

/** Whether this thread is a view worker started to run the module `file`. */
export function isViewWorkerFor(file: string): boolean {
  const init = workerData as ViewWorkerInit | null;
  return !!parentPort && !!init && init.kind === "simclr-views" && init.entry === file;
}

/**
 * Serves batches on `port` with the augmenter `make` builds; when `make` throws (a plugin that
 * fails to load), every batch is answered with that error.
 */
export function serveViews(
  port: MessagePort,
  init: ViewWorkerInit,
  make: (init: ViewWorkerInit) => TwoViews,
): void {
  let failure: string | null = null;
  let augment: TwoViews | null = null;
  try {
    augment = make(init);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  port.on("message", (m: { step: number; seed: number; n: number; pixels: Uint8Array }) => {
    try {
      if (!augment) throw new Error(failure ?? "view worker: no augmenter");
      const split = {
        n: m.n,
        height: init.height,
        width: init.width,
        pixels: m.pixels,
        labels: new Int16Array(m.n),
      };
      const idx = new Int32Array(m.n);
      for (let i = 0; i < m.n; i++) idx[i] = i;
      const batch = toImageBatch(split, idx);
      const rng = createRng(m.seed);
      const [a, b] = augment(batch, rng);
      const v1 = a.data;
      const v2 = b.data;
      port.postMessage({ step: m.step, view1: v1, view2: v2 }, [
        v1.buffer,
        v2.buffer,
      ] as ArrayBuffer[]);
    } catch (e) {
      port.postMessage({ step: m.step, error: e instanceof Error ? e.message : String(e) });
    }
  });
}

if (parentPort && isViewWorkerFor(__filename))
  serveViews(parentPort, workerData as ViewWorkerInit, (init) => twoViewAugmenter(init.spec));
