import { test } from "node:test";
import assert from "node:assert/strict";
import {
  flattenParams,
  normalizeTrackingUri,
  runsToTable,
  splitBatch,
  validateKey,
  validateParamValue,
  MLFLOW_LIMITS,
  type Metric,
} from "../../src/track/mlflow";
import { canonicalJson, configHash } from "../../src/track/hash";
import {
  trackingContextFromEnv,
  trackingContextTags,
  trackingContextToEnv,
} from "../../src/track/context";

function metrics(n: number): Metric[] {
  return Array.from({ length: n }, (_, i) => ({ key: "m", value: i, step: i, timestamp: 0 }));
}

test("splitBatch keeps every request within 1000 metrics, 100 params, 100 tags and 1000 entities, in order", () => {
  const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: "v" }));
  const tags = Array.from({ length: 130 }, (_, i) => ({ key: `t${i}`, value: "v" }));
  const parts = splitBatch({ metrics: metrics(2950), params, tags });
  for (const p of parts) {
    const m = p.metrics?.length ?? 0;
    const pp = p.params?.length ?? 0;
    const t = p.tags?.length ?? 0;
    assert.ok(
      m <= MLFLOW_LIMITS.metricsPerBatch && pp <= 100 && t <= 100 && m + pp + t <= 1000,
      JSON.stringify([m, pp, t]),
    );
  }
  assert.deepEqual(
    parts.flatMap((p) => p.metrics ?? []).map((m) => m.step),
    Array.from({ length: 2950 }, (_, i) => i),
  );
  assert.equal(parts.flatMap((p) => p.params ?? []).length, 250);
  assert.equal(parts.flatMap((p) => p.tags ?? []).length, 130);
  // first request: 100 params + 100 tags leave room for 800 metrics
  assert.equal(parts[0].metrics?.length, 800);
  assert.deepEqual(splitBatch({}), []);
});

test("flattenParams flattens nested configs with dots, joins arrays of values with ',' as config params do", () => {
  assert.deepEqual(
    flattenParams({
      optim: { lr: 0.3, kind: "lars", inner: { x: true } },
      ops: ["crop", "color"],
      none: null,
      skip: undefined,
    }),
    {
      "optim.lr": "0.3",
      "optim.kind": "lars",
      "optim.inner.x": "true",
      ops: "crop,color",
      none: "null",
    },
  );
});

test("keys MLflow rejects give errors naming the field", () => {
  for (const ok of ["lr", "optim.lr", "train/loss", "a b:c-d_e", "é"])
    validateKey(ok, "metric key");
  assert.throws(
    () => validateKey("lr!", "param key"),
    /param key "lr!" has characters MLflow rejects/,
  );
  assert.throws(
    () => validateKey("a/../b", "metric key"),
    /metric key "a\/\.\.\/b" is not a clean relative path/,
  );
  assert.throws(
    () => validateKey("/abs", "tag key"),
    /tag key "\/abs" is not a clean relative path/,
  );
  assert.throws(
    () => validateKey("x".repeat(251), "param key"),
    /251 characters; MLflow allows 250/,
  );
  assert.throws(() => validateKey("", "metric key"), /non-empty/);
  validateParamValue("k", "x".repeat(6000));
  assert.throws(
    () => validateParamValue("k", "x".repeat(6001)),
    /param 'k' value is 6001 characters/,
  );
});

test("tracking URIs must be http(s) URLs", () => {
  assert.equal(normalizeTrackingUri(" http://127.0.0.1:5000/ "), "http://127.0.0.1:5000");
  assert.throws(
    () => normalizeTrackingUri("databricks"),
    /MLFLOW_TRACKING_URI "databricks" is not a URL/,
  );
  assert.throws(
    () => normalizeTrackingUri("sqlite:///x.db", "--uri"),
    /--uri "sqlite:\/\/\/x.db" uses 'sqlite:'/,
  );
});

test("config hashes ignore key order and change with any value", () => {
  const a = { b: 1, a: { y: [1, 2], x: "s" } };
  const b = { a: { x: "s", y: [1, 2] }, b: 1 };
  assert.equal(canonicalJson(a), '{"a":{"x":"s","y":[1,2]},"b":1}');
  assert.equal(configHash(a), configHash(b));
  assert.notEqual(configHash(a), configHash({ ...b, b: 2 }));
  assert.match(configHash(a), /^[0-9a-f]{64}$/);
});

test("the tracking context round-trips through environment variables and implies tags", () => {
  const ctx = {
    trackingUri: "http://h:1",
    experiment: "e",
    parentRunId: "p",
    configHash: "h",
    study: "s",
    runName: "r",
    preset: "tiny",
  };
  const env = trackingContextToEnv(ctx);
  assert.equal(env.SIMCLR_PARENT_RUN_ID, "p");
  assert.deepEqual(trackingContextFromEnv(env), ctx);
  assert.deepEqual(trackingContextFromEnv({ SIMCLR_EXPERIMENT: "  " }), {});
  assert.deepEqual(trackingContextTags(ctx), {
    "mlflow.parentRunId": "p",
    "simclr.config_hash": "h",
    "simclr.study": "s",
    "simclr.preset": "tiny",
  });
});

test("runsToTable makes one row per run with metrics, params and tags columns", () => {
  const info = (id: string) => ({
    runId: id,
    experimentId: "1",
    runName: id,
    status: "FINISHED" as const,
    startTime: 1,
    artifactUri: "",
    lifecycleStage: "active",
  });
  const t = runsToTable([
    { info: info("a"), metrics: { acc: 0.5 }, params: { lr: "1" }, tags: {} },
    { info: info("b"), metrics: {}, params: { lr: "2", bs: "8" }, tags: { x: "y" } },
  ]);
  assert.equal(t.numRows(), 2);
  assert.deepEqual(t.columnNames().slice(6), ["metrics.acc", "params.bs", "params.lr", "tags.x"]);
  assert.equal(t.get("metrics.acc", 1), undefined);
  assert.equal(t.get("params.lr", 1), "2");
});
