/**
 * `simclr mlflow sync|uri`: replays the local tracking journal to the server by hand, or prints
 * the tracking URI the toolkit would use (starting the project's local server when needed).
 */
import type { Command } from "./main";
import { UsageError, parseCommandLine } from "./usage";
import { trackingCredentialsFromEnv } from "../track/context";
import { defaultJournalDir, syncJournals } from "../track/journal";
import { normalizeTrackingUri } from "../track/mlflow";
import { resolveTrackingUri } from "../track/server";

const USAGE = `usage: simclr mlflow sync [--dir DIR] [--uri URL] [--force] [--json]
       simclr mlflow uri
  sync   replay tracking journals (default dir: ${defaultJournalDir()}) to the MLflow server;
         runs whose process died unterminated are marked KILLED
  uri    print the tracking URI (MLFLOW_TRACKING_URI, else the project's local server)`;

export const command: Command = {
  summary:
    "MLflow helpers: `sync` replays the offline tracking journal; `uri` prints the server URL",
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === "uri") {
      console.log(await resolveTrackingUri());
      return 0;
    }
    if (sub === "--help" || sub === "-h") {
      console.log(USAGE);
      return 0;
    }
    if (sub !== "sync")
      throw new UsageError(
        `${sub ? `unknown sub-command '${sub}'` : "no sub-command"}; expected one of sync, uri`,
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
    const credentials = trackingCredentialsFromEnv();
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
