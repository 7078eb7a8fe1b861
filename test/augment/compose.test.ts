import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUGMENT_NAMES, compose, defaultPipeline, pipeline } from "../../src/augment/compose";
import { asymmetric, createViewStream, makeTwoViews, symmetric } from "../../src/augment/views";
import { createRng } from "../../src/util/random";
import { randomBatch } from "./support";
import { randomSplit } from "../data/helpers";

describe("composition and two views", () => {
  it("gives identical outputs for a fixed seed and different ones for another seed", () => {
    const batch = randomBatch(6, 16, 16, 1);
    for (const name of AUGMENT_NAMES) {
      const f = compose([name], { blur: { p: 1 }, grayscale: { p: 1 } });
      const a = f(batch, createRng(5));
      const b = f(batch, createRng(5));
      assert.deepEqual(Array.from(a.data), Array.from(b.data), name);
    }
    const f = compose(defaultPipeline().ops.map((s) => s.name));
    assert.notDeepEqual(
      Array.from(f(batch, createRng(1)).data),
      Array.from(f(batch, createRng(2)).data),
    );
  });

  it("keeps every output in [0, 1], never modifies its input, and keeps the shape", () => {
    const batch = randomBatch(5, 12, 12, 2);
    const copy = Float32Array.from(batch.data);
    const all = compose(
      [
        "crop",
        "flip",
        "cutout",
        "color",
        "jitter",
        "grayscale",
        "sobel",
        "noise",
        "blur",
        "rotate",
      ],
      { blur: { p: 1 } },
    );
    const out = all(batch, createRng(3));
    assert.deepEqual(Array.from(batch.data), Array.from(copy));
    assert.equal(out.data.length, batch.data.length);
    for (const v of out.data) assert.ok(v >= 0 && v <= 1);
  });

  it("applies steps in the given order", () => {
    // sobel then grayscale gives gray edges; grayscale then sobel gives the same here, but
    // noise then sobel differs from sobel then noise
    const batch = randomBatch(2, 8, 8, 4);
    const a = compose(["noise", "sobel"])(batch, createRng(1));
    const b = compose(["sobel", "noise"])(batch, createRng(1));
    assert.notDeepEqual(Array.from(a.data), Array.from(b.data));
    const c = compose(["sobel", "noise"])(batch, createRng(1));
    assert.deepEqual(Array.from(b.data), Array.from(c.data));
  });

  it("rejects an unknown augmentation name listing the valid ones", () => {
    assert.throws(
      () => pipeline(["crop", "solarize" as "crop"]),
      /unknown augmentation 'solarize'; expected one of crop, flip/,
    );
  });

  it("builds the CIFAR-10 default pipeline of appendix B.9 and the ImageNet variant with blur", () => {
    assert.deepEqual(defaultPipeline(), {
      ops: [
        { name: "crop" },
        { name: "flip" },
        { name: "color", options: { strength: 0.5, impl: "simclrv2" } },
      ],
    });
    assert.deepEqual(
      defaultPipeline({ colorStrength: 1, blur: true }).ops.map((s) => s.name),
      ["crop", "flip", "color", "blur"],
    );
  });

  it("shares one crop between the branches and applies the studied transformations to branch 2 only (Figure 5)", () => {
    const spec = asymmetric({ studied: ["rotate", { name: "color", options: { strength: 1 } }] });
    assert.deepEqual(
      spec.shared?.ops.map((s) => s.name),
      ["crop"],
    );
    assert.deepEqual(spec.view1.ops, []);
    assert.deepEqual(
      spec.view2.ops.map((s) => s.name),
      ["rotate", "color"],
    );
    const batch = randomBatch(4, 8, 8, 5);
    // Branch 1 is the shared crop itself ("the identity" on the cropped image).
    const [v1] = makeTwoViews(batch, spec, createRng(9));
    const cropOnly = compose(["crop"])(batch, createRng(9));
    assert.deepEqual(Array.from(v1.data), Array.from(cropOnly.data));
    // Nothing studied: the two views are the same image, so the diagonal's "crop" cell is a
    // genuine second crop and not a copy of the shared one.
    const [a, b] = makeTwoViews(batch, asymmetric({ studied: [] }), createRng(4));
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    const [c, d] = makeTwoViews(batch, asymmetric({ studied: ["crop"] }), createRng(4));
    assert.notDeepEqual(Array.from(c.data), Array.from(d.data));
  });

  it("makes two different views of the same images with a symmetric spec", () => {
    const batch = randomBatch(4, 16, 16, 6);
    const [a, b] = makeTwoViews(batch, symmetric(), createRng(1));
    assert.equal(a.n, 4);
    assert.notDeepEqual(Array.from(a.data), Array.from(b.data));
  });
});

