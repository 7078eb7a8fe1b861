import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { createEncoder, type EncoderOptions } from "../../src/models/encoder";

test("CIFAR ResNet-18 has the standard 11,168,832 parameters without its fc (11,173,962 with a 10-class fc)", () => {
  const enc = createEncoder({ arch: "resnet18", stem: "cifar" }, 1);
  assert.equal(enc.paramCount(), 11_168_832);
  assert.equal(enc.paramCount() + 512 * 10 + 10, 11_173_962);
  assert.equal(enc.featureDim, 512);
  enc.dispose();
});

test("ImageNet-stem ResNet-34 and ResNet-50 match torchvision's counts less the 1000-class fc", () => {
  const r34 = createEncoder({ arch: "resnet34", stem: "imagenet" }, 1);
  assert.equal(r34.paramCount(), 21_797_672 - 513_000);
  r34.dispose();
  const r50 = createEncoder({ arch: "resnet50", stem: "imagenet" }, 1);
  assert.equal(r50.paramCount(), 25_557_032 - 2_049_000);
  assert.equal(r50.featureDim, 2048);
  r50.dispose();
});

test("CIFAR ResNet-18 forward FLOPs are 2 x 555,417,600 multiply-adds at 32x32", () => {
  // stem 32*32*27*64 + layer1 4*32*32*576*64 + layers 2-4 3 * 134,217,728 (incl. 1x1 shortcuts)
  const enc = createEncoder({ arch: "resnet18" }, 1);
  assert.equal(enc.forwardFlops(32, 32), 2 * (1_769_472 + 150_994_944 + 3 * 134_217_728));
  enc.dispose();
});

test("every arch and stem maps [N,H,W,3] to [N, featureDim], also at width 2", () => {
  const cases: [Partial<EncoderOptions>, number][] = [
    [{ arch: "convnet", stem: "cifar" }, 256],
    [{ arch: "convnet", stem: "imagenet" }, 256],
    [{ arch: "convnet", widthMultiplier: 2 }, 512],
    [{ arch: "resnet18", stem: "cifar", widthMultiplier: 0.25 }, 128],
    [{ arch: "resnet18", stem: "imagenet", widthMultiplier: 0.25 }, 128],
    [{ arch: "resnet34", stem: "cifar", widthMultiplier: 0.125 }, 64],
    [{ arch: "resnet50", stem: "cifar", widthMultiplier: 0.125 }, 256],
    [{ arch: "resnet50", stem: "imagenet", widthMultiplier: 0.125 }, 256],
  ];
  for (const [opts, dim] of cases) {
    const enc = createEncoder(opts, 3);
    assert.equal(enc.featureDim, dim, JSON.stringify(opts));
    for (const training of [true, false]) {
      const size = opts.stem === "imagenet" ? 40 : 16;
      const h = tf.tidy(() =>
        enc.apply(tf.randomUniform([3, size, size, 3]) as tf.Tensor4D, training),
      );
      assert.deepEqual(h.shape, [3, dim], JSON.stringify(opts));
      assert.ok(h.dataSync().every(Number.isFinite));
      h.dispose();
    }
    enc.dispose();
  }
});

test("variables have unique stable names and roles; the same seed gives the same weights", () => {
  const a = createEncoder({ arch: "resnet18", widthMultiplier: 0.25 }, 7);
  const b = createEncoder({ arch: "resnet18", widthMultiplier: 0.25 }, 7);
  const c = createEncoder({ arch: "resnet18", widthMultiplier: 0.25 }, 8);
  const names = a.params.map((p) => p.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(
    names,
    b.params.map((p) => p.name),
  );
  assert.ok(names.includes("encoder/layer2.0/shortcut/conv/kernel"));
  assert.ok(names.includes("encoder/layer4.1/2/bn/movingVariance"));
  assert.equal(a.variables.length, a.params.length);
  assert.equal(
    a.trainableVariables.length,
    a.params.filter((p) => !p.role.startsWith("moving")).length,
  );
  const x = tf.randomUniform([4, 8, 8, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const [ha, hb, hc] = [a, b, c].map((e) => tf.tidy(() => e.apply(x, true)));
  assert.deepEqual(Array.from(ha.dataSync()), Array.from(hb.dataSync()));
  assert.notDeepEqual(Array.from(ha.dataSync()), Array.from(hc.dataSync()));
  tf.dispose([x, ha, hb, hc]);
  [a, b, c].forEach((e) => e.dispose());
});

test("training mode updates the BN moving averages that inference mode then uses", () => {
  const enc = createEncoder({ arch: "convnet", widthMultiplier: 0.25 }, 1);
  const mm = enc.params.find((p) => p.name === "encoder/conv1/bn/movingMean");
  assert.ok(mm);
  assert.deepEqual(Array.from(mm.variable.dataSync()), new Array(8).fill(0));
  const x = tf.randomUniform([8, 8, 8, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const hEval0 = tf.tidy(() => enc.apply(x, false));
  tf.tidy(() => enc.apply(x, true));
  // moving mean = 0.9 * 0 + 0.1 * batch mean of conv1's output
  const conv = enc.params.find((p) => p.name === "encoder/conv1/conv/kernel");
  assert.ok(conv);
  const want = tf.tidy(() =>
    tf.mul(tf.mean(tf.conv2d(x, conv.variable as tf.Tensor4D, 1, "same"), [0, 1, 2]), 0.1),
  );
  const got = mm.variable.dataSync();
  want.dataSync().forEach((w, i) => assert.ok(Math.abs(got[i] - w) < 1e-5, `${got[i]} vs ${w}`));
  const hEval1 = tf.tidy(() => enc.apply(x, false));
  assert.notDeepEqual(Array.from(hEval0.dataSync()), Array.from(hEval1.dataSync()));
  tf.dispose([x, hEval0, hEval1, want]);
  enc.dispose();
});

test("gradient steps through the encoder do not grow the tensor count", () => {
  const enc = createEncoder({ arch: "resnet18", widthMultiplier: 0.125 }, 1);
  const x = tf.randomUniform([4, 8, 8, 3]) as tf.Tensor4D;
  const step = (): void => {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(enc.apply(x, true))) as tf.Scalar,
      enc.trainableVariables,
    );
    assert.equal(Object.keys(grads).length, enc.trainableVariables.length);
    tf.dispose([value, grads]);
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  enc.dispose();
});

test("creating and disposing an encoder, head and optimizer leaves no tensors behind", async () => {
  const { createHead } = await import("../../src/models/head");
  const { createOptimizer } = await import("../../src/optim/optimizer");
  const before = tf.memory().numTensors;
  const enc = createEncoder({ arch: "convnet", widthMultiplier: 0.25 }, 1);
  const head = createHead(enc.featureDim, {}, 2);
  const opt = createOptimizer({ kind: "adam" }, [...enc.params, ...head.params]);
  assert.equal(
    tf.memory().numTensors,
    before + enc.params.length + head.params.length + opt.slots.length,
  );
  opt.setState(opt.getState());
  assert.equal(
    tf.memory().numTensors,
    before + enc.params.length + head.params.length + opt.slots.length,
  );
  enc.dispose();
  head.dispose();
  opt.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("invalid encoder options fail with a message naming the value", () => {
  assert.throws(() => createEncoder({ arch: "vgg" as "convnet" }, 1), /unknown encoder arch "vgg"/);
  assert.throws(() => createEncoder({ stem: "tiny" as "cifar" }, 1), /unknown encoder stem "tiny"/);
  assert.throws(() => createEncoder({ widthMultiplier: 0 }, 1), /widthMultiplier must be > 0/);
});
