/**
 * Two correlated views per image (SimCLR section 2.1, Algorithm 1: t, t' ~ T, drawn independently
 * per image), the asymmetric setup of Figure 5 (one random crop shared by both branches, the studied
 * transformations on one branch only), and a view stream that prepares the next two-view batch on a
 * worker thread while the current training step runs.
 */
import os from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import type { ImageBatch, ImageSplit } from "../data/types";
import { toImageBatch } from "../data/batch";
import { startTsWorker } from "../data/worker";
import { createRng, permutation, type Rng } from "../util/random";
import {
  compose,
  defaultPipeline,
  pipeline,
  type ComposeOptions,
  type ExtraAugmentations,
  type StepLike,
  type ViewPipeline,
} from "./compose";

/** The pipelines of the two branches (plain data: it crosses to worker threads). */
export interface TwoViewSpec {
  /** Applied once per image before both branches, so both see its result (Figure 5's crop). */
  shared?: ViewPipeline;
  view1: ViewPipeline;
  view2: ViewPipeline;
  /** Plugin files ({path, sha256}) whose augmentations the pipelines use: a worker loads them first. */
  plugins?: { path: string; sha256: string }[];
}

/** Both branches draw from the same pipeline (the SimCLR setting). */
export function symmetric(p: ViewPipeline = defaultPipeline()): TwoViewSpec {
  return { view1: p, view2: p };
}

/** Options of {@link asymmetric}. */
export interface AsymmetricOptions {
  /** The studied transformation(s), applied in order on branch 2 only (Figure 5: one or two). */
  studied: StepLike[];
  /** Applied once per image, shared by both branches; Figure 5: random crop and resize. */
  base: StepLike[];
  /** Options per augmentation name. */
  options: ComposeOptions;
  /** Augmentations that are not built in (plugins, from src/parts). */
  extra?: ExtraAugmentations;
}

/**
 * SimCLR Figure 5's asymmetric setup: "we always first randomly crop images and resize them to the
 * same resolution, and we then apply the targeted transformation(s) only to one branch ..., while
 * leaving the other branch as the identity (i.e. t(x_i) = x_i)". The crop is drawn once per image
 * and shared, so branch 1 is exactly the cropped image and the two views differ only by the studied
 * transformations ("crop" among them is a second, independent crop on branch 2).
 */
export function asymmetric(
  opts: Partial<AsymmetricOptions> & Pick<AsymmetricOptions, "studied">,
): TwoViewSpec {
  const base = opts.base ?? ["crop"];
  const o = opts.options ?? {};
  const x = opts.extra;
  return {
    shared: pipeline(base, o, x),
    view1: pipeline([], o, x),
    view2: pipeline(opts.studied, o, x),
  };
}

/**
 * The function that makes both views of a batch from one `rng`: shared steps, view 1, view 2.
 * `extra`: the augmentations that are not built in (plugins, from src/parts).
 */
export function twoViewAugmenter(
  spec: TwoViewSpec,
  extra?: ExtraAugmentations,
): (batch: ImageBatch, rng: Rng) => [ImageBatch, ImageBatch] {
  const shared = spec.shared?.ops.length ? compose(spec.shared, {}, extra) : null;
  const aug1 = compose(spec.view1, {}, extra);
  const aug2 = compose(spec.view2, {}, extra);
  return (batch, rng) => {
    const x = shared ? shared(batch, rng) : batch;
    return [aug1(x, rng), aug2(x, rng)];
  };
}

/** Makes the two views of every image of a batch: view 1 then view 2, from the same `rng`. */
export function makeTwoViews(
  batch: ImageBatch,
  spec: TwoViewSpec = symmetric(),
  rng: Rng,
  extra?: ExtraAugmentations,
): [ImageBatch, ImageBatch] {
  return twoViewAugmenter(spec, extra)(batch, rng);
}

/** One step's input from a view stream. */
export interface TwoViewBatch {
  view1: ImageBatch;
  view2: ImageBatch;
  /** Indices into the split of the batch's images. */
  indices: Int32Array;
  /** Their labels (for monitoring only; -1 when unlabelled). */
  labels: Int16Array;
  /** 0-based step and epoch. */
  step: number;
  epoch: number;
}

