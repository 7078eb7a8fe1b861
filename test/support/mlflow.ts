/**
 * Test fixture: a real `mlflow server` from the project's .venv on a free loopback port with a
 * temporary store, started once per test file and stopped afterwards.
 *
 *   const mlflow = useMlflowServer();           // registers before/after hooks
 *   test("...", async () => { mlflow.url ... });
 */
import { after, before } from "node:test";
import fs from "node:fs";
import { startMlflowServer, type MlflowServer } from "../../src/track/server";
import { reapOnSignal } from "./reap";
import { tempDir } from "./tmp";

/** Handle filled in by the `before` hook. */
export interface MlflowFixture {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The temporary store folder (mlflow.db and artifacts/). */
  storeDir: string;
  /** The server, for restart tests (stop() then start again with the same storeDir). */
  server: MlflowServer;
  /** Stops and starts the server on the same port and store (for journal-replay tests). */
  restart(): Promise<void>;
  /**
   * Resolves once the server is up. Node 20 runs a file's top-level `before` hooks concurrently,
   * so another `before` hook that needs `url` must await this first.
   */
  ready: Promise<void>;
}

/** Starts a temporary MLflow server for the current test file. */
export function useMlflowServer(): MlflowFixture {
  let markReady: () => void = () => {};
  let markFailed: (e: unknown) => void = () => {};
  const fixture = {
    ready: new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    }),
  } as MlflowFixture;
  fixture.ready.catch(() => {}); // reported by the hook itself
  before(async () => {
    const storeDir = tempDir("mlflow");
    let server: MlflowServer;
    try {
      server = await startMlflowServer({ storeDir, port: 0 });
    } catch (e) {
      markFailed(e);
      throw e;
    }
    Object.assign(fixture, {
      url: server.url,
      storeDir,
      server,
      restart: async () => {
        await fixture.server.stop();
        fixture.server = await startMlflowServer({
          storeDir,
          port: fixture.server.port,
          strictPort: true,
        });
      },
    });
    reapOnSignal(() => fixture.server?.pid);
    markReady();
  });
  after(async () => {
    await fixture.server?.stop();
    if (fixture.storeDir) fs.rmSync(fixture.storeDir, { recursive: true, force: true });
  });
  return fixture;
}
