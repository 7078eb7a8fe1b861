import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { splitDigest, datasetInput } from "../../src/track/dataset-input";
import { commandSource, environmentTags } from "../../src/track/environment";
import { experimentsUrl, runUrl } from "../../src/track/links";
import { PROJECT_ROOT } from "../../src/track/server";
import { createSystemSampler } from "../../src/track/system-metrics";
import { syntheticDataset } from "../train/support";

test("the CLI's source is `simclr <args>`; another script's is its project-relative path", () => {
  const bin = path.join(PROJECT_ROOT, "bin", "simclr.cjs");
  assert.deepEqual(commandSource(["node", bin, "pretrain", "--preset", "tiny"]), {
    name: "simclr pretrain --preset tiny",
    type: "LOCAL",
  });
  const script = path.join(PROJECT_ROOT, "scripts", "reproduce.ts");
  assert.equal(
    commandSource(["node", script, "--preset", "small"]).name,
    "scripts/reproduce.ts --preset small",
  );
  const tags = environmentTags({ name: "00-quickstart.ipynb", type: "NOTEBOOK" });
  assert.equal(tags["mlflow.source.name"], "00-quickstart.ipynb");
  assert.equal(tags["mlflow.source.type"], "NOTEBOOK");
});

test("a split's digest follows its images and labels, not the data set's name", () => {
  const a = syntheticDataset(32, 8);
  const b = syntheticDataset(32, 8);
  assert.equal(splitDigest(a.train), splitDigest(b.train));
  const changed = { ...a.train, labels: a.train.labels.map((l, i) => (i === 0 ? (l + 1) % 2 : l)) };
  assert.notEqual(splitDigest(changed), splitDigest(a.train));
  const input = datasetInput(a, a.train, "train", "training");
  assert.equal(input.name, "synthetic/train");
  assert.ok(input.digest.length <= 36);
  assert.deepEqual(JSON.parse(input.profile).num_images, a.train.n);
});

test("links open MLflow's model-training view", () => {
  assert.equal(
    experimentsUrl("http://127.0.0.1:5000/"),
    "http://127.0.0.1:5000/#/experiments?workflowType=machine_learning",
  );
  assert.equal(
    runUrl("http://h:1", "3", "abc"),
    "http://h:1/#/experiments/3/runs/abc?workflowType=machine_learning",
  );
});

test("system metrics: CPU percentages in 0..100 and the process's memory", async () => {
  const sample = createSystemSampler();
  const end = Date.now() + 200;
  while (Date.now() < end) {
    /* some CPU time to measure */
  }
  const s = sample();
  for (const k of [
    "system/cpu_utilization_percentage",
    "system/process_cpu_utilization_percentage",
  ]) {
    assert.ok(s[k] >= 0 && s[k] <= 100.5, `${k} = ${s[k]}`);
  }
  assert.ok(s["system/process_cpu_utilization_percentage"] > 0);
  assert.ok(s["system/process_memory_megabytes"] > 10);
});