/** Options of {@link createViewStream}. */
export interface ViewStreamOptions {
  /** Images per batch (N; each gives two views, 2N). */
  batchSize: number;
  /** The two branches; default: the SimCLR CIFAR-10 pipeline on both. */
  spec: TwoViewSpec;
  /** Seed of the shuffle and of every batch's augmentation (epoch 0 uses it as is). */
  seed: number;
  /**
   * Seed of each epoch's shuffle and augmentations; default `seed` for epoch 0 and a mix of `seed`
   * and the epoch after. Per-epoch seeds make a resumed stream (startStep) give the same batches.
   */
  epochSeed?: (epoch: number) => number;
  /** Index of the last step + 1 (batches per epoch = floor(n / batchSize), last partial batch dropped); default one epoch. */
  steps?: number;
  /** First step to produce (resuming a run); default 0. */
  startStep?: number;
  /** Prepare batches on a worker thread (true), on this thread (false), or decide by core count ("auto"). */
  worker: boolean | "auto";
  /** Augmentations that are not built in (plugins), for batches made on this thread. */
  extra?: ExtraAugmentations;
  /**
   * The worker thread's module (absolute path): default this folder's viewWorker.ts (built-ins
   * only); src/parts/view-worker.ts loads the spec's plugins first.
   */
  workerModule?: string;
}

/** Defaults of {@link ViewStreamOptions}. */
export const VIEW_STREAM_DEFAULTS: Readonly<Omit<ViewStreamOptions, "spec">> = Object.freeze({
  batchSize: 256,
  seed: 0,
  worker: "auto" as const,
});

/** An async iterator of two-view batches that prepares the next batch while the caller trains. */
export interface ViewStream extends AsyncIterableIterator<TwoViewBatch> {
  /** Stops the worker (also done when iteration ends or breaks). */
  close(): Promise<void>;
}

/** One batch of a view stream: which images, and the seed of their augmentation. */
export interface ViewJob {
  step: number;
  epoch: number;
  indices: Int32Array;
  seed: number;
}

/** Builds one two-view batch for a job; the same result on any thread (seeded per batch). */
export function buildTwoViewBatch(
  split: ImageSplit,
  spec: TwoViewSpec,
  job: ViewJob,
  extra?: ExtraAugmentations,
): TwoViewBatch {
  const batch = toImageBatch(split, job.indices);
  const [view1, view2] = makeTwoViews(batch, spec, createRng(job.seed), extra);
  const labels = new Int16Array(job.indices.length);
  for (let i = 0; i < labels.length; i++) labels[i] = split.labels[job.indices[i]];
  return { view1, view2, indices: job.indices, labels, step: job.step, epoch: job.epoch };
}

/**
 * A stream of two-view batches over a split: shuffled each epoch with a seeded permutation, each
 * batch augmented with its own seed drawn in order, so the stream is identical with and without
 * the worker thread. The next batch is prepared while the consumer works on the current one.
 */
