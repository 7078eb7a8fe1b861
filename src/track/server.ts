/**
 * The local MLflow tracking server: started from the project's .venv, bound to 127.0.0.1, with a
 * sqlite backend store and a proxied artifact store (`--serve-artifacts`) under a project folder.
 * Used by `npm start`, by the toolkit's embedded default (no MLFLOW_TRACKING_URI), and by the test
 * fixture (a temporary store on a free port).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { pidAlive } from "../util/process";

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
  /** Detach the server so it outlives this process (the toolkit's embedded default). */
  detached: boolean;
  /** Where server output goes; default <storeDir>/server.log. */
  logFile?: string;
}

/** Defaults for {@link MlflowServerOptions}. */
export const MLFLOW_SERVER_DEFAULTS: Readonly<MlflowServerOptions> = Object.freeze({
  storeDir: path.join(PROJECT_ROOT, ".simclr", "mlflow"),
  port: 5000,
  strictPort: false,
  startTimeoutS: 90,
  detached: false,
});

/** A running tracking server. */
export interface MlflowServer {
  url: string;
  port: number;
  pid: number;
  storeDir: string;
  /** True when this call started it (false when an existing one was reused). */
  started: boolean;
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
    const deadline = Date.now() + 10_000;
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
  ];
  const child = spawn(bin, args, {
    cwd: storeDir,
    detached: true, // own process group, so stop() reaches the workers too
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      MLFLOW_TRACKING_URI: "",
      PYTHONUNBUFFERED: "1",
      // MLflow 3 starts a job runner and seven huey consumer processes for server-side jobs
      // (GenAI evaluation); the workbench uses none, and on a 2-core machine they cost memory and
      // start-up time.
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
    },
  });
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
}

function recordPath(storeDir: string): string {
  return path.join(storeDir, "server.json");
}

/**
 * The project's local server: reuses a running one recorded in <storeDir>/server.json, else starts
 * one (detached when `detached`, so a notebook kernel can come and go) and records it.
 */
export async function ensureLocalMlflow(
  options: Partial<MlflowServerOptions> = {},
): Promise<MlflowServer> {
  const o: MlflowServerOptions = { ...MLFLOW_SERVER_DEFAULTS, ...options };
  const rec = recordPath(path.resolve(o.storeDir));
  if (fs.existsSync(rec)) {
    try {
      const r = JSON.parse(fs.readFileSync(rec, "utf8")) as ServerRecord;
      if (pidAlive(r.pid) && (await mlflowHealthy(r.url))) {
        return {
          url: r.url,
          port: Number(new URL(r.url).port),
          pid: r.pid,
          storeDir: r.storeDir,
          started: false,
          stop: async () => {},
        };
      }
    } catch {
      /* stale or unreadable record: start a new server */
    }
  }
  const server = await startMlflowServer(o);
  fs.writeFileSync(
    rec,
    JSON.stringify({
      url: server.url,
      pid: server.pid,
      storeDir: server.storeDir,
    } satisfies ServerRecord),
  );
  const stop = server.stop;
  return {
    ...server,
    stop: async () => {
      await stop();
      fs.rmSync(rec, { force: true });
    },
  };
}

/**
 * The tracking URI the toolkit uses: MLFLOW_TRACKING_URI when set, else the project's local
 * server, started (detached) or reused.
 */
export async function resolveTrackingUri(): Promise<string> {
  const env = process.env.MLFLOW_TRACKING_URI;
  if (env && env.trim() !== "") return env.trim().replace(/\/$/, "");
  const s = await ensureLocalMlflow({ detached: true });
  return s.url;
}
