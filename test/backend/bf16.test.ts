/**
 * The bfloat16 convolution (src/backend/bf16.ts) against float32, per op: forward, input gradient
 * and filter gradient, at stride 1 and 2 and with the 3-channel stem input.
 *
 * Tolerance: bfloat16 keeps 8 significant bits, so each input is rounded by up to 2^-9 relative
 * (~2e-3), and a product by up to ~4e-3; oneDNN accumulates in float32 and the output is rounded to
 * bfloat16 once more. Over K = 9 x cin products of random signs the error of a sum grows like
 * sqrt(K) x 4e-3 x |product|, far below 2% of the largest output. A wrong tap, padding, stride or
 * transpose gives errors of order 1. The test also asserts the error is above float32's: a kernel
 * that silently ran in float32 would pass a closeness test alone.
 *
 * Skipped, with the reason, on a CPU without AVX512-BF16 or AMX or without native TensorFlow.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../../src/backend";
import { bf16Conv2d, bf16Unavailable } from "../../src/backend/bf16";
import { conv2dFp32 } from "../../src/models/conv";
import { resolveConfig } from "../../src/config/resolve";
import { pretrain } from "../../src/train/pretrain";
import type { StepMetrics } from "../../src/train/metrics";
import { cpuInfo } from "../../src/track/cpu";
import { recordingLogger, small, syntheticDataset } from "../train/support";
import { assertClose, randomArray } from "./support";

const BF16_TOLERANCE = Object.freeze({ rtol: 2e-2, atol: 1e-4 });

/** y, dx and dW of one conv for a fixed upstream gradient. */
function convOutputs(
  conv: (x: tf.Tensor4D, w: tf.Tensor4D, s: number) => tf.Tensor4D,
  shape: [number, number, number, number],
  cout: number,
  stride: number,
): Record<"y" | "dx" | "dW", Float32Array> {
  return tf.tidy(() => {
    const [n, h, w, cin] = shape;
    const x = tf.tensor4d(randomArray(n * h * w * cin, 21), shape);
    const f = tf
      .tensor4d(randomArray(9 * cin * cout, 22), [3, 3, cin, cout])
      .mul(0.2) as tf.Tensor4D;
    const y = conv(x, f, stride);
    const dy = tf.tensor(randomArray(y.size, 23), y.shape);
    const [dx, dW] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D, stride), dy)),
    )([x, f]);
    return {
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dW: dW.dataSync() as Float32Array,
    };
  });
}

/** Largest |a - b| relative to the largest |b|. */
function relError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

describe("bf16 convolution", async () => {
  await initBackend({ quiet: true });
  const why = bf16Unavailable(cpuInfo(), backendInfo());
  const opts = why ? { skip: `bf16 unavailable: ${why}` } : {};
  let bf16: ReturnType<typeof bf16Conv2d>;
  before(() => {
    if (!why) bf16 = bf16Conv2d();
  });

  const cases: {
    name: string;
    shape: [number, number, number, number];
    cout: number;
    s: number;
  }[] = [
    { name: "3x3 stride 1, 16 -> 32 channels", shape: [4, 12, 12, 16], cout: 32, s: 1 },
    { name: "3x3 stride 2, 16 -> 32 channels", shape: [4, 12, 12, 16], cout: 32, s: 2 },
    { name: "3x3 stride 1, the RGB stem (3 -> 32)", shape: [4, 12, 12, 3], cout: 32, s: 1 },
  ];
  for (const c of cases) {
    it(`${c.name}: forward and both gradients within bf16 tolerance of fp32`, opts, () => {
      const want = convOutputs(conv2dFp32, c.shape, c.cout, c.s);
      const got = convOutputs(bf16, c.shape, c.cout, c.s);
      for (const k of ["y", "dx", "dW"] as const) {
        assertClose(got[k], want[k], `${c.name} ${k}`, BF16_TOLERANCE);
        // Products rounded to 8 bits leave an error far above float32's (~1e-6).
        assert.ok(relError(got[k], want[k]) > 1e-4, `${k} equals fp32: bf16 did not run`);
      }
    });
  }

  it(
    "frees every tensor it makes, JavaScript and native (the bfloat16 handles live inside one op)",
    opts,
    () => {
      convOutputs(bf16, [2, 8, 8, 8], 8, 1); // first call builds the per-stride function
      const be: object = tf.backend();
      const binding = "binding" in be ? (be.binding as { getNumOfTensors(): number }) : undefined;
      const before = [tf.memory().numTensors, binding?.getNumOfTensors()];
      convOutputs(bf16, [2, 8, 8, 8], 8, 1);
      assert.deepEqual([tf.memory().numTensors, binding?.getNumOfTensors()], before);
    },
  );
});

describe("bf16 training", async () => {
  await initBackend({ quiet: true });
  const why = bf16Unavailable(cpuInfo(), backendInfo());
  const dataset = syntheticDataset(256, 64);
  const losses = async (precision: "fp32" | "bf16") => {
    const steps: StepMetrics[] = [];
    const logger = recordingLogger();
    await pretrain(resolveConfig("tiny", small, { train: { precision } }), {
      dataset,
      logger,
      progress: false,
      onStep: (m) => steps.push(m),
    });
    return { losses: steps.map((m) => m.loss), params: logger.params };
  };

  it(
    "a bf16 run logs its precision and follows the fp32 run's losses within bf16 rounding",
    why ? { skip: `bf16 unavailable: ${why}` } : {},
    async () => {
      const fp32 = await losses("fp32");
      const bf16 = await losses("bf16");
      assert.equal(bf16.params["train.precision"], "bf16");
      assert.equal(fp32.params["train.precision"], "fp32");
      assert.equal(bf16.losses.length, 6);
      for (const [i, l] of bf16.losses.entries()) {
        assert.ok(Number.isFinite(l), `step ${i}: loss ${l}`);
        // Same seed, same batches: six steps of rounding move NT-Xent (~3.4 nats) by far less than 2%.
        assert.ok(
          Math.abs(l - fp32.losses[i]) < 0.02 * fp32.losses[i],
          `step ${i}: ${l} vs ${fp32.losses[i]}`,
        );
      }
      assert.notDeepEqual(
        bf16.losses,
        fp32.losses,
        "bf16 losses equal fp32's bit for bit: bf16 did not run",
      );
    },
  );
});

describe("bf16 availability", () => {
  const native = { backend: "tensorflow", onednn: true };
  it("refuses a CPU without bf16 instructions, naming it and the fix", () => {
    const why = bf16Unavailable({ model: "AMD EPYC 7B13", id: "x", isa: ["AVX2"] }, native);
    assert.match(String(why), /AMD EPYC 7B13.*neither AVX512-BF16 nor AMX.*"fp32"/);
  });
  it("refuses the wasm backend and oneDNN turned off", () => {
    const cpu = { model: "Xeon", id: "x", isa: ["AVX-512", "AVX512-BF16", "AMX"] };
    assert.match(String(bf16Unavailable(cpu, { backend: "wasm" })), /backend is wasm/);
    assert.match(
      String(bf16Unavailable(cpu, { backend: "tensorflow", onednn: false })),
      /TF_ENABLE_ONEDNN_OPTS=0/,
    );
  });
});
