/**
 * Linear evaluation (SimCLR section 2.3, appendix B.5): a multinomial logistic regression trained on
 * frozen, cached features and scored by top-1 on held-out images. Features are standardised with
 * the training mean and deviation; the classifier is trained with mini-batch Adam and a cosine
 * learning-rate decay (the paper trains with Nesterov for 90 epochs on augmented images; training
 * on cached features without augmentation is the common fast variant, e.g. logistic regression in
 * sthalles/SimCLR). With `hidden` > 0 the classifier is an MLP with one ReLU hidden layer instead
 * (the probes of Table 3, which the paper trains as MLPs).
 */
import * as tf from "@tensorflow/tfjs";
import { createRng, permutation } from "../util/random";
import { maxLabel, type FeatureSet } from "./features";

/** Options of linearEval. */
export interface LinearEvalOptions {
  /** Passes over the training features. */
  epochs: number;
  /** Mini-batch size. */
  batchSize: number;
  /** Peak Adam learning rate (cosine-decayed to 0). */
  learningRate: number;
  /** L2 penalty on the weights (not the bias). */
  weightDecay: number;
  /** Number of classes; 0 infers max label + 1. */
  classes: number;
  /** Seed of the shuffles and of the hidden layer's initialisation. */
  seed: number;
  /** Width of a ReLU hidden layer; 0 (the default) is the linear classifier. */
  hidden: number;
}

/** Defaults of linearEval. */
export const LINEAR_EVAL_DEFAULTS: Readonly<LinearEvalOptions> = Object.freeze({
  epochs: 100,
  batchSize: 1024,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  classes: 0,
  seed: 0,
  hidden: 0,
});

/** Result of linearEval. */
export interface LinearEvalResult {
  /** Top-1 accuracy on the test features, in [0, 1]. */
  testAccuracy: number;
  /** Top-1 accuracy on the training features. */
  trainAccuracy: number;
  /** Final mean training cross-entropy. */
  trainLoss: number;
  /** Seconds spent training and scoring the classifier. */
  seconds: number;
}

