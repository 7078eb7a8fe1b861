/**
 * `simclr sweep <study> --preset tiny|small|paper [--seeds N] [--json]`: runs a registered study
 * (or a study .json file) as a resumable sweep tracked in MLflow, one pretraining run per cell,
 * on this machine (`--executor local [--parallel N]`), a Slurm cluster or a Ray cluster.
 */
import fs from "node:fs";
import path from "node:path";
import type { Command } from "./main";
import { archiveFile } from "../evidence/archive";
import { UsageError, parseCommandLine } from "./usage";
import type { CellResources } from "../sweep/executor";
import { createExecutor, EXECUTOR_NAMES, type ExecutorChoice } from "../sweep/executors";
import { getStudy, listStudies } from "../sweep/registry";
import { loadUserModule } from "../plugins/user-module";
import { mergeResolver } from "../grid/study-grid";
import type { Study } from "../evidence/study";
import type { SweepOptions } from "../sweep/sweep";
import { sweepWithSearch } from "../sweep/search-stage";

const PRESETS = ["tiny", "small", "paper"];

const USAGE = `usage: simclr sweep <study | study.json> --preset tiny|small|paper [options]
  --seeds N            seeds per cell (default: the study's)
  --experiment NAME    MLflow experiment (default: the study's name)
  --retries N          extra attempts for a failed cell (default 1)
  --cell-command CMD   run CMD --config FILE --json per cell instead of bin/simclr-cell.cjs
                       (space-separated, no quoting; the config is then {preset, ...overrides})
  --executor NAME      local (default), slurm or ray
  --parallel N         local: cells at once (TensorFlow threads divided between them)
  --threads-per-cell N local: TensorFlow intra-op threads per cell
  --log-dir DIR        slurm: folder for the jobs' stdout/stderr (default .simclr/sweep-logs)
  --ray-address URL    ray: the dashboard, e.g. http://head:8265 (default $RAY_ADDRESS)
  --cpus N  --gpus N  --mem MIB  --time MINUTES  --partition NAME
                       per-cell resources (the same for every executor; partition: Slurm)
  --json               print the summary as JSON on stdout
  --quiet              no progress bar
  --list               list the registered studies
  --take-over          resume a sweep another host left RUNNING
  --log-models / --no-log-models
                       each cell logs its encoder as an MLflow logged model (default: the
                       study's logModels, else no: a study needs its numbers, not N encoders)
  --archive FILE|none  import this results archive's runs of the study's cells that MLflow lacks
                       (default results/<preset>/runs.jsonl when it exists)`;

function loadStudy(arg: string): Study {
  if (/\.(json|ts|js|cjs)$/.test(arg)) {
    const file = path.resolve(arg);
    if (!fs.existsSync(file)) throw new UsageError(`study file ${file} does not exist`);
    if (file.endsWith(".json")) {
      try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Study;
      } catch (err) {
        throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
      }
    }
    const mod = loadUserModule(file) as { study?: Study; default?: Study };
    const s = mod.study ?? mod.default;
    if (!s) throw new Error(`${file} exports no 'study'`);
    return s;
  }
  if (!listStudies().some((s) => s.name === arg))
    throw new UsageError(
      `unknown study '${arg}'; expected one of ${listStudies()
        .map((s) => s.name)
        .join(", ")}, or a study file (.json, .ts, .js)`,
    );
  return getStudy(arg);
}

