/**
 * Test fixture: a real two-node Ray cluster from the project's .venv (ray[default], pinned in
 * requirements-cluster.txt): a head with the dashboard (the Jobs REST API) and a second worker
 * node joined with `ray start --address`, one CPU each, so two cells run at once on two nodes.
 * Both run with `--block` in their own process groups and are stopped after the test file.
 * `nodeEnv` is exported on the nodes only (how credentials reach Ray jobs).
 *
 *   const ray = useRayCluster({ MLFLOW_TRACKING_USERNAME: "u" });   // ray.dashboard once ready
 */
import { after, before } from "node:test";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "./slurm";
import { tempDir as makeTempDir } from "./tmp";

const RAY = path.resolve(__dirname, "..", "..", ".venv", "bin", "ray");

/** What tests get once the cluster is up. */
export interface RayFixture {
  /** Why the tests skip, or false. */
  skip: string | false;
  ready: Promise<void>;
  /** The dashboard, e.g. http://127.0.0.1:41234 */
  dashboard: string;
}

/** Why a Ray cluster cannot be started here, or false. */
export function rayUnavailable(): string | false {
  if (!fs.existsSync(RAY))
    return "Ray tests need ray[default] in .venv: .venv/bin/pip install -r requirements-cluster.txt";
  return false;
}

interface Node {
  child: ChildProcess;
  log: () => string;
}

function startNode(args: string[], env: NodeJS.ProcessEnv): Node {
  const child = spawn(RAY, ["start", "--block", "--disable-usage-stats", ...args], {
    env: { ...process.env, RAY_USAGE_STATS_ENABLED: "0", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, log: () => log };
}

async function aliveNodes(dashboard: string): Promise<number> {
  try {
    const r = await fetch(`${dashboard}/api/v0/nodes`);
    if (!r.ok) return 0;
    const j = (await r.json()) as { data: { result: { result: { state: string }[] } } };
    return j.data.result.result.filter((n) => n.state === "ALIVE").length;
  } catch {
    return 0;
  }
}

async function until(what: string, ok: () => Promise<boolean>, nodes: Node[]): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (!(await ok())) {
    const dead = nodes.find((n) => n.child.exitCode !== null);
    if (dead || Date.now() > deadline)
      throw new Error(`ray: ${what} did not happen:\n${nodes.map((n) => n.log()).join("\n")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Starts the second node and waits for it to be ALIVE, starting it again (twice at most) when it
 * exits first: Ray 2.60's raylet gives up after a fixed 30 s without seeing itself registered
 * with the head ("The current node timed out during startup"), which happened on 2 loaded cores.
 */
async function joinSecondNode(
  nodes: Node[],
  gcs: number,
  env: NodeJS.ProcessEnv,
  dashboard: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const node = startNode([`--address=127.0.0.1:${gcs}`, "--num-cpus=1"], env);
    nodes.push(node);
    try {
      await until("a second node joining", async () => (await aliveNodes(dashboard)) >= 2, nodes);
      return;
    } catch (e) {
      if (attempt >= 3 || node.child.exitCode === null) throw e;
      nodes.splice(nodes.indexOf(node), 1);
    }
  }
}

function kill(nodes: Node[], sig: NodeJS.Signals): void {
  for (const n of nodes)
    try {
      if (n.child.pid) process.kill(-n.child.pid, sig);
    } catch {
      /* gone */
    }
}

/** Starts the cluster for this test file (skipped where {@link rayUnavailable} says so). */
export function useRayCluster(nodeEnv: Record<string, string> = {}): RayFixture {
  const skip = rayUnavailable();
  let markReady: () => void = () => {};
  let markFailed: (e: unknown) => void = () => {};
  const fixture: RayFixture = {
    skip,
    dashboard: "",
    ready: new Promise<void>((res, rej) => {
      markReady = res;
      markFailed = rej;
    }),
  };
  fixture.ready.catch(() => {});
  if (skip) return fixture;
  const nodes: Node[] = [];
  let tempDir = "";
  process.once("exit", () => kill(nodes, "SIGKILL"));
  before(async () => {
    try {
      // Not under the test run's TMPDIR: the dashboard's Unix sockets
      // (<temp>/session_<date>_<pid>/sockets/dash_<Module>) would pass the 107-byte path limit
      // of AF_UNIX there, and its modules fail with "Received EOF from pipe".
      tempDir = makeTempDir("ray", "/tmp");
      // Ray's Python processes make multiprocessing folders (pymp-*) in TMPDIR and leave them when
      // the nodes are stopped; they go into the fixture's folder, which is removed after the tests.
      const env = { ...nodeEnv, TMPDIR: tempDir };
      const [gcs, dash] = [await freePort(), await freePort()];
      fixture.dashboard = `http://127.0.0.1:${dash}`;
      nodes.push(
        startNode(
          [
            "--head",
            `--port=${gcs}`,
            `--dashboard-port=${dash}`,
            "--dashboard-host=127.0.0.1",
            "--include-dashboard=true",
            "--num-cpus=1",
            `--temp-dir=${tempDir}`,
          ],
          env,
        ),
      );
      await until(
        "the head's dashboard answering",
        async () => (await aliveNodes(fixture.dashboard)) >= 1,
        nodes,
      );
      await joinSecondNode(nodes, gcs, env, fixture.dashboard);
      markReady();
    } catch (e) {
      markFailed(e);
      throw e;
    }
  });
  after(async () => {
    kill([...nodes].reverse(), "SIGTERM");
    const deadline = Date.now() + 20_000;
    while (
      nodes.some((n) => n.child.exitCode === null && n.child.signalCode === null) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 200));
    kill(nodes, "SIGKILL");
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });
  return fixture;
}