describe("view stream", () => {
  it("covers each image once per epoch and gives the same batches with and without the worker", async () => {
    const split = randomSplit(40, 8, 8, 4, 7);
    const collect = async (worker: boolean) => {
      const out = [];
      for await (const b of createViewStream(split, { batchSize: 8, seed: 3, steps: 10, worker }))
        out.push(b);
      return out;
    };
    const local = await collect(false);
    const threaded = await collect(true);
    // The worker also honours a shared step (Figure 5's asymmetric setup).
    const spec = asymmetric({ studied: ["color"] });
    const asym = async (worker: boolean) => {
      const out = [];
      for await (const b of createViewStream(split, {
        batchSize: 8,
        seed: 3,
        steps: 2,
        worker,
        spec,
      }))
        out.push(b);
      return out;
    };
    const [al, at] = [await asym(false), await asym(true)];
    for (let i = 0; i < 2; i++)
      assert.deepEqual(Array.from(at[i].view2.data), Array.from(al[i].view2.data));
    assert.equal(local.length, 10);
    const firstEpoch = local
      .slice(0, 5)
      .flatMap((b) => Array.from(b.indices))
      .sort((x, y) => x - y);
    assert.deepEqual(
      firstEpoch,
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.deepEqual(
      local.map((b) => b.epoch),
      [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    );
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(Array.from(threaded[i].indices), Array.from(local[i].indices));
      assert.deepEqual(Array.from(threaded[i].view1.data), Array.from(local[i].view1.data));
      assert.deepEqual(Array.from(threaded[i].view2.data), Array.from(local[i].view2.data));
      assert.deepEqual(
        Array.from(threaded[i].labels),
        Array.from(local[i].indices, (j) => split.labels[j]),
      );
    }
  });

  it("resumes at a step with the same batches, and per-epoch seeds match one stream per epoch", async () => {
    const split = randomSplit(24, 4, 4, 3, 9);
    const collect = async (opts: Parameters<typeof createViewStream>[1]) => {
      const out = [];
      for await (const b of createViewStream(split, { batchSize: 8, worker: false, ...opts }))
        out.push(b);
      return out;
    };
    const epochSeed = (e: number): number => 1000 + e;
    const full = await collect({ steps: 9, epochSeed });
    const resumed = await collect({ steps: 9, startStep: 4, epochSeed });
    assert.deepEqual(
      resumed.map((b) => b.step),
      [4, 5, 6, 7, 8],
    );
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(Array.from(resumed[i].view2.data), Array.from(full[i + 4].view2.data));
    }
    const perEpoch = [
      ...(await collect({ steps: 3, seed: 1000 })),
      ...(await collect({ steps: 3, seed: 1001 })),
    ];
    for (let i = 0; i < 6; i++) {
      assert.deepEqual(Array.from(perEpoch[i].indices), Array.from(full[i].indices));
      assert.deepEqual(Array.from(perEpoch[i].view1.data), Array.from(full[i].view1.data));
    }
  });

  it("reports a failing augmentation when the batch is awaited, with and without the worker", async () => {
    const split = randomSplit(8, 4, 6, 2, 10); // not square: quarter turns fail
    for (const worker of [false, true]) {
      const stream = createViewStream(split, {
        batchSize: 4,
        steps: 2,
        worker,
        spec: symmetric(pipeline(["rotate"])),
      });
      await new Promise((r) => setTimeout(r, 50)); // the failure happens before anyone awaits
      await assert.rejects(stream.next(), /quarter turns need square images, got 6x4/);
      await stream.close();
    }
  });

  it("stops its worker when the consumer breaks out early", async () => {
    const split = randomSplit(16, 4, 4, 2, 8);
    const stream = createViewStream(split, { batchSize: 4, steps: 100, worker: true });
    let n = 0;
    for await (const _ of stream) if (++n === 2) break;
    assert.equal(n, 2);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
  });
});
