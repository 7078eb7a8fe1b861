/**
 * Worker-thread body of the view stream (views.ts): receives a batch's bytes and seed, returns the
 * two augmented views (transferred, not copied).
 */
import { parentPort, workerData } from "node:worker_threads";
import { toImageBatch } from "../data/batch";
import { createRng } from "../util/random";
import { twoViewAugmenter, type TwoViewSpec } from "./views";
import { loadPlugins } from "../plugins/load";

interface Init {
  kind: string;
  spec: TwoViewSpec;
  height: number;
  width: number;
}

if (parentPort && workerData && (workerData as Init).kind === "simclr-views") {
  const init = workerData as Init;
  const port = parentPort;
  // The parent resolved these; the same content is loaded here (sha256 checked) before any batch.
  let failure: string | null = null;
  try {
    loadPlugins(init.spec.plugins ?? []);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  const augment = failure === null ? twoViewAugmenter(init.spec) : null;
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
