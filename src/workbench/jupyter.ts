/**
 * The workbench's JupyterLab server: started from the project's .venv, bound to 127.0.0.1, with the
 * project-local tslab kernel (`simclr-tslab`) and MLFLOW_TRACKING_URI passed to every kernel,
 * opening on the quickstart notebook. Its settings defaults (no "official Jupyter news" question,
 * no update check) are the environment's own overrides.json. Used by `npm start` and the browser test.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT, freePort, nextFreePort, portInUse } from "../track/server";
import { childEnvironment, pidAlive, spawnGuarded } from "../util/process";

/** Options for {@link startJupyterLab}. */
export interface JupyterOptions {
  /** Port; 0 picks a free one; a taken port moves to the next free one unless `strictPort`. */
  port: number;
  strictPort: boolean;
  /** Folder JupyterLab serves (its file browser root). */
  rootDir: string;
  /** Tracking URI handed to kernels through the environment. */
  trackingUri?: string;
  /** Extra environment for the server and its kernels. */
  env: Record<string, string>;
  /** Seconds to wait until the server answers. */
  startTimeoutS: number;
  /** Server log file; default <project>/.simclr/jupyter.log. */
  logFile: string;
  /** Extra command-line arguments for jupyter-lab (e.g. --LabApp.expose_app_in_browser=True in tests). */
  extraArgs: string[];
  /** Notebook JupyterLab opens on, relative to the project (the quickstart). */
  openNotebook: string;
  /** Saved layouts (open tabs) of this JupyterLab: the project's own, never the user's global ones. */
  workspacesDir: string;
}

/**
 * Settings defaults of the workbench's JupyterLab, written to the environment's
 * `share/jupyter/lab/settings/overrides.json` (the project's .venv, never the user's Jupyter): the
 * news feed and update check are off, so no "Would you like to get notified about official Jupyter
 * news?" pop-up covers the notebook and nothing reaches the network. A user's own settings still win.
 */
export const LAB_SETTING_OVERRIDES: Readonly<Record<string, Record<string, unknown>>> =
  Object.freeze({
    "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
  });

/**
 * Merges {@link LAB_SETTING_OVERRIDES} into `<appDir>/settings/overrides.json` (keeping other
 * entries), writing only when something changes. Returns the file's path. Throws naming the file
 * when it exists but is not a JSON object.
 */
function writeLabOverrides(appDir: string): string {
  const file = path.join(appDir, "settings", "overrides.json");
  let current: Record<string, Record<string, unknown>> = {};
  if (fs.existsSync(file)) {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8") || "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error(`${file}: expected a JSON object of plugin settings`);
    current = parsed as Record<string, Record<string, unknown>>;
  }
  const merged = { ...current };
  for (const [plugin, values] of Object.entries(LAB_SETTING_OVERRIDES))
    merged[plugin] = { ...(current[plugin] ?? {}), ...values };
  if (JSON.stringify(merged) !== JSON.stringify(current)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  }
  return file;
}

/** Defaults for {@link JupyterOptions}. */
export const JUPYTER_DEFAULTS: Readonly<JupyterOptions> = Object.freeze({
  port: 8888,
  strictPort: false,
  rootDir: PROJECT_ROOT,
  env: {},
  startTimeoutS: 120,
  logFile: path.join(PROJECT_ROOT, ".simclr", "jupyter.log"),
  extraArgs: [],
  openNotebook: path.join("notebooks", "00-quickstart.ipynb"),
  workspacesDir: path.join(PROJECT_ROOT, ".simclr", "jupyter", "workspaces"),
});

/** A running JupyterLab server. */
export interface JupyterServer {
  /** Base URL without token, e.g. http://127.0.0.1:8888 */
  url: string;
  port: number;
  token: string;
  pid: number;
  /** URL that opens JupyterLab on the quickstart notebook with the token. */
  labUrl: string;
  stop(): Promise<void>;
}

/** Starts JupyterLab from .venv and waits until its REST API answers. */
export async function startJupyterLab(
  options: Partial<JupyterOptions> = {},
): Promise<JupyterServer> {
  const o: JupyterOptions = { ...JUPYTER_DEFAULTS, ...options };
  const bin = path.join(PROJECT_ROOT, ".venv", "bin", "jupyter-lab");
  if (!fs.existsSync(bin))
    throw new Error(`JupyterLab is not installed in .venv; fix: npm run setup`);
  let port = o.port === 0 ? await freePort() : o.port;
  if (await portInUse(port)) {
    if (o.strictPort)
      throw new Error(`port ${port} on 127.0.0.1 is already in use; choose another with --port`);
    port = await nextFreePort(port + 1);
  }
  const token = randomBytes(16).toString("hex");
  fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
  const out = fs.openSync(o.logFile, "a");
  fs.mkdirSync(o.workspacesDir, { recursive: true });
  writeLabOverrides(path.join(PROJECT_ROOT, ".venv", "share", "jupyter", "lab"));
  const openPath = path
    .relative(o.rootDir, path.join(PROJECT_ROOT, o.openNotebook))
    .split(path.sep)
    .join("/");
  // Under the watchdog: JupyterLab and its kernels end with this process, however it ends.
  const child = spawnGuarded(
    bin,
    [
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--ServerApp.root_dir=${o.rootDir}`,
      `--IdentityProvider.token=${token}`,
      `--LabApp.default_url=/lab/tree/${openPath}`,
      `--LabApp.workspaces_dir=${o.workspacesDir}`,
      "--ServerApp.disable_check_xsrf=False",
      "--LabApp.news_url=",
      "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
      // Jupyter refuses to run as root without this; containers and CI machines often are root.
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
      ...o.extraArgs,
    ],
    {
      cwd: o.rootDir,
      out,
      env: {
        ...childEnvironment(),
        ...o.env,
        ...(o.trackingUri ? { MLFLOW_TRACKING_URI: o.trackingUri } : {}),
        // Only the project's kernels and settings: never the user's global Jupyter data dir.
        JUPYTER_PATH: path.join(PROJECT_ROOT, ".venv", "share", "jupyter"),
        JUPYTER_PREFER_ENV_PATH: "1",
        SIMCLR_ROOT: PROJECT_ROOT,
      },
    },
  );
  fs.closeSync(out);
  const pid = child.pid ?? -1;
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (!pidAlive(pid)) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      /* gone */
    }
    // The watchdog sends SIGKILL to JupyterLab's group itself after 10 s.
    const deadline = Date.now() + 12_000;
    while (pidAlive(pid) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (pidAlive(pid) && child.exitCode === null) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  const deadline = Date.now() + o.startTimeoutS * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/api/status?token=${token}`, {
        signal: AbortSignal.timeout(1500),
      });
      if (r.ok) {
        return {
          url,
          port,
          token,
          pid,
          labUrl: `${url}/lab/tree/${openPath}?token=${token}`,
          stop,
        };
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  const tail = fs.readFileSync(o.logFile, "utf8").trim().split("\n").slice(-3).join(" | ");
  throw new Error(
    `JupyterLab did not start on ${url} (log: ${o.logFile}: ${tail}); fix: rm -rf .venv && npm run setup`,
  );
}
