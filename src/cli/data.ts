/**
 * `simclr data <name> [--root DIR] [--data-root DIR] [--download] [--lenient] [--rebuild] --check [--json]`:
 * finds (or downloads) a data set, decodes it into the cache, and reports split sizes, class names,
 * per-channel mean and standard deviation in [0, 1] of the training split, and the source.
 * A missing CIFAR-10 / STL-10 is downloaded unless `--no-download` or SIMCLR_NO_DOWNLOAD=1.
 */
import type { Command } from "./main";
import { UsageError, firstLine, parseCommandLine } from "./usage";
import { loadDataset } from "../data/load";
import { channelStats } from "../data/stats";
import { progressBar } from "../data/download";
import { downloadAllowed } from "../data/paths";

const USAGE = `usage: simclr data <name> [--root DIR] [--data-root DIR] [--[no-]download] [--lenient] [--rebuild] [--check] [--json]
  <name>        cifar10, stl10, a name under the data root, or a folder path
  --root DIR    the data set's folder (image folder with train/ and test/, or a binary release)
  --data-root   data root (default SIMCLR_DATA or <project>/data); decoded caches go to its cache/
  --download    fetch CIFAR-10 / STL-10 from the official address when missing (the default,
                also with SIMCLR_NO_DOWNLOAD=1)
  --no-download never download (as SIMCLR_NO_DOWNLOAD=1)
  --lenient     skip unreadable images (reported with a count) instead of stopping
  --rebuild     decode again even when a cache exists
  --check       load and report sizes, classes, channel mean/std (the default action)
  --json        print the report as JSON: {train, test, classes, mean, std, source}`;

/** The `simclr data` command. */
export const command: Command = {
  summary: "find, download, decode and check a data set (sizes, classes, channel mean/std)",
  async run(argv: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseCommandLine({
        args: argv,
        allowPositionals: true,
        options: {
          root: { type: "string" },
          "data-root": { type: "string" },
          download: { type: "boolean", default: false },
          "no-download": { type: "boolean", default: false },
          lenient: { type: "boolean", default: false },
          rebuild: { type: "boolean", default: false },
          check: { type: "boolean", default: false },
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      });
    } catch (e) {
      console.error(`simclr data: ${firstLine(e)} (simclr data --help)`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        `expected one data set name (cifar10, stl10, a name under the data root, or a folder), got ${positionals.length}`,
      );
    }
    const bars = new Map<string, (d: number, t: number) => void>();
    const interactive = process.stderr.isTTY === true;
    const t0 = performance.now();
    let ds;
    try {
      ds = await loadDataset(positionals[0], {
        path: values.root,
        dataRoot: values["data-root"],
        download: values.download || (!values["no-download"] && downloadAllowed(process.env)),
        lenient: values.lenient,
        rebuild: values.rebuild,
        onProgress: (stage, done, total) => {
          if (!interactive && stage !== "download") return;
          let bar = bars.get(stage);
          if (!bar) bars.set(stage, (bar = progressBar(stage)));
          bar(done, total);
        },
      });
    } catch (e) {
      console.error(`simclr data: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    const { mean, std } = channelStats(ds.train);
    const round = (x: number): number => Math.round(x * 1e6) / 1e6;
    const report = {
      name: ds.name,
      train: ds.train.n,
      test: ds.test.n,
      ...(ds.unlabeled ? { unlabeled: ds.unlabeled.n } : {}),
      classes: ds.classes,
      height: ds.train.height,
      width: ds.train.width,
      mean: mean.map(round),
      std: std.map(round),
      source: ds.source,
      format: ds.format,
      fromCache: ds.fromCache,
      skipped: ds.skipped ?? 0,
      loadSeconds: Math.round(loadSeconds * 1000) / 1000,
    };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      const f = (v: number[]): string => v.map((x) => x.toFixed(4)).join(", ");
      console.log(
        [
          `${ds.name}: ${ds.train.n} train / ${ds.test.n} test images${ds.unlabeled ? ` / ${ds.unlabeled.n} unlabeled` : ""}, ${ds.train.width}x${ds.train.height} RGB`,
          `classes (${ds.classes.length}): ${ds.classes.join(", ")}`,
          `train mean (RGB, [0,1]): ${f(mean)}`,
          `train std  (RGB, [0,1]): ${f(std)}`,
          `source: ${ds.source}`,
          `loaded in ${loadSeconds.toFixed(2)} s ${ds.fromCache ? "from the decoded cache" : "(decoded; cached for next time)"}${ds.skipped ? `; skipped ${ds.skipped} unreadable images` : ""}`,
        ].join("\n"),
      );
    }
    return 0;
  },
};
