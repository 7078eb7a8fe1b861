/**
 * `npm run bench` / `simclr bench`: SimCLR training-step throughput per (model, backend) against
 * PyTorch in the same run, plus sgemm peak and the step's overhead outside the model (issue 3).
 *
 *   npm run bench                 ConvNet and ResNet-18 (CIFAR stem), batch 256 (512 views), all backends
 *   npm run bench -- --quick      ConvNet only
 *   npm run bench -- --json       one JSON object {sgemm_gflops, rows: [{model, backend, views_per_s, gflops,
 *                                 torch_views_per_s, ratio_vs_torch}], ...} on stdout
 *   options: --backends tensorflow,wasm  --models convnet  --batch 256  --threads N  --seconds 20  --no-torch
 *            --no-augment (skip the augmentation rows)
 */
import { UsageError, firstLine, isUsageError, parseCommandLine } from "../src/cli/usage";
import { BACKEND_NAMES, type BackendName } from "../src/backend";
import { configureFromEnv } from "../src/workbench/params";
import { benchAugment, formatAugmentBench } from "./augment";
import { formatBench, runBench, type BenchModel } from "./harness";
import { formatPrecisionBench, runPrecisionBench } from "./precision";

const MODELS: readonly BenchModel[] = ["convnet", "resnet18"];

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items) {
    if (!(allowed as readonly string[]).includes(i))
      throw new UsageError(`${flag}: "${i}" is not one of ${allowed.join(", ")}`);
  }
  return items as T[];
}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`${flag}: expected a positive number, got "${value}"`);
  return n;
}

/** Runs the benchmark command line; returns the exit code. */
export async function benchMain(argv: string[]): Promise<number> {
  configureFromEnv(process.env);
  let values;
  try {
    ({ values } = parseCommandLine({
      args: argv,
      options: {
        json: { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        "no-torch": { type: "boolean", default: false },
        "no-augment": { type: "boolean", default: false },
        "no-bf16": { type: "boolean", default: false },
        backends: { type: "string" },
        models: { type: "string" },
        batch: { type: "string" },
        threads: { type: "string" },
        seconds: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    console.error(`simclr bench: ${firstLine(e)} (simclr bench --help)`);
    return 2;
  }
  if (values.help) {
    console.log(
      "usage: simclr bench [--quick] [--json] [--backends a,b] [--models convnet,resnet18] [--batch 256] [--threads N] [--seconds 20] [--no-torch] [--no-augment] [--no-bf16]",
    );
    return 0;
  }
  try {
    const models =
      list(values.models, MODELS, "--models") ?? (values.quick ? ["convnet" as const] : undefined);
    const result = await runBench({
      ...(models ? { models } : {}),
      ...(values.backends
        ? { backends: list<BackendName>(values.backends, BACKEND_NAMES, "--backends") }
        : {}),
      ...(values.batch ? { batch: positive(values.batch, "--batch") } : {}),
      ...(values.threads ? { threads: positive(values.threads, "--threads") } : {}),
      ...(values.seconds ? { secondsPerRow: positive(values.seconds, "--seconds") } : {}),
      torch: !values["no-torch"],
      verbose: true,
    });
    // Mixed-precision rows (issue 25): bf16 vs fp32 and vs PyTorch autocast, paired, same run.
    const precision = values["no-bf16"]
      ? null
      : await runPrecisionBench({
          models: models ?? ["convnet", "resnet18"],
          batch: result.rows[0]?.batch ?? 256,
          size: 32,
          threads: result.threads,
          secondsPerModel: values.seconds ? Number(values.seconds) : 20,
          torch: !values["no-torch"],
          verbose: !values.json,
        });
    // Augmentation rows (issue 4): the default two-view pipeline against torchvision, same run.
    const augment = values["no-augment"]
      ? null
      : await benchAugment({
          verbose: !values.json,
          torch: !values["no-torch"],
          ...(values.quick ? { sizes: [32], seconds: 3, stream: false } : {}),
        });
    console.log(
      values.json
        ? JSON.stringify(
            { ...result, ...(precision ? { precision } : {}), ...(augment ? { augment } : {}) },
            null,
            2,
          )
        : formatBench(result) +
            (precision ? `\n\n${formatPrecisionBench(precision)}` : "") +
            (augment ? `\n\n${formatAugmentBench(augment)}` : ""),
    );
    return 0;
  } catch (e) {
    console.error(
      `simclr bench: ${firstLine(e)}${isUsageError(e) ? " (simclr bench --help)" : ""}`,
    );
    return isUsageError(e) ? 2 : 1;
  }
}

if (require.main === module) {
  benchMain(process.argv.slice(2)).then((code) => process.exit(code));
}
