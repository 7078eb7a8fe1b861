/**
 * `npm start`: the workbook. Starts (or reuses) the local MLflow tracking server unless
 * MLFLOW_TRACKING_URI points elsewhere, then JupyterLab opening on notebooks/00-quickstart.ipynb
 * with the TypeScript kernel and quiet settings (src/workbench/jupyter.ts), prints both URLs, and
 * stops both cleanly on Ctrl-C.
 *
 *   npm start -- [--port 8888] [--mlflow-port 5000]
 */
import { parseArgs } from "node:util";
import { experimentsUrl, MODEL_TRAINING_VIEW_HINT } from "../src/track/links";
import { ensureLocalMlflow, mlflowHealthy, type MlflowServer } from "../src/track/server";
import { startJupyterLab, type JupyterServer } from "../src/workbench/jupyter";
import { configureFromEnv } from "../src/workbench/params";

async function main(): Promise<number> {
  configureFromEnv(process.env);
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8888" },
      "mlflow-port": { type: "string", default: "5000" },
    },
  });
  const port = Number(values.port);
  const mlflowPort = Number(values["mlflow-port"]);
  for (const [name, v] of [
    ["--port", port],
    ["--mlflow-port", mlflowPort],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 65535) {
      console.error(`npm start: ${name} must be a port number 0..65535, got '${String(v)}'`);
      return 2;
    }
  }

  let mlflow: MlflowServer | undefined;
  let trackingUri = process.env.MLFLOW_TRACKING_URI?.trim();
  if (trackingUri) {
    const ok = await mlflowHealthy(trackingUri, 5000);
    console.log(
      ok
        ? `MLflow (external): ${trackingUri}`
        : `warning: MLFLOW_TRACKING_URI=${trackingUri} does not answer /health; runs will be journaled locally until it does`,
    );
  } else {
    console.log("starting MLflow ...");
    mlflow = await ensureLocalMlflow({ port: mlflowPort });
    trackingUri = mlflow.url;
    if (!mlflow.started)
      console.log("(reusing the project's MLflow server that is already running)");
  }

  console.log("starting JupyterLab ...");
  let lab: JupyterServer;
  try {
    lab = await startJupyterLab({ port, trackingUri });
  } catch (e) {
    if (mlflow) await mlflow.stop();
    throw e;
  }
  console.log("");
  console.log(`  MLflow:     ${experimentsUrl(trackingUri)}`);
  console.log(`  JupyterLab: ${lab.labUrl}`);
  console.log("");
  console.log(MODEL_TRAINING_VIEW_HINT);
  console.log(
    "It opens on notebooks/00-quickstart.ipynb with the 'TypeScript (simclr-workbook)' kernel. Ctrl-C stops both.",
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      console.log("\nstopping JupyterLab and MLflow ...");
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await lab.stop();
  if (mlflow) await mlflow.stop();
  console.log("stopped.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
