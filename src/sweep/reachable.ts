/**
 * Whether a sweep's workers can reach its tracking server: a loopback URI (127.0.0.1, localhost,
 * ::1) only works when every node cells may run on is this host. Otherwise the sweep refuses to
 * start and says how to serve MLflow on a cluster address with authentication.
 */
import os from "node:os";
import type { Executor } from "./executor";

/** Whether a host name or address is a loopback one. */
function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\./.test(h) || h.endsWith(".localhost");
}

/** Names and addresses of this host. */
function thisHostNames(): Set<string> {
  const names = new Set<string>(["localhost", os.hostname().toLowerCase()]);
  names.add(os.hostname().split(".")[0].toLowerCase());
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) names.add(a.address.toLowerCase());
  return names;
}

/** How to serve MLflow where workers can reach it, with basic auth (for the refusal message). */
export const CLUSTER_TRACKING_HOWTO = [
  "serve MLflow on an address the workers can reach, with authentication, e.g.",
  "  MLFLOW_FLASK_SERVER_SECRET_KEY=<random> .venv/bin/mlflow server --app-name basic-auth \\",
  "    --host 0.0.0.0 --port 5000 --backend-store-uri sqlite:///<shared dir>/mlflow.db",
  "then export MLFLOW_TRACKING_URI=http://<this host's cluster address>:5000 and",
  "MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (workers get them through the environment;",
  "see environment.md, 'Running a study on a cluster')",
].join("\n");

/**
 * Throws when `trackingUri` is loopback and the executor may run cells on another host. Executors
 * without `workerHosts` run cells on this host.
 */
export async function checkTrackingReachable(
  trackingUri: string,
  executor: Executor,
): Promise<void> {
  if (!executor.workerHosts) return;
  let host: string;
  try {
    host = new URL(trackingUri).hostname;
  } catch {
    return; // not a URL (a file store): nothing to reach
  }
  if (!isLoopbackHost(host)) return;
  const local = thisHostNames();
  const remote = (await executor.workerHosts()).filter(
    (h) => !isLoopbackHost(h) && !local.has(h.toLowerCase()),
  );
  if (remote.length === 0) return;
  throw new Error(
    `simclr sweep: the tracking URI ${trackingUri} is a loopback address, but ${executor.name} may run ` +
      `cells on other hosts (${remote.slice(0, 5).join(", ")}${remote.length > 5 ? ", ..." : ""}), ` +
      `which cannot reach it.\n${CLUSTER_TRACKING_HOWTO}`,
  );
}
