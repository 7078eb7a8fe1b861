/**
 * `simclr eval --model models:/<model_id>`: evaluates an encoder a run logged to MLflow (SimCLR
 * section 2.3: a linear classifier and a weighted kNN on the frozen encoder's features) on a data
 * set: the one it was trained on (a re-evaluation without re-training) or another (transfer).
 * The evaluation protocol is the trained run's config.eval unless flags change it.
 */
import type { Command } from "./main";
import { parseCommandLine, UsageError } from "./usage";
import { REPRESENTATIONS, type PretrainConfig } from "../config/pretrain-config";
import { modelIdOfUri } from "../track/model-uri";
import { downloadAllowed } from "../data/paths";

const USAGE = `usage: simclr eval --model models:/<model_id> [--dataset NAME|DIR] [--data-dir DIR]
  [--train-limit N] [--test-limit N] [--representation h|gh] [--random-init] [--json]

Downloads the encoder a run logged (its run page lists it under Logged models), rebuilds it and
runs the linear evaluation and kNN on a data set: default the one it was trained on, with the
trained run's limits and resolution. --random-init adds the same architecture with random weights.
The tracking server is MLFLOW_TRACKING_URI, else the project's running local server.`;

/** What the command line asks for. */
export interface EvalInvocation {
  model: string;
  dataset?: string;
  dataDir?: string;
  trainLimit?: number;
  testLimit?: number;
  representation?: Representation;
  randomInit: boolean;
  json: boolean;
  help: boolean;
}

type Representation = (typeof REPRESENTATIONS)[number];

function isRepresentation(s: string): s is Representation {
  return (REPRESENTATIONS as readonly string[]).includes(s);
}

function count(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(v) || v < 0)
    throw new UsageError(`--${flag}: expected an integer >= 0 (0: all images), got '${raw}'`);
  return v;
}

/** Parses `simclr eval`'s arguments; throws UsageError naming the bad flag or value. */
export function parseEvalArgs(argv: string[]): EvalInvocation {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: "string" },
      dataset: { type: "string" },
      "data-dir": { type: "string" },
      "train-limit": { type: "string" },
      "test-limit": { type: "string" },
      representation: { type: "string" },
      "random-init": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  const help = values.help === true;
  if (!help && values.model === undefined)
    throw new UsageError("--model is required: the logged model's URI, models:/<model_id>");
  const model = values.model ?? "";
  if (!help) {
    try {
      modelIdOfUri(model);
    } catch {
      throw new UsageError(`--model: expected models:/<model_id>, got '${model}'`);
    }
  }
  const rep = values.representation;
  let representation: Representation | undefined;
  if (rep !== undefined) {
    if (!isRepresentation(rep))
      throw new UsageError(
        `--representation: expected ${REPRESENTATIONS.join(" or ")}, got '${rep}'`,
      );
    representation = rep;
  }
  const inv: EvalInvocation = {
    model,
    randomInit: values["random-init"] === true,
    json: values.json === true,
    help,
  };
  if (values.dataset !== undefined) inv.dataset = values.dataset;
  if (values["data-dir"] !== undefined) inv.dataDir = values["data-dir"];
  const trainLimit = count("train-limit", values["train-limit"]);
  if (trainLimit !== undefined) inv.trainLimit = trainLimit;
  const testLimit = count("test-limit", values["test-limit"]);
  if (testLimit !== undefined) inv.testLimit = testLimit;
  if (representation !== undefined) inv.representation = representation;
  return inv;
}

/** The trained run's config with the command line's data set and evaluation choices. */
export function evalConfig(trained: PretrainConfig, inv: EvalInvocation): PretrainConfig {
  const data = { ...trained.data };
  if (inv.dataset !== undefined) {
    data.dataset = inv.dataset;
    data.dataDir = null;
  }
  if (inv.dataDir !== undefined) data.dataDir = inv.dataDir;
  if (inv.trainLimit !== undefined) data.trainLimit = inv.trainLimit;
  if (inv.testLimit !== undefined) data.testLimit = inv.testLimit;
  const evaluation: PretrainConfig["eval"] = {
    ...trained.eval,
    randomInit: inv.randomInit,
    transformProbe: false,
  };
  if (inv.representation !== undefined) evaluation.representation = inv.representation;
  return { ...trained, data, eval: evaluation };
}

export const command: Command = {
  summary: "evaluate an encoder logged to MLflow (linear, kNN) on a data set",
  async run(argv) {
    const inv = parseEvalArgs(argv);
    if (inv.help) {
      console.log(USAGE);
      return 0;
    }
    // Loaded lazily: TensorFlow is only loaded when an evaluation starts.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { loadEncoder } =
      require("../train/logged-model") as typeof import("../train/logged-model");
    const { evaluateRepresentations } =
      require("../eval/evaluate") as typeof import("../eval/evaluate");
    const { loadDataset } = require("../data/load") as typeof import("../data/load");
    const { evaluationSplits, prepareSplits } =
      require("../train/splits") as typeof import("../train/splits");
    const { initBackend } = require("../backend") as typeof import("../backend");
    /* eslint-enable @typescript-eslint/no-require-imports */
    try {
      await initBackend();
      const loaded = await loadEncoder(inv.model);
      try {
        const config = evalConfig(loaded.config, inv);
        const dataset = await loadDataset(config.data.dataset, {
          ...(config.data.dataDir ? { path: config.data.dataDir } : {}),
          download: downloadAllowed(process.env),
        });
        const splits = prepareSplits(dataset, config);
        const r = evaluateRepresentations(
          { ...loaded, classifier: null },
          evaluationSplits(splits),
          config,
        );
        const out = {
          model_id: loaded.model.modelId,
          source_run_id: loaded.model.sourceRunId ?? null,
          dataset: dataset.name,
          train_images: splits.probeTrain.n,
          test_images: splits.test.n,
          ...r,
        };
        if (inv.json) console.log(JSON.stringify(out));
        else {
          const pct = (x: number): string =>
            Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a";
          console.log(
            `model ${out.model_id} (run ${out.source_run_id ?? "?"}) on ${out.dataset} ` +
              `(${out.train_images} train, ${out.test_images} test images)\n` +
              `linear eval ${pct(r.linear_acc)}  kNN ${pct(r.knn_acc)}` +
              (inv.randomInit
                ? `  | random init: linear ${pct(r.random_init_linear_acc)}  kNN ${pct(r.random_init_knn_acc)}`
                : ""),
          );
        }
        return 0;
      } finally {
        loaded.dispose();
      }
    } catch (e) {
      console.error(`simclr eval: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  },
};
