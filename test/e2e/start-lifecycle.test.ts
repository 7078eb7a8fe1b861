/**
 * `npm start`'s servers live and die with the launcher (issue 28, item 1): after Ctrl-C, SIGTERM,
 * SIGHUP, a closed output pipe and SIGKILL of the launcher, no process it started is left and
 * both ports are free; a second launcher on the same store reuses the running MLflow server
 * instead of opening the store with a second one. Real servers from .venv, started once per case.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { mlflowHealthy } from "../../src/track/server";
import { ROOT, exited, killAll, launch, leftovers, type Launched } from "../support/launcher";
import { tempDir } from "../support/tmp";

const skip =
  process.platform !== "linux"
    ? "reads /proc"
    : !fs.existsSync(path.join(ROOT, ".venv", "bin", "jupyter-lab"))
      ? "no .venv (npm run setup)"
      : false;

/** Starts a launcher on free ports with its own store. */
function start(store = tempDir("start-store")): Promise<Launched> {
  return launch(ROOT, ["--port", "0", "--mlflow-port", "0", "--mlflow-store", store]);
}

/** Ends the launcher with `end`, then asserts that nothing it started is left. */
async function endsClean(end: (l: Launched) => void): Promise<void> {
  const l = await start();
  assert.ok(l.descendants.length >= 2, `expected the two servers, saw ${l.descendants}`);
  try {
    end(l);
    await exited(l.child);
    const left = await leftovers(l.descendants, l.ports);
    assert.deepEqual(left, [], `left running after the launcher ended:\n${l.output()}`);
  } finally {
    killAll(l);
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"] as const) {
  test(`${signal} to npm start stops MLflow and JupyterLab`, { skip }, async () => {
    await endsClean((l) => l.child.kill(signal));
  });
}

test(
  "npm start stops both when its output pipe is closed (npm start | tee, then Ctrl-C)",
  { skip },
  async () => {
    await endsClean((l) => {
      // The reader is gone first (tee ended); the launcher's next line meets EPIPE.
      l.child.stdout?.destroy();
      l.child.stderr?.destroy();
      l.child.kill("SIGINT");
    });
  },
);

test(
  "a second npm start on the same store reuses the running MLflow server",
  { skip },
  async () => {
    const store = tempDir("start-store");
    const first = await start(store);
    let second: Launched | undefined;
    try {
      second = await start(store);
      assert.equal(second.mlflowUrl, first.mlflowUrl, second.output());
      assert.match(second.output(), /reusing the MLflow server that serves this store already/);
      second.child.kill("SIGTERM");
      await exited(second.child);
      assert.deepEqual(await leftovers(second.descendants, [second.ports[1]]), []);
      assert.ok(await mlflowHealthy(first.mlflowUrl), "the first launcher's MLflow stopped too");
      const lab = await fetch(first.labUrl, { signal: AbortSignal.timeout(5000) });
      assert.ok(lab.ok, "the first launcher's JupyterLab stopped too");
      first.child.kill("SIGTERM");
      await exited(first.child);
      assert.deepEqual(await leftovers(first.descendants, first.ports), [], first.output());
    } finally {
      killAll(first);
      if (second) killAll(second);
    }
  },
);
