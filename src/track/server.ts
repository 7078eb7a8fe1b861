/**
 * The local MLflow tracking server: started from the project's .venv, bound to 127.0.0.1, with a
 * sqlite backend store and a proxied artifact store (`--serve-artifacts`) under a project folder.
 * Started only by entry points that ask for it: `npm start`, `npm run reproduce`, `simclr mlflow
 * start` and the test fixture (a temporary store on a free port). The toolkit itself never starts
 * one: without MLFLOW_TRACKING_URI it uses the project's local server when one is running and
 * otherwise says how to start one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { childEnvironment, pidAlive, spawnGuarded } from "../util/process";
import { trackingSettings } from "./context";

/** The project root (the folder holding package.json). */
export const PROJECT_ROOT: string = path.resolve(__dirname, "..", "..");

/** Options for {@link startMlflowServer}. */
export interface MlflowServerOptions {
  /** Folder for mlflow.db and artifacts/. Default: <project>/.simclr/mlflow. */
  storeDir: string;
  /** Port; 0 picks a free one. When the port is taken, the next free port is used unless `strictPort`. */
  port: number;
  /** Fail instead of moving to the next free port. */
  strictPort: boolean;
  /** Seconds to wait for /health. */
  startTimeoutS: number;
  /**
   * Detach the server so it outlives this process (the toolkit's embedded default). Otherwise it
   * runs under a watchdog and ends with this process, however this process ends.
   */
  detached: boolean;
  /** Where server output goes; default <storeDir>/server.log. */
  logFile?: string;
  /**
   * Seconds uvicorn keeps an idle client connection open (its own default is 5). Longer than a
   * client holds one: Node's fetch drops an idle connection after 4 s counted in event-loop turns,
   * which training stretches; a server that closes first makes the client's next request fail with
   * "other side closed" (issue 26, test/load/keepalive-race.ts).
   */
  keepAliveS: number;
}

/** Defaults for {@link MlflowServerOptions}. */
export const MLFLOW_SERVER_DEFAULTS: Readonly<MlflowServerOptions> = Object.freeze({
  storeDir: path.join(PROJECT_ROOT, ".simclr", "mlflow"),
  port: 5000,
  strictPort: false,
  startTimeoutS: 90,
  detached: false,
  keepAliveS: 120,
});

/** A running tracking server. */
export interface MlflowServer {
  url: string;
  port: number;
  pid: number;
  storeDir: string;
  /** True when this call started it (false when an existing one was reused). */
  started: boolean;
  /** A reused server tied to another launcher: that launcher's pid (the server ends with it). */
  owner?: number;
  /** Stops the server (SIGTERM to its process group, SIGKILL after 10 s). No-op for reused ones. */
  stop(): Promise<void>;
}

