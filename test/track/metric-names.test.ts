import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  internalMetricName,
  internalMetrics,
  metricGroup,
  mlflowMetricName,
} from "../../src/track/metric-names";

/** Every metric name in the committed archives (results/<preset>/runs.jsonl). */
function archivedMetricNames(): string[] {
  const names = new Set<string>();
  for (const preset of fs.readdirSync("results", { withFileTypes: true })) {
    const file = path.join("results", preset.name, "runs.jsonl");
    if (!preset.isDirectory() || !fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
      const r = JSON.parse(line) as { metrics?: Record<string, number> };
      Object.keys(r.metrics ?? {}).forEach((k) => names.add(k));
    }
  }
  return [...names].sort();
}

test("every metric of the committed archives has a group, and its server name reads back to it", () => {
  const names = archivedMetricNames();
  assert.ok(names.length > 20, `archives list ${names.length} metric names`);
  for (const name of names) {
    // MLflow's own system metrics (cpu, memory) arrive prefixed and pass through unchanged
    if (name.startsWith("system/")) {
      assert.equal(mlflowMetricName(name), name);
      assert.equal(internalMetricName(name), name);
      continue;
    }
    assert.ok(metricGroup(name), `metric '${name}' has no group in src/track/metric-names.ts`);
    assert.match(mlflowMetricName(name), /^(train|eval|time)\//, name);
    assert.equal(internalMetricName(mlflowMetricName(name)), name);
  }
});

test("timings and accuracies land in different groups; system and unknown names pass through", () => {
  assert.equal(mlflowMetricName("linear_acc"), "eval/linear_acc");
  assert.equal(mlflowMetricName("probe_rotation_gh"), "eval/probe_rotation_gh");
  assert.equal(mlflowMetricName("loss"), "train/loss");
  assert.equal(mlflowMetricName("contrastive_acc"), "train/contrastive_acc");
  assert.equal(mlflowMetricName("eval_s"), "time/eval_s");
  assert.equal(mlflowMetricName("feature_s"), "time/feature_s");
  assert.equal(mlflowMetricName("cells_failed"), "sweep/cells_failed");
  assert.equal(
    mlflowMetricName("system/cpu_utilization_percentage"),
    "system/cpu_utilization_percentage",
  );
  assert.equal(mlflowMetricName("my_metric"), "my_metric");
  // read back: the prefix this module adds is removed, nothing else is
  assert.equal(
    internalMetricName("system/cpu_utilization_percentage"),
    "system/cpu_utilization_percentage",
  );
  assert.equal(
    internalMetricName("eval/loss"),
    "eval/loss",
    "a prefix that is not loss's own stays",
  );
  assert.equal(internalMetricName("linear_acc"), "linear_acc", "old runs' plain names");
});

test("a run with both a plain and a prefixed name for one metric reads the prefixed value", () => {
  const both = [
    { key: "eval/linear_acc", value: 0.5 },
    { key: "linear_acc", value: 0.1 },
  ];
  assert.deepEqual(internalMetrics(both), { linear_acc: 0.5 });
  assert.deepEqual(internalMetrics([...both].reverse()), { linear_acc: 0.5 });
});
