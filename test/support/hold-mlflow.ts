/**
 * A test file body for the fixture's own test: starts the MLflow fixture, prints the server's pid
 * and port, then waits to be killed (test/integration/mlflow-fixture.test.ts sends the signal).
 */
import { test } from "node:test";
import { useMlflowServer } from "./mlflow";

const mlflow = useMlflowServer();

test("holds the fixture's server until killed", async () => {
  await mlflow.ready;
  console.log(`MLFLOW ${mlflow.server.pid} ${mlflow.server.port}`);
  await new Promise((r) => setTimeout(r, 600_000));
});