export const command: Command = {
  summary: "run a study (grid x seeds) as a resumable sweep of pretrain runs tracked in MLflow",
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parseCommandLine({
      args: argv,
      allowPositionals: true,
      options: {
        preset: { type: "string" },
        seeds: { type: "string" },
        experiment: { type: "string" },
        retries: { type: "string", default: "1" },
        "cell-command": { type: "string" },
        json: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        list: { type: "boolean", default: false },
        "take-over": { type: "boolean", default: false },
        "log-models": { type: "boolean" },
        "no-log-models": { type: "boolean" },
        archive: { type: "string" },
        executor: { type: "string", default: "local" },
        parallel: { type: "string" },
        "threads-per-cell": { type: "string" },
        "ray-address": { type: "string" },
        "log-dir": { type: "string" },
        cpus: { type: "string" },
        gpus: { type: "string" },
        mem: { type: "string" },
        time: { type: "string" },
        partition: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.list) {
      for (const s of listStudies())
        console.log(`${s.name.padEnd(24)} ${s.description.split("\n")[0]}`);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        `expected one study name or file, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(" ") : "none"}`,
      );
    }
    if (!values.preset || !PRESETS.includes(values.preset)) {
      throw new UsageError(
        `--preset must be one of ${PRESETS.join(", ")}, got ${values.preset === undefined ? "none" : `'${values.preset}'`}`,
      );
    }
    const study = loadStudy(positionals[0]);
    const opts: Partial<SweepOptions> & { preset: string } = {
      preset: values.preset,
      handleSignals: true,
      progressBar: !values.quiet,
      takeOver: values["take-over"],
    };
    if (values["log-models"] && values["no-log-models"])
      throw new UsageError("--log-models and --no-log-models contradict each other; give one");
    if (values["log-models"]) opts.logModels = true;
    if (values["no-log-models"]) opts.logModels = false;
    if (values.archive !== "none") opts.archive = values.archive ?? archiveFile(values.preset);
    if (values.seeds !== undefined) {
      const n = Number(values.seeds);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--seeds must be an integer >= 1, got '${values.seeds}'`);
      opts.seeds = n;
    }
    const retries = Number(values.retries);
    if (!Number.isInteger(retries) || retries < 0)
      throw new UsageError(`--retries must be an integer >= 0, got '${values.retries}'`);
    opts.retries = retries;
    if (values.experiment) opts.experiment = values.experiment;
    if (!(EXECUTOR_NAMES as readonly string[]).includes(values.executor))
      throw new UsageError(
        `--executor must be one of ${EXECUTOR_NAMES.join(", ")}, got '${values.executor}'`,
      );
    opts.resources = resourcesFrom(values);
    const common: { command?: string[]; cwd?: string } = {};
    if (values["cell-command"]) {
      common.command = values["cell-command"].trim().split(/\s+/);
      common.cwd = process.cwd();
      opts.resolveConfig = mergeResolver;
    } else {
      // loaded only here: the project's resolver pulls in the model modules
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const config = require("../config/resolve") as typeof import("../config/resolve");
      opts.resolveConfig = config.resolveConfig;
    }
    const choice: ExecutorChoice = {
      local: { ...common, echoStderr: false },
      slurm: {
        ...common,
        ...(values["log-dir"] ? { logDir: path.resolve(values["log-dir"]) } : {}),
      },
      ray: { ...common },
    };
    if (values.parallel !== undefined)
      choice.local = { ...choice.local, parallel: whole(values.parallel, "--parallel", 1) };
    if (values["threads-per-cell"] !== undefined)
      choice.local = {
        ...choice.local,
        threadsPerCell: whole(values["threads-per-cell"], "--threads-per-cell", 1),
      };
    const address = values["ray-address"] ?? process.env.RAY_ADDRESS;
    if (address) choice.ray = { ...choice.ray, address };
    opts.executor = createExecutor(values.executor, choice);
    const r = await sweepWithSearch(study, opts);
    if (values.json) console.log(JSON.stringify(r));
    else {
      console.error(
        `simclr sweep: ${r.study} (${r.preset}) in experiment '${r.experiment}', parent run ${r.parentRunId}: ` +
          `${r.finished} run, ${r.skipped} skipped, ${r.failed} failed${r.interrupted ? ", INTERRUPTED" : ""} in ${r.seconds.toFixed(1)} s` +
          (r.otherCpu
            ? `; ${r.otherCpu} finished run${r.otherCpu === 1 ? "" : "s"} on another CPU model did not count (a ladder's cells run on one CPU model)`
            : ""),
      );
      for (const c of r.cells.filter((x) => x.status === "FAILED"))
        console.error(
          `  FAILED ${c.label} seed ${c.seed} (run ${c.runId}): ${(c.error ?? "").split("\n").slice(-3).join(" | ")}`,
        );
    }
    return r.interrupted ? 130 : r.failed > 0 ? 1 : 0;
  },
};

/** An integer option >= min; throws naming the option. */
function whole(v: string, name: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

/** Per-cell resources from --cpus/--gpus/--mem/--time/--partition (defaults: 1 CPU, no GPU). */
function resourcesFrom(v: {
  cpus?: string;
  gpus?: string;
  mem?: string;
  time?: string;
  partition?: string;
}): CellResources {
  const r: CellResources = {
    cpus: v.cpus !== undefined ? whole(v.cpus, "--cpus", 1) : 1,
    gpus: v.gpus !== undefined ? whole(v.gpus, "--gpus", 0) : 0,
  };
  if (v.mem !== undefined) r.memoryMb = whole(v.mem, "--mem", 1);
  if (v.time !== undefined) r.timeLimitMinutes = whole(v.time, "--time", 1);
  if (v.partition !== undefined) r.partition = v.partition;
  return r;
}