/** Mean and standard deviation per feature column. */
function columnStats(f: FeatureSet): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(f.dim);
  const sq = new Float64Array(f.dim);
  for (let i = 0; i < f.n; i++) {
    const o = i * f.dim;
    for (let j = 0; j < f.dim; j++) {
      const v = f.data[o + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const m = new Float32Array(f.dim);
  const s = new Float32Array(f.dim);
  for (let j = 0; j < f.dim; j++) {
    m[j] = mean[j] / f.n;
    s[j] = Math.sqrt(Math.max(sq[j] / f.n - m[j] * m[j], 0)) + 1e-6;
  }
  return { mean: m, std: s };
}

/** Top-1 accuracy of logits [N, C] against labels. */
function accuracyOf(logits: tf.Tensor2D, labels: Int16Array): number {
  const t = logits.argMax(1);
  const pred = t.dataSync();
  t.dispose();
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return labels.length ? ok / labels.length : 0;
}

/** The classifier's trainable weights: [W, b] (linear) or [W1, b1, W2, b2] (one hidden layer). */
function classifierWeights(
  d: number,
  classes: number,
  hidden: number,
  seed: number,
): tf.Variable[] {
  if (hidden <= 0)
    return [
      tf.tidy(() => tf.variable(tf.zeros([d, classes]), true)), // [D, C]
      tf.tidy(() => tf.variable(tf.zeros([classes]), true)), // [C]
    ];
  const rng = createRng(seed);
  const he = (fanIn: number, fanOut: number): tf.Variable =>
    tf.tidy(() => {
      const std = Math.sqrt(2 / fanIn);
      const v = Float32Array.from({ length: fanIn * fanOut }, () => rng.normal() * std);
      return tf.variable(tf.tensor2d(v, [fanIn, fanOut]), true);
    });
  return [
    he(d, hidden), // [D, H]
    tf.tidy(() => tf.variable(tf.zeros([hidden]), true)), // [H]
    he(hidden, classes), // [H, C]
    tf.tidy(() => tf.variable(tf.zeros([classes]), true)), // [C]
  ];
}

/** Logits [N, C] of features x [N, D] under the weights of {@link classifierWeights}. */
function logitsOf(x: tf.Tensor2D, w: readonly tf.Variable[]): tf.Tensor2D {
  const [w1, b1, w2, b2] = w;
  const first = x.matMul(w1 as tf.Tensor2D).add(b1);
  return (
    w2 && b2
      ? first
          .relu()
          .matMul(w2 as tf.Tensor2D)
          .add(b2)
      : first
  ) as tf.Tensor2D;
}

/**
 * Trains a linear classifier (or, with `hidden`, a one-hidden-layer MLP) on `train` features and scores it on `test`. Images with label < 0
 * are ignored. Does not leak tensors.
 */
export function linearEval(
  train: FeatureSet,
  test: FeatureSet,
  options: Partial<LinearEvalOptions> = {},
): LinearEvalResult {
  const o = { ...LINEAR_EVAL_DEFAULTS, ...options };
  const t0 = performance.now();
  const classes = o.classes || maxLabel(train, test) + 1;
  const { mean, std } = columnStats(train);
  const d = train.dim;
  const rng = createRng(o.seed);
  const keep = (f: FeatureSet): number[] => {
    const idx: number[] = [];
    for (let i = 0; i < f.n; i++) if (f.labels[i] >= 0) idx.push(i);
    return idx;
  };
  const trainIdx = keep(train);
  const testIdx = keep(test);
  const toTensor = (f: FeatureSet, idx: number[]): tf.Tensor2D =>
    tf.tidy(() => {
      const x = tf.tensor2d(f.data, [f.n, d]).gather(idx);
      return x.sub(tf.tensor1d(mean)).div(tf.tensor1d(std)) as tf.Tensor2D;
    });
  const xTrain = toTensor(train, trainIdx); // [Ntr, D]
  const xTest = toTensor(test, testIdx); // [Nte, D]
  const yTrainLabels = Int16Array.from(trainIdx, (i) => train.labels[i]);
  const yTestLabels = Int16Array.from(testIdx, (i) => test.labels[i]);
  const yTrain = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Int32Array.from(yTrainLabels), "int32"), classes).toFloat(),
  ); // [Ntr, C]

  const weights = classifierWeights(d, classes, o.hidden, o.seed);
  // Weight decay on the matrices, not the biases.
  const matrices = weights.filter((v) => v.rank === 2);
  const n = trainIdx.length;
  const bs = Math.min(o.batchSize, n);
  const stepsPerEpoch = Math.ceil(n / bs);
  const total = Math.max(1, o.epochs * stepsPerEpoch);
  const optimizer = tf.train.adam(o.learningRate);
  let lastLoss = NaN;
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const perm = permutation(n, rng);
    for (let s = 0; s < n; s += bs) {
      const lr = 0.5 * o.learningRate * (1 + Math.cos((Math.PI * step) / total));
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const idx = tf.tensor1d(perm.subarray(s, Math.min(n, s + bs)), "int32");
      const loss = optimizer.minimize(
        () => {
          const xb = xTrain.gather(idx); // [B, D]
          const yb = yTrain.gather(idx); // [B, C]
          const logits = logitsOf(xb as tf.Tensor2D, weights); // [B, C]
          const ce = tf.losses.softmaxCrossEntropy(yb, logits);
          const l2 = tf.addN(matrices.map((m) => m.square().sum()));
          return ce.add(l2.mul(0.5 * o.weightDecay)) as tf.Scalar;
        },
        step === total - 1 || s + bs >= n,
        weights,
      );
      idx.dispose();
      if (loss) {
        lastLoss = loss.dataSync()[0];
        loss.dispose();
      }
      step++;
    }
  }
  const trainLogits = tf.tidy(() => logitsOf(xTrain, weights));
  const testLogits = tf.tidy(() => logitsOf(xTest, weights));
  const result: LinearEvalResult = {
    trainAccuracy: accuracyOf(trainLogits, yTrainLabels),
    testAccuracy: accuracyOf(testLogits, yTestLabels),
    trainLoss: lastLoss,
    seconds: (performance.now() - t0) / 1000,
  };
  tf.dispose([trainLogits, testLogits, xTrain, xTest, yTrain, ...weights]);
  optimizer.dispose();
  return result;
}
