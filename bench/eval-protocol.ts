/**
 * Issue 27 item 1, the evaluation protocol decided by measurement: trains the two cells of the
 * `losses` study the claim "NT-Xent beats NT-Logistic" pairs (Table 4), over several seeds, at a
 * study budget, with the toolkit's pretrain, and evaluates each trained encoder under three
 * protocols:
 *   a. the old one: probe (and kNN bank) on the pre-training subset, scored on a 2000-image
 *      stratified test subset;
 *   b. probe on the pre-training subset, scored on the whole test split;
 *   c. probe on the whole training split, scored on the whole test split.
 * Per encoder it records the accuracies and the CPU-seconds of this process (process.cpuUsage, all
 * threads) spent training and spent in each evaluation; the summary pairs the two losses by seed.
 * Raw numbers go to a JSON after every encoder, so a cut-short run still leaves its pairs.
 *
 *   SIMCLR_CIFAR10_DIR=../shared/datasets/cifar10-jpeg \
 *     nice -n 10 node --import tsx bench/eval-protocol.ts [--preset small] [--seeds 6]
 *     [--epochs N] [--from-seed S] [--out bench/results/eval-protocol.json]
 *   node --import tsx bench/eval-protocol.ts --summarize [--out FILE]   (table of a saved JSON)
 * --from-seed runs only seeds S.. (a second process for the later seeds, into another --out; the
 * summary of several files: --summarize --out A.json,B.json).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import "@tensorflow/tfjs-node";
import { initBackend } from "../src/backend";
import { resolveConfig } from "../src/config/resolve";
import type { PretrainConfig } from "../src/config/pretrain-config";
import { loadDataset } from "../src/data/load";
import { evaluateRepresentations, type EvaluatedModel } from "../src/eval/evaluate";
import { planStudy } from "../src/grid/study-grid";
import { lossStudy } from "../src/studies/loss-temperature";
import { SMALL_STUDY_BUDGET } from "../src/evidence/budget";
import { tQuantile } from "../src/stats/t-distribution";
import { cpuRecord } from "../src/track/cpu";
import { pretrain } from "../src/train/pretrain";
import { prepareSplits, type PreparedSplits } from "../src/train/splits";

/** The pair of cells compared (labels of the losses study). */
const CELLS = ["ntxent", "ntlogistic"] as const;

/** Test images scored by the old protocol (the `small` budget's data.testLimit before issue 27). */
const OLD_TEST_LIMIT = 2000;

/** The protocols, in the order run. */
const PROTOCOLS = ["a_subset_2000", "b_subset_full_test", "c_full_train_full_test"] as const;
type Protocol = (typeof PROTOCOLS)[number];

interface ProtocolResult {
  linear_acc: number;
  knn_acc: number;
  probe_train_n: number;
  test_n: number;
  eval_cpu_s: number;
}

interface EncoderRecord {
  cell: string;
  seed: number;
  config_hash: string;
  final_loss: number;
  train_cpu_s: number;
  protocols: Record<Protocol, ProtocolResult>;
}

