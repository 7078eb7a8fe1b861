import { spawn } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { useMlflowServer } from "../support/mlflow";
import { portInUse } from "../../src/track/server";
import { pidAlive } from "../../src/util/process";

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

test("a test process killed by SIGTERM or SIGINT takes its MLflow server down with it", async () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, "..", "support", "hold-mlflow.ts")],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    const seen = new Promise<[number, number]>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /MLFLOW (\d+) (\d+)/.exec(out);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      });
      child.once("exit", (code) => reject(new Error(`holder exited (${code}) early: ${out}`)));
    });
    const [pid, port] = await seen;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (pidAlive(pid) || (await portInUse(port))))
      await new Promise((r) => setTimeout(r, 200));
    const leaked = pidAlive(pid);
    if (leaked) process.kill(-pid, "SIGKILL"); // do not leave it behind when the check fails
    assert.equal(leaked, false, `${signal}: MLflow server ${pid} still running`);
    assert.equal(await portInUse(port), false, `${signal}: port ${port} still taken`);
  }
});
