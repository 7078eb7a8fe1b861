/**
 * The toolkit never starts a tracking server behind its caller's back (issue 23): without
 * MLFLOW_TRACKING_URI and without a running local server, resolving the tracking URI fails with a
 * message that says how to start one, and starts nothing; a run then waits in its journal.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  setTrackingSettings,
  trackingSettings,
  trackingSettingsFromEnv,
} from "../../src/track/context";
import { NoTrackingServer, resolveTrackingUri, START_MLFLOW_HOWTO } from "../../src/track/server";
import { tempDir } from "../support/tmp";

const tmp = tempDir("no-server");
const saved = trackingSettings();
after(() => {
  setTrackingSettings(saved);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("tracking without a server", () => {
  it("fails saying how to start one, and starts none", async () => {
    setTrackingSettings({ context: {} });
    const store = path.join(tmp, "mlflow");
    await assert.rejects(resolveTrackingUri({ storeDir: store }), (e: unknown) => {
      assert.ok(e instanceof NoTrackingServer);
      assert.match(e.message, /MLFLOW_TRACKING_URI is not set and no local server is running/);
      assert.ok(e.message.includes(START_MLFLOW_HOWTO));
      assert.match(e.message, /npm start/);
      return true;
    });
    // Nothing was started: no store, no server record, no log.
    assert.equal(fs.existsSync(store), false);
  });

  it("ignores a stale record of a server that is gone", async () => {
    setTrackingSettings({ context: {} });
    const store = path.join(tmp, "stale");
    fs.mkdirSync(store, { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max default, so no process has it.
    fs.writeFileSync(
      path.join(store, "server.json"),
      JSON.stringify({ url: "http://127.0.0.1:9", pid: 4194305, storeDir: store }),
    );
    await assert.rejects(resolveTrackingUri({ storeDir: store }), NoTrackingServer);
    assert.deepEqual(fs.readdirSync(store), ["server.json"]);
  });

  it("uses the URI the entry point read, trailing slash dropped", async () => {
    setTrackingSettings(
      trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: " http://127.0.0.1:5999/ " }),
    );
    assert.equal(
      await resolveTrackingUri({ storeDir: path.join(tmp, "unused") }),
      "http://127.0.0.1:5999",
    );
  });
});
