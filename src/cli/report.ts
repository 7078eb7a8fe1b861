/**
 * `simclr report --experiment NAME [--experiment NAME2] --out FILE.html`: one self-contained
 * offline HTML report of the studies tracked in those MLflow experiments.
 */
import type { Command } from "./main";
import { UsageError, parseCommandLine } from "./usage";
import { writeReport } from "../report/report";
import { normalizeTrackingUri } from "../track/mlflow";

const USAGE = `usage: simclr report --experiment NAME [--experiment NAME ...] --out FILE.html [--title TEXT] [--uri URL]`;

export const command: Command = {
  summary: "write a self-contained offline HTML report (plots, tables, claims) of tracked studies",
  async run(argv: string[]): Promise<number> {
    const { values } = parseCommandLine({
      args: argv,
      options: {
        experiment: { type: "string", multiple: true },
        out: { type: "string" },
        title: { type: "string" },
        uri: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.experiment?.length || !values.out) {
      throw new UsageError(
        `--experiment and --out are required, got ${values.experiment?.length ? "" : "no --experiment"}${!values.experiment?.length && !values.out ? " and " : ""}${values.out ? "" : "no --out"}`,
      );
    }
    if (!values.out.endsWith(".html")) {
      throw new UsageError(`--out must name an .html file, got '${values.out}'`);
    }
    const opts: Parameters<typeof writeReport>[1] = { experiments: values.experiment };
    if (values.title) opts.title = values.title;
    if (values.uri) opts.trackingUri = normalizeTrackingUri(values.uri, "--uri");
    const file = await writeReport(values.out, opts);
    console.log(file);
    return 0;
  },
};
