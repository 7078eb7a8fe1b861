/**
 * Numerics of every backend present against the pure-JS `cpu` backend (the reference loops of
 * tfjs-backend-cpu): the ops and gradients a SimCLR step is made of. Tolerance: TOLERANCE in
 * ./support (rtol 1e-4 of the largest reference magnitude, atol 1e-5): float32 has 24 bits
 * (~6e-8 relative per rounding); a conv or matmul here sums up to ~600 products whose partial sums
 * are rounded in a different order by oneDNN/Eigen/XNNPACK blocking, so errors of ~sqrt(600) to
 * 600 ulps of the largest partial sum (~1e-6 to 4e-5 relative) are expected, and a real kernel bug
 * (wrong tap, padding or transpose) gives errors of order 1.
 */
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { availableBackends, visibleGpu, type BackendName } from "../../src/backend";
import { assertClose, onBackend, randomArray } from "./support";

type Outputs = Record<string, Float32Array>;

const read = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/** conv2d 3x3 stride 1 and 2 ('same'), forward and both gradients for a fixed upstream gradient. */
function convCase(): Outputs {
  return tf.tidy(() => {
    const out: Outputs = {};
    const x = tf.tensor4d(randomArray(4 * 12 * 12 * 8, 11), [4, 12, 12, 8]);
    const f = tf.tensor4d(randomArray(3 * 3 * 8 * 16, 12), [3, 3, 8, 16]);
    for (const s of [1, 2]) {
      const y = tf.conv2d(x, f, s, "same");
      const dy = tf.tensor(randomArray(y.size, 13), y.shape);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, "same"), dy)),
      )([x, f]);
      out[`conv s${s} y`] = read(y);
      out[`conv s${s} dx`] = read(dx);
      out[`conv s${s} dW`] = read(df);
    }
    return out;
  });
}

/** Batch norm in training mode (batch statistics over N, H, W) and its gradients. */
function batchNormCase(): Outputs {
  return tf.tidy(() => {
    const x = tf
      .tensor4d(randomArray(8 * 6 * 6 * 5, 21), [8, 6, 6, 5])
      .mul(3)
      .add(1) as tf.Tensor4D;
    const gamma = tf.tensor1d(randomArray(5, 22));
    const beta = tf.tensor1d(randomArray(5, 23));
    const dy = tf.tensor4d(randomArray(x.size, 24), x.shape);
    const bn = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
    };
    const [dx, dg, db] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(bn(a, g, b), dy)),
    )([x, gamma, beta]);
    return {
      "bn y": read(bn(x, gamma, beta)),
      "bn dx": read(dx),
      "bn dgamma": read(dg),
      "bn dbeta": read(db),
    };
  });
}

/** matMul (plain and transposed) and its gradients. */
function matMulCase(): Outputs {
  return tf.tidy(() => {
    const a = tf.tensor2d(randomArray(64 * 96, 31), [64, 96]);
    const b = tf.tensor2d(randomArray(96 * 48, 32), [96, 48]);
    const dy = tf.tensor2d(randomArray(64 * 48, 33), [64, 48]);
    const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), dy)),
    )([a, b]);
    return {
      matMul: read(tf.matMul(a, b)),
      "matMul a^T b": read(tf.matMul(a, a, true, false)),
      "matMul da": read(da),
      "matMul db": read(db),
    };
  });
}

/** Softmax cross-entropy over NT-Xent-like logits (temperature 0.5) and its gradient. */
function crossEntropyCase(): Outputs {
  return tf.tidy(() => {
    const logits = tf.tensor2d(randomArray(32 * 32, 41), [32, 32]).div(0.5);
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 32 }, (_, i) => (i + 16) % 32),
        "int32",
      ),
      32,
    );
    const loss = (l: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(l)), 1)));
    const grad = tf.grad(loss)(logits);
    return {
      "xent loss": read(loss(logits)),
      "xent tf.losses": read(tf.losses.softmaxCrossEntropy(labels, logits)),
      "xent dlogits": read(grad),
    };
  });
}

/** Max pooling (ImageNet stem, 3x3 stride 2), global mean and ReLU, with gradients (average
 * pooling is checked against a direct formula in pooling.test.ts: tfjs-cpu's gradient is off). */
function poolCase(): Outputs {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(2 * 9 * 9 * 4, 51), [2, 9, 9, 4]);
    const f = (a: tf.Tensor) =>
      tf.add(
        tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, "same"), 1.5)),
        tf.sum(tf.square(tf.mean(a, [1, 2]))),
      );
    return {
      maxPool: read(tf.maxPool(x, 3, 2, "same")),
      "pool dx": read(tf.grad(f)(x)),
      "relu dx": read(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), a)))(x)),
    };
  });
}

const CASES: Record<string, () => Outputs> = {
  "conv2d forward and input/filter gradients": convCase,
  "batch norm (training mode) and its gradients": batchNormCase,
  "matMul and its gradients": matMulCase,
  "softmax cross-entropy and its gradient": crossEntropyCase,
  "max pooling, global mean and ReLU gradients": poolCase,
};

describe("backend numerics against the cpu backend", () => {
  let present: BackendName[] = [];
  const reference: Record<string, Outputs> = {};
  before(async () => {
    present = (await availableBackends()).available
      .map((b) => b.backend)
      .filter((b) => b !== "cpu");
    for (const [name, fn] of Object.entries(CASES)) reference[name] = await onBackend("cpu", fn);
  });

  for (const backend of ["tensorflow", "wasm"] as const) {
    for (const [name, fn] of Object.entries(CASES)) {
      it(`${backend}: ${name} match cpu`, async (t) => {
        if (!present.includes(backend)) return t.skip(`${backend} is not available here`);
        const got = await onBackend(backend, fn);
        for (const [k, want] of Object.entries(reference[name]))
          assertClose(got[k], want, `${backend} ${k}`);
      });
    }
  }

  it("tensorflow-gpu: conv2d, batch norm, matMul and cross-entropy match cpu", async (t) => {
    if (!visibleGpu())
      return t.skip("no CUDA GPU is visible (nvidia-smi); the GPU path is untested here");
    if (!present.includes("tensorflow-gpu")) {
      return t.skip(
        "a GPU is visible but @tensorflow/tfjs-node-gpu is not built (SIMCLR_TF_FLAVOR=gpu npm run setup -- --force)",
      );
    }
    for (const [name, fn] of Object.entries(CASES)) {
      const got = await onBackend("tensorflow-gpu", fn);
      // cuDNN/cuBLAS may use TF32 on Ampere+: TensorFlow enables it by default, 10-bit mantissa.
      for (const [k, want] of Object.entries(reference[name]))
        assertClose(got[k], want, `gpu ${name} ${k}`, { rtol: 2e-3, atol: 1e-4 });
    }
  });
});
