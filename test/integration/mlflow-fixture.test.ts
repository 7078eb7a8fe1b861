import { test } from "node:test";
import assert from "node:assert/strict";
import { useMlflowServer } from "../support/mlflow";
import { portInUse } from "../../src/track/server";

const mlflow = useMlflowServer();

test("the fixture's MLflow server answers health and creates an experiment", async () => {
  const health = await fetch(`${mlflow.url}/health`);
  assert.equal(health.status, 200);
  const r = await fetch(`${mlflow.url}/api/2.0/mlflow/experiments/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "fixture-check" }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const body = (await r.json()) as { experiment_id: string };
  assert.match(body.experiment_id, /^\d+$/);
});

test("stopping the fixture's server frees its port", async () => {
  const port = mlflow.server.port;
  await mlflow.server.stop();
  assert.equal(await portInUse(port), false);
  await mlflow.restart();
  assert.equal((await fetch(`${mlflow.url}/health`)).status, 200);
});
