/**
 * `simclr mlflow sync|uri|start`: replays the local tracking journal to the server by hand, prints
 * the tracking URI the toolkit would use, or starts the project's local server (detached, so
 * notebooks and later commands reuse it) when none is running.
 */
import type { Command } from "./main";
import { UsageError, parseCommandLine } from "./usage";
import { trackingCredentialsFromEnv } from "../track/context";
import { defaultJournalDir, syncJournals } from "../track/journal";
import { normalizeTrackingUri } from "../track/mlflow";
import { ensureLocalMlflow, resolveTrackingUri } from "../track/server";

const USAGE = `usage: simclr mlflow sync [--dir DIR] [--uri URL] [--force] [--json]
       simclr mlflow uri
       simclr mlflow start
  sync   replay tracking journals (default dir: ${defaultJournalDir()}) to the MLflow server;
         runs whose process died unterminated are marked KILLED
  uri    print the tracking URI (MLFLOW_TRACKING_URI, else the project's running local server)
  start  start the project's local server (.simclr/mlflow) unless one is running; print its URL`;

export const command: Command = {
  summary:
    "MLflow helpers: `sync` replays the offline tracking journal; `uri` prints the server URL; `start` starts the local server",
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === "uri") {
      console.log(await resolveTrackingUri());
      return 0;
    }
    if (sub === "start") {
      const server = await ensureLocalMlflow({ detached: true });
      console.log(server.url);
      return 0;
    }
    if (sub === "--help" || sub === "-h") {
      console.log(USAGE);
      return 0;
    }
    if (sub !== "sync")
      throw new UsageError(
        `${sub ? `unknown sub-command '${sub}'` : "no sub-command"}; expected one of sync, uri, start`,
      );
    const { values } = parseCommandLine({
      args: rest,
      options: {
        dir: { type: "string" },
        uri: { type: "string" },
        force: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
    });
    const opts: { dir?: string; uri?: string; force?: boolean } = { force: values.force };
    if (values.dir) opts.dir = values.dir;
    if (values.uri) opts.uri = normalizeTrackingUri(values.uri, "--uri");
    const credentials = trackingCredentialsFromEnv(process.env);
    const out = await syncJournals(credentials ? { ...opts, credentials } : opts);
    if (values.json) console.log(JSON.stringify(out));
    else if (out.length === 0) console.log(`no journals in ${opts.dir ?? defaultJournalDir()}`);
    else {
      for (const o of out) {
        const state = o.complete ? "synced" : `${o.pending} pending`;
        console.log(
          `${o.file}: ${o.experiment} run ${o.runId ?? "(not created)"}: sent ${o.sent}, ${state}${o.note ? ` (${o.note})` : ""}`,
        );
      }
    }
    return out.some((o) => o.pending > 0 && !o.note?.startsWith("owned by")) ? 1 : 0;
  },
};