/** Path of the mlflow executable inside the project's virtual environment. */
function mlflowBinary(): string {
  return path.join(PROJECT_ROOT, ".venv", "bin", "mlflow");
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** A port that is free on 127.0.0.1 right now (asks the OS for one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Finds a free port at or after `start` (up to 50 tries). */
export async function nextFreePort(start: number): Promise<number> {
  for (let p = start; p < start + 50; p++) {
    if (!(await portInUse(p))) return p;
  }
  return freePort();
}

/** True when GET <url>/health answers OK within `timeoutMs`. */
export async function mlflowHealthy(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await fetch(`${url.replace(/\/$/, "")}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return r.ok;
  } catch {
    return false;
  }
}

function stopper(child: ChildProcess | null, pid: number): () => Promise<void> {
  return async () => {
    if (!pidAlive(pid)) return;
    const kill = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig); // the whole process group (uvicorn/gunicorn workers)
      } catch {
        try {
          process.kill(pid, sig);
        } catch {
          /* already gone */
        }
      }
    };
    kill("SIGTERM");
    // A watchdog (not detached) sends SIGKILL to the server itself after 10 s.
    const deadline = Date.now() + 12_000;
    while (pidAlive(pid) && Date.now() < deadline) {
      if (child && child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (pidAlive(pid)) kill("SIGKILL");
  };
}

/**
 * Starts `mlflow server` from .venv on 127.0.0.1 and waits until /health answers.
 * Throws an Error with a one-line diagnosis and the fixing command when it cannot start.
 */
export async function startMlflowServer(
  options: Partial<MlflowServerOptions> = {},
): Promise<MlflowServer> {
  const o: MlflowServerOptions = { ...MLFLOW_SERVER_DEFAULTS, ...options };
  const bin = mlflowBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(
      `MLflow is not installed in ${path.dirname(path.dirname(bin))}; fix: npm run setup`,
    );
  }
  let port = o.port === 0 ? await freePort() : o.port;
  if (await portInUse(port)) {
    if (o.strictPort) {
      throw new Error(
        `port ${port} on 127.0.0.1 is already in use; choose another with --mlflow-port or stop what uses it`,
      );
    }
    port = await nextFreePort(port + 1);
  }
  const storeDir = path.resolve(o.storeDir);
  fs.mkdirSync(path.join(storeDir, "artifacts"), { recursive: true });
  const logFile = o.logFile ?? path.join(storeDir, "server.log");
  const out = fs.openSync(logFile, "a");
  const args = [
    "server",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--backend-store-uri",
    `sqlite:///${path.join(storeDir, "mlflow.db")}`,
    "--artifacts-destination",
    path.join(storeDir, "artifacts"),
    "--serve-artifacts",
    "--workers",
    "1",
    "--uvicorn-opts",
    `--timeout-keep-alive ${o.keepAliveS}`,
  ];
  const env = {
    ...childEnvironment(),
    MLFLOW_TRACKING_URI: "",
    PYTHONUNBUFFERED: "1",
    // MLflow 3 starts a job runner and seven huey consumer processes for server-side jobs
    // (GenAI evaluation); the workbench uses none, and on a 2-core machine they cost memory and
    // start-up time.
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
  };
  const child = o.detached
    ? spawn(bin, args, {
        cwd: storeDir,
        detached: true, // own process group, so stop() reaches the workers too
        stdio: ["ignore", out, out],
        env,
      })
    : spawnGuarded(bin, args, { cwd: storeDir, env, out });
  fs.closeSync(out);
  const pid = child.pid ?? -1;
  if (o.detached) child.unref();
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(o.detached ? null : child, pid);
  const deadline = Date.now() + o.startTimeoutS * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || (pid > 0 && !pidAlive(pid))) break;
    if (await mlflowHealthy(url, 1000)) {
      return { url, port, pid, storeDir, started: true, stop };
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  const tail = fs.existsSync(logFile)
    ? fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join(" | ")
    : "";
  throw new Error(
    `MLflow server did not start on ${url} within ${o.startTimeoutS}s (log: ${logFile}${tail ? `: ${tail}` : ""}); ` +
      "fix: rm -rf .venv && npm run setup, or look at the log",
  );
}

/** Record of the project's shared local server, written so the toolkit and `npm start` reuse it. */
interface ServerRecord {
  url: string;
  pid: number;
  storeDir: string;
  /** The process whose lifetime the server shares (absent: detached, it outlives its starter). */
  owner?: number;
}

function recordPath(storeDir: string): string {
  return path.join(storeDir, "server.json");
}

/** The running server recorded for this store, or undefined when none answers. */
async function recordedServer(storeDir: string): Promise<ServerRecord | undefined> {
  const rec = recordPath(storeDir);
  try {
    const r = JSON.parse(fs.readFileSync(rec, "utf8")) as ServerRecord;
    if (pidAlive(r.pid) && (await mlflowHealthy(r.url))) return r;
  } catch {
    /* no record, or unreadable */
  }
  return undefined;
}

/**
 * Takes the store's start lock (`server.lock`, created exclusively, holding this pid), so two
 * launchers never start two servers on one sqlite store. A lock whose process is gone is stale and
 * taken over. Returns false while a live process holds it.
 */
function takeStartLock(storeDir: string): boolean {
  const lock = path.join(storeDir, "server.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      return true;
    } catch {
      const holder = Number(fs.readFileSync(lock, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && pidAlive(holder)) return false;
      fs.rmSync(lock, { force: true }); // stale: its process died while starting
    }
  }
  return false;
}

/** How to stop the server recorded for a store, for messages. */
export function stopHint(r: { pid: number; owner?: number }): string {
  return r.owner
    ? `stop it by ending the process that started it (kill ${r.owner})`
    : `stop it with: kill ${r.pid}`;
}

/**
 * The project's local server, one per store: reuses the running one recorded in
 * <storeDir>/server.json (pid alive and /health answering), else starts one (detached when
 * `detached`, so a notebook kernel can come and go; otherwise tied to this process) and records
 * it. A second caller that finds another one starting waits for it and reuses it. For entry
 * points that start a server on purpose (`npm start`, `npm run reproduce`, `simclr mlflow start`):
 * tracking itself never starts one ({@link resolveTrackingUri}).
 */
export async function ensureLocalMlflow(
  options: Partial<MlflowServerOptions> = {},
): Promise<MlflowServer> {
  const o: MlflowServerOptions = { ...MLFLOW_SERVER_DEFAULTS, ...options };
  const storeDir = path.resolve(o.storeDir);
  fs.mkdirSync(storeDir, { recursive: true });
  const deadline = Date.now() + o.startTimeoutS * 1000;
  for (;;) {
    const r = await recordedServer(storeDir);
    if (r) return reused(r);
    if (takeStartLock(storeDir)) break;
    if (Date.now() > deadline)
      throw new Error(
        `another process (pid ${fs.readFileSync(path.join(storeDir, "server.lock"), "utf8").trim()}) is starting MLflow on ${storeDir} and it did not answer within ${o.startTimeoutS}s; stop that process or remove ${path.join(storeDir, "server.lock")}`,
      );
    await new Promise((res) => setTimeout(res, 500));
  }
  const rec = recordPath(storeDir);
  let server: MlflowServer;
  try {
    server = await startMlflowServer(o);
    fs.writeFileSync(
      rec,
      JSON.stringify({
        url: server.url,
        pid: server.pid,
        storeDir: server.storeDir,
        ...(o.detached ? {} : { owner: process.pid }),
      } satisfies ServerRecord),
    );
  } finally {
    fs.rmSync(path.join(storeDir, "server.lock"), { force: true });
  }
  const stop = server.stop;
  return {
    ...server,
    stop: async () => {
      await stop();
      fs.rmSync(rec, { force: true });
    },
  };
}

function reused(r: ServerRecord): MlflowServer {
  return {
    url: r.url,
    port: Number(new URL(r.url).port),
    pid: r.pid,
    storeDir: r.storeDir,
    started: false,
    ...(r.owner ? { owner: r.owner } : {}),
    stop: async () => {},
  };
}

/** How to get a tracking server, for the messages of callers that found none. */
export const START_MLFLOW_HOWTO =
  "start one with `npm start` (MLflow and JupyterLab) or `npx simclr mlflow start` (MLflow only), " +
  "or point MLFLOW_TRACKING_URI at a running server";

/** No tracking server is set or running; the message says how to start one. */
export class NoTrackingServer extends Error {
  constructor(detail: string) {
    super(`no MLflow tracking server: ${detail}; ${START_MLFLOW_HOWTO}`);
    this.name = "NoTrackingServer";
  }
}

/**
 * The tracking URI the toolkit uses: MLFLOW_TRACKING_URI as the entry point read it, else the
 * project's local server when one is running. Never starts a server: throws
 * {@link NoTrackingServer} (saying how to start one) when neither is there.
 */
export async function resolveTrackingUri(options: { storeDir?: string } = {}): Promise<string> {
  const set = trackingSettings().context.trackingUri;
  if (set && set.trim() !== "") return set.trim().replace(/\/$/, "");
  const storeDir = options.storeDir ?? MLFLOW_SERVER_DEFAULTS.storeDir;
  const running = await recordedServer(path.resolve(storeDir));
  if (running) return running.url;
  throw new NoTrackingServer(
    `MLFLOW_TRACKING_URI is not set and no local server is running (${recordPath(storeDir)})`,
  );
}