interface BenchFile {
  cpu: Record<string, string>;
  preset: string;
  epochs: number;
  train_limit: number;
  records: EncoderRecord[];
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/** Evaluates one trained encoder under the three protocols (trained encoder only, no baseline). */
function threeProtocols(
  model: EvaluatedModel,
  runSplits: PreparedSplits,
  oldTest: PreparedSplits["test"],
  fullTrain: PreparedSplits["train"],
  config: PretrainConfig,
): Record<Protocol, ProtocolResult> {
  const cfg: PretrainConfig = { ...config, eval: { ...config.eval, randomInit: false } };
  const sets: Record<Protocol, [PreparedSplits["train"], PreparedSplits["test"]]> = {
    a_subset_2000: [runSplits.train, oldTest],
    b_subset_full_test: [runSplits.train, runSplits.test],
    c_full_train_full_test: [fullTrain, runSplits.test],
  };
  const out = {} as Record<Protocol, ProtocolResult>;
  for (const p of PROTOCOLS) {
    const [train, test] = sets[p];
    const c0 = process.cpuUsage();
    const r = evaluateRepresentations(model, { train, test, classes: runSplits.classes }, cfg);
    out[p] = {
      linear_acc: r.linear_acc,
      knn_acc: r.knn_acc,
      probe_train_n: train.n,
      test_n: test.n,
      eval_cpu_s: cpuSeconds(c0),
    };
    console.log(
      `  ${p}: linear ${r.linear_acc.toFixed(4)} knn ${r.knn_acc.toFixed(4)} cpu ${out[p].eval_cpu_s.toFixed(1)} s`,
    );
  }
  return out;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** The paired table (markdown) of a bench file: one row per protocol. */
export function summarize(file: BenchFile): string {
  const by = (cell: string, seed: number): EncoderRecord | undefined =>
    file.records.find((r) => r.cell === cell && r.seed === seed);
  const seeds = [...new Set(file.records.map((r) => r.seed))]
    .filter((s) => CELLS.every((c) => by(c, s)))
    .sort((a, b) => a - b);
  const n = seeds.length;
  const trainCpu = mean(file.records.map((r) => r.train_cpu_s));
  // The study trains longer than a cut-short bench may: its cell's training CPU scales with epochs.
  const studyEpochs = Number(SMALL_STUDY_BUDGET.train?.epochs);
  const scale = studyEpochs / file.epochs;
  const lines = [
    `${n} seeds paired (${seeds.join(", ")}), ${file.epochs} epochs on ${file.train_limit} images, CPU ${file.cpu.cpu_model} [${file.cpu.cpu_id}], ${file.cpu.threads} threads; training ${trainCpu.toFixed(0)} CPU-s per encoder (x${scale.toFixed(1)} = ${(trainCpu * scale).toFixed(0)} at the study's ${studyEpochs} epochs).`,
    "",
    `| protocol | probe / test images | mean acc (NT-Xent, NT-Logistic) | mean paired diff (pts) | SD of diffs (pts) | t (df ${n - 1}) | eval CPU-s / encoder | cell CPU-s | t / cell CPU-s | t^2 / cell CPU-s | cell CPU-s at ${studyEpochs} epochs | (mean/SD)^2 / ${studyEpochs}-epoch cell CPU-s | kNN mean diff (pts) |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const perSeed: string[] = [];
  for (const p of PROTOCOLS) {
    const d = seeds.map(
      (s) =>
        100 *
        (by("ntxent", s)!.protocols[p].linear_acc - by("ntlogistic", s)!.protocols[p].linear_acc),
    );
    const dk = seeds.map(
      (s) =>
        100 * (by("ntxent", s)!.protocols[p].knn_acc - by("ntlogistic", s)!.protocols[p].knn_acc),
    );
    const recs = file.records.filter((r) => seeds.includes(r.seed));
    const evalCpu = mean(recs.map((r) => r.protocols[p].eval_cpu_s));
    const cell = mean(recs.map((r) => r.train_cpu_s + r.protocols[p].eval_cpu_s));
    const cellStudy = mean(recs.map((r) => scale * r.train_cpu_s + r.protocols[p].eval_cpu_s));
    const m = mean(d);
    const s = n > 1 ? sd(d) : NaN;
    const t = m / (s / Math.sqrt(n));
    const accs = CELLS.map((c) =>
      (100 * mean(seeds.map((x) => by(c, x)!.protocols[p].linear_acc))).toFixed(2),
    );
    const r0 = recs[0].protocols[p];
    lines.push(
      `| ${p} | ${r0.probe_train_n} / ${r0.test_n} | ${accs.join(", ")} | ${m.toFixed(2)} | ${s.toFixed(2)} | ${t.toFixed(2)} | ${evalCpu.toFixed(1)} | ${cell.toFixed(1)} | ${(t / cell).toExponential(2)} | ${((t * t) / cell).toExponential(2)} | ${cellStudy.toFixed(1)} | ${((m / s) ** 2 / cellStudy).toExponential(2)} | ${mean(dk).toFixed(2)} |`,
    );
    perSeed.push(`- ${p}: paired diffs by seed (pts) ${d.map((x) => x.toFixed(2)).join(", ")}`);
  }
  lines.push("", ...perSeed);
  if (n > 1)
    lines.push(
      "",
      `two-sided 95% t quantile at df ${n - 1}: ${tQuantile(0.975, n - 1).toFixed(3)}`,
    );
  return lines.join("\n");
}

function readFile(out: string): BenchFile | null {
  return fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as BenchFile) : null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: "string", default: "small" },
      seeds: { type: "string", default: "6" },
      "from-seed": { type: "string", default: "0" },
      epochs: { type: "string" },
      out: { type: "string", default: "bench/results/eval-protocol.json" },
      "data-dir": { type: "string" },
      summarize: { type: "boolean", default: false },
    },
  });
  const out = values.out;
  if (values.summarize) {
    const files = out.split(",").map((f) => {
      const r = readFile(f);
      if (!r) throw new Error(`${f}: no such file`);
      return r;
    });
    console.log(summarize({ ...files[0], records: files.flatMap((f) => f.records) }));
    return;
  }
  const dataDir = values["data-dir"] ?? process.env.SIMCLR_CIFAR10_DIR;
  if (!dataDir) throw new Error("set SIMCLR_CIFAR10_DIR or --data-dir to the CIFAR-10 folder");
  const backend = await initBackend();
  const dataset = await loadDataset("cifar10", { path: dataDir, download: false });
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  const plans = planStudy(lossStudy, {
    preset: values.preset,
    seeds: Number(values.seeds),
    resolveConfig,
  }).filter(
    (p) => (CELLS as readonly string[]).includes(p.label) && p.seed >= Number(values["from-seed"]),
  );
  // Seed-major order, so that a run cut short still leaves complete pairs.
  plans.sort(
    (a, b) => a.seed - b.seed || CELLS.indexOf(a.label as never) - CELLS.indexOf(b.label as never),
  );
  const first = plans[0].config;
  const file: BenchFile = readFile(out) ?? {
    cpu: Object.fromEntries(Object.entries(cpuRecord(backend)).map(([k, v]) => [k, String(v)])),
    preset: values.preset,
    epochs: epochs ?? first.train.epochs,
    train_limit: first.data.trainLimit,
    records: [],
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  for (const plan of plans) {
    if (file.records.some((r) => r.cell === plan.label && r.seed === plan.seed)) continue;
    const config: PretrainConfig = {
      ...plan.config,
      data: { ...plan.config.data, testLimit: 0 },
      train: { ...plan.config.train, ...(epochs ? { epochs } : {}) },
    };
    const oldTest = prepareSplits(dataset, {
      ...config,
      data: { ...config.data, testLimit: OLD_TEST_LIMIT },
    }).test;
    const fullTrain = prepareSplits(dataset, {
      ...config,
      eval: { ...config.eval, probeData: "full-train" },
    }).probeTrain;
    console.log(`${plan.label} seed ${plan.seed}: training`);
    let protocols: Record<Protocol, ProtocolResult> | null = null;
    let evalCpu = 0;
    const c0 = process.cpuUsage();
    const r = await pretrain(config, {
      dataset,
      backend,
      progress: false,
      logModel: false,
      resume: false,
      evaluate: (model, splits, cfg) => {
        const e0 = process.cpuUsage();
        protocols = threeProtocols(model, splits, oldTest, fullTrain, cfg);
        evalCpu = cpuSeconds(e0);
        const b = protocols.b_subset_full_test;
        return {
          linear_acc: b.linear_acc,
          knn_acc: b.knn_acc,
          random_init_linear_acc: NaN,
          random_init_knn_acc: NaN,
          linear_train_acc: NaN,
          linear_eval_s: 0,
          feature_s: 0,
        };
      },
    });
    const total = cpuSeconds(c0);
    if (!protocols) throw new Error(`${plan.label} seed ${plan.seed}: not evaluated`);
    file.records.push({
      cell: plan.label,
      seed: plan.seed,
      config_hash: r.config_hash,
      final_loss: r.final_loss,
      train_cpu_s: total - evalCpu,
      protocols,
    });
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(file, null, 1) + "\n");
    fs.renameSync(`${out}.tmp`, out);
  }
  console.log(summarize(file));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
