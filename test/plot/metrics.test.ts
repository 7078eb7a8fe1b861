import { test } from "node:test";
import assert from "node:assert/strict";
import {
  evaluatesH,
  figureBaseline,
  hMetric,
  keyWords,
  metricRange,
  metricWords,
  randomInitMetricOf,
} from "../../src/plot/metrics";

const run = (metrics: Record<string, number>) => ({ metrics });

test("the random-init metric matches what a figure plots: linear on h, kNN where runs evaluate h only, none for g(h)", () => {
  const hOnly = [run({ linear_acc: 0.5, knn_acc: 0.4 })];
  const withGh = [run({ linear_acc: 0.5, linear_acc_h: 0.45, linear_acc_gh: 0.5 })];
  assert.equal(hMetric(hOnly), "linear_acc");
  assert.equal(hMetric(withGh), "linear_acc_h");
  assert.equal(randomInitMetricOf(hOnly, "linear_acc"), "random_init_linear_acc");
  assert.equal(randomInitMetricOf(hOnly, "knn_acc"), "random_init_knn_acc");
  assert.equal(randomInitMetricOf(withGh, "linear_acc_h"), "random_init_linear_acc");
  // where runs evaluate g(h), linear_acc is g(h)'s: no random-init counterpart
  assert.equal(evaluatesH(withGh, "linear_acc"), false);
  assert.equal(randomInitMetricOf(withGh, "linear_acc"), undefined);
  assert.equal(randomInitMetricOf(withGh, "knn_acc"), undefined);
  assert.equal(randomInitMetricOf(hOnly, "supervised_acc"), undefined);
});

test("a figure's one baseline is the mean over the runs it shows of the matching random-init metric", () => {
  const a = run({ linear_acc: 0.5, random_init_linear_acc: 0.3 });
  const b = run({ linear_acc: 0.6, random_init_linear_acc: 0.4 });
  const notShown = run({ linear_acc: 0.7, random_init_linear_acc: 0.9 });
  const sup = run({ supervised_acc: 0.8, random_init_linear_acc: 0.1 });
  const shown = [
    { run: a, metric: "linear_acc" },
    { run: b, metric: "linear_acc" },
    // scored by supervised_acc: its random-init linear accuracy is not its baseline
    { run: sup, metric: "supervised_acc" },
  ];
  const base = figureBaseline(shown, [a, b, notShown, sup]);
  assert.equal(base?.metric, "random_init_linear_acc");
  assert.equal(base?.n, 2);
  assert.ok(Math.abs((base?.value ?? NaN) - 0.35) < 1e-12);
  assert.equal(figureBaseline([{ run: sup, metric: "supervised_acc" }]), undefined);
});

test("metrics and config keys read in words, accuracies range over [0, 1]", () => {
  assert.equal(metricWords("linear_acc"), "linear-evaluation accuracy");
  assert.equal(metricWords("some_new_metric"), "some new metric");
  assert.equal(keyWords("augment.ops[0]"), "first transformation");
  assert.equal(keyWords("augment.ops[-1]"), "second transformation");
  assert.equal(keyWords("optimizer.lrScaling"), "learning-rate scaling");
  assert.equal(keyWords("train.someKey"), "some key");
  assert.deepEqual(metricRange("knn_acc"), [0, 1]);
  assert.deepEqual(metricRange("probe_rotation_h"), [0, 1]);
  assert.equal(metricRange("final_loss"), undefined);
  assert.equal(metricRange("accuracy_gain"), undefined);
});
