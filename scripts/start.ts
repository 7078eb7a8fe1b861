/**
 * `npm start`: the workbook. Starts (or reuses) the local MLflow tracking server unless
 * MLFLOW_TRACKING_URI points elsewhere, then JupyterLab opening on notebooks/00-quickstart.ipynb
 * with the TypeScript kernel and quiet settings (src/workbench/jupyter.ts), and prints both URLs.
 *
 * Both servers live and die with this launcher. It stops them on Ctrl-C, SIGTERM, SIGHUP (the
 * terminal closed) and when its output pipe closes (`npm start | tee log`, then the reader ends:
 * EPIPE). When it dies without a chance to stop them (SIGKILL, a crash), each server's watchdog
 * (src/util/watchdog.cjs) sees the end of its pipe from this process and stops it. One MLflow
 * server serves a store at a time: a second `npm start` reuses the running one (server.json,
 * server.lock in the store).
 *
 *   npm start -- [--port 8888] [--mlflow-port 5000] [--mlflow-store .simclr/mlflow]
 */
import { parseArgs } from "node:util";
import { experimentsUrl, MODEL_TRAINING_VIEW_HINT } from "../src/track/links";
import {
  MLFLOW_SERVER_DEFAULTS,
  ensureLocalMlflow,
  mlflowHealthy,
  stopHint,
  type MlflowServer,
} from "../src/track/server";
import { startJupyterLab, type JupyterServer } from "../src/workbench/jupyter";
import { configureFromEnv } from "../src/workbench/params";

/** Set when stdout or stderr is a closed pipe: nothing more is written, and the launcher stops. */
let outputClosed = false;
let requestStop: (why: string) => void = () => {};
/** Why the launcher was asked to stop, once it was (it may be while a server is still starting). */
let stopReason: string | undefined;

function say(line: string, stream: NodeJS.WriteStream = process.stdout): void {
  if (!outputClosed) stream.write(`${line}\n`);
}

/** Stops on Ctrl-C, SIGTERM, SIGHUP and a closed output pipe; resolves with the reason. */
function stopRequested(): Promise<string> {
  return new Promise<string>((resolve) => {
    let stopping = false;
    requestStop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      stopReason = why;
      resolve(why);
    };
  });
}

function watchForStop(): Promise<string> {
  const stopped = stopRequested();
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(sig, () => requestStop(sig));
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      // EPIPE: the reader of our output is gone (a closed terminal, `| tee` ended).
      outputClosed = true;
      requestStop(e.code ?? "output error");
    });
  }
  return stopped;
}

async function main(): Promise<number> {
  configureFromEnv(process.env);
  const stopped = watchForStop();
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8888" },
      "mlflow-port": { type: "string", default: "5000" },
      "mlflow-store": { type: "string", default: MLFLOW_SERVER_DEFAULTS.storeDir },
    },
  });
  const port = Number(values.port);
  const mlflowPort = Number(values["mlflow-port"]);
  for (const [name, v] of [
    ["--port", port],
    ["--mlflow-port", mlflowPort],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 65535) {
      say(`npm start: ${name} must be a port number 0..65535, got '${String(v)}'`, process.stderr);
      return 2;
    }
  }

  let mlflow: MlflowServer | undefined;
  let trackingUri = process.env.MLFLOW_TRACKING_URI?.trim();
  if (trackingUri) {
    const ok = await mlflowHealthy(trackingUri, 5000);
    say(
      ok
        ? `MLflow (external): ${trackingUri}`
        : `warning: MLFLOW_TRACKING_URI=${trackingUri} does not answer /health; runs will be journaled locally until it does`,
    );
  } else {
    say("starting MLflow ...");
    mlflow = await ensureLocalMlflow({ port: mlflowPort, storeDir: values["mlflow-store"] });
    trackingUri = mlflow.url;
    if (!mlflow.started)
      say(
        `(reusing the MLflow server that serves this store already, pid ${mlflow.pid}; ${stopHint(mlflow)})`,
      );
  }

  if (stopReason) {
    // asked to stop while MLflow started: do not start JupyterLab only to stop it
    say(`stopping MLflow (${stopReason}) ...`);
    await mlflow?.stop();
    return 0;
  }
  say("starting JupyterLab ...");
  let lab: JupyterServer;
  try {
    lab = await startJupyterLab({ port, trackingUri });
  } catch (e) {
    if (mlflow) await mlflow.stop();
    throw e;
  }
  say("");
  say(`  MLflow:     ${experimentsUrl(trackingUri)}`);
  say(`  JupyterLab: ${lab.labUrl}`);
  say("");
  say(MODEL_TRAINING_VIEW_HINT);
  say(
    "It opens on notebooks/00-quickstart.ipynb with the 'TypeScript (simclr-workbook)' kernel. Ctrl-C stops both.",
  );

  const why = await stopped;
  say(`\nstopping JupyterLab and MLflow (${why}) ...`);
  await Promise.all([lab.stop(), mlflow?.stop()]);
  say("stopped.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    say(`npm start: ${e instanceof Error ? e.message : String(e)}`, process.stderr);
    process.exit(1);
  },
);