export function createViewStream(
  split: ImageSplit,
  options: Partial<ViewStreamOptions> = {},
): ViewStream {
  const o: ViewStreamOptions = {
    batchSize: options.batchSize ?? VIEW_STREAM_DEFAULTS.batchSize,
    spec: options.spec ?? symmetric(),
    seed: options.seed ?? VIEW_STREAM_DEFAULTS.seed,
    epochSeed: options.epochSeed,
    steps: options.steps,
    startStep: options.startStep,
    worker: options.worker ?? VIEW_STREAM_DEFAULTS.worker,
    extra: options.extra,
    workerModule: options.workerModule,
  };
  if (!(o.batchSize > 0 && o.batchSize <= split.n)) {
    throw new Error(
      `createViewStream: batchSize ${o.batchSize} must be in 1..${split.n} (the split's size)`,
    );
  }
  const perEpoch = Math.floor(split.n / o.batchSize);
  const total = o.steps ?? perEpoch;
  const epochRng = (epoch: number): Rng =>
    createRng(
      o.epochSeed
        ? o.epochSeed(epoch)
        : epoch === 0
          ? o.seed
          : createRng((o.seed ^ Math.imul(epoch, 0x9e3779b9)) >>> 0).seed(),
    );
  let rng: Rng = createRng(o.seed);
  let rngEpoch = -1;
  let perm: Int32Array = new Int32Array(0);
  let nextStep = o.startStep ?? 0;
  const nextJob = (): ViewJob | null => {
    if (nextStep >= total) return null;
    const step = nextStep++;
    const epoch = Math.floor(step / perEpoch);
    const k = step % perEpoch;
    if (epoch !== rngEpoch) {
      // each epoch: its own source, the shuffle, then one seed per batch (skipped ones drawn too)
      rng = epochRng(epoch);
      rngEpoch = epoch;
      perm = permutation(split.n, rng);
      for (let j = 0; j < k; j++) rng.seed();
    }
    const indices = perm.slice(k * o.batchSize, (k + 1) * o.batchSize);
    return { step, epoch, indices, seed: rng.seed() };
  };
  const useWorker = o.worker === "auto" ? os.cpus().length >= 2 : o.worker;
  const producer = useWorker
    ? workerProducer(split, o.spec, o.workerModule ?? path.join(__dirname, "viewWorker.ts"))
    : localProducer(split, o.spec, o.extra);

  let pending: Promise<TwoViewBatch> | null = null;
  const schedule = (): void => {
    const job = nextJob();
    pending = job ? producer.produce(job) : null;
    // a failure is reported when the batch is awaited, not as an unhandled rejection meanwhile
    pending?.catch(() => undefined);
  };
  schedule();
  let closed = false;
  const stream: ViewStream = {
    async next(): Promise<IteratorResult<TwoViewBatch>> {
      if (closed || pending === null) {
        await stream.close();
        return { done: true, value: undefined };
      }
      const current = pending;
      let value: TwoViewBatch;
      try {
        value = await current;
      } catch (e) {
        await stream.close();
        throw e;
      }
      schedule(); // start the next batch before handing this one to the training step
      return { done: false, value };
    },
    async return(): Promise<IteratorResult<TwoViewBatch>> {
      await stream.close();
      return { done: true, value: undefined };
    },
    async close() {
      if (closed) return;
      closed = true;
      // a batch still being prepared is abandoned
      (pending as Promise<TwoViewBatch> | null)?.catch(() => undefined);
      pending = null;
      await producer.close();
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

interface Producer {
  produce(job: ViewJob): Promise<TwoViewBatch>;
  close(): Promise<void>;
}

function localProducer(
  split: ImageSplit,
  spec: TwoViewSpec,
  extra: ExtraAugmentations | undefined,
): Producer {
  return {
    // setImmediate lets the caller's current step start before this batch is computed
    produce: (job) =>
      new Promise((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(buildTwoViewBatch(split, spec, job, extra));
          } catch (e) {
            reject(e);
          }
        }),
      ),
    close: async () => undefined,
  };
}

function workerProducer(split: ImageSplit, spec: TwoViewSpec, entry: string): Producer {
  const size = split.height * split.width * 3;
  let worker: Worker | null = startTsWorker(entry, {
    kind: "simclr-views",
    entry,
    spec,
    height: split.height,
    width: split.width,
  });
  const waiting = new Map<
    number,
    {
      resolve: (b: TwoViewBatch) => void;
      reject: (e: Error) => void;
      job: ViewJob;
      labels: Int16Array;
    }
  >();
  const failAll = (e: Error): void => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on(
    "message",
    (m: { step: number; view1: Float32Array; view2: Float32Array; error?: string }) => {
      const w = waiting.get(m.step);
      if (!w) return;
      waiting.delete(m.step);
      if (waiting.size === 0) worker?.unref();
      if (m.error) {
        w.reject(new Error(m.error));
        return;
      }
      const n = w.job.indices.length;
      const shape = { n, height: split.height, width: split.width, channels: 3 as const };
      w.resolve({
        view1: { ...shape, data: m.view1 },
        view2: { ...shape, data: m.view2 },
        indices: w.job.indices,
        labels: w.labels,
        step: w.job.step,
        epoch: w.job.epoch,
      });
    },
  );
  worker.on("error", (e) => failAll(e));
  worker.on("exit", (code) => {
    if (waiting.size > 0) failAll(new Error(`view worker exited with code ${code}`));
    worker = null;
  });
  // The worker does not hold the process open between batches.
  worker.unref();
  return {
    produce(job) {
      return new Promise((resolve, reject) => {
        if (!worker) {
          reject(new Error("view stream is closed"));
          return;
        }
        const n = job.indices.length;
        const pixels = new Uint8Array(n * size);
        const labels = new Int16Array(n);
        for (let i = 0; i < n; i++) {
          const j = job.indices[i];
          pixels.set(split.pixels.subarray(j * size, (j + 1) * size), i * size);
          labels[i] = split.labels[j];
        }
        waiting.set(job.step, { resolve, reject, job, labels });
        worker.ref();
        worker.postMessage({ step: job.step, seed: job.seed, n, pixels }, [pixels.buffer]);
      });
    },
    async close() {
      const w = worker;
      worker = null;
      waiting.clear();
      if (w) await w.terminate();
    },
  };
}
