/**
 * `node --import tsx bench/profile.ts [--models convnet,resnet18] [--batch 256] [--steps 3] [--precision fp32|bf16]`:
 * where a SimCLR training step's time goes on native TensorFlow (issue 16). Every TensorFlow op
 * tfjs-node runs passes through its binding's `executeOp`, synchronously (eager), so timing that
 * call gives each op's own time; the rest of the step's wall time is tfjs's JavaScript (tape,
 * gradient bookkeeping, tidy/dispose). Reports time per op kind, the shares in convolution, batch
 * norm (FusedBatchNormV3 / Grad, ReluGrad), layout transposes and element-wise ops, and how many
 * tensors (and bytes) a step allocates. Prints JSON with --json.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/backend";
import { cpuRecord, describeCpu } from "../src/track/cpu";
import { configureFromEnv } from "../src/workbench/params";
import { buildStep, type BenchModel } from "./harness";
import { bf16Conv2d } from "../src/backend/bf16";
import { conv2dFp32, type Conv2dFn } from "../src/models/conv";

/** Op kinds reported together. */
const GROUPS: Record<string, RegExp> = {
  conv: /^Conv2D/,
  "batch norm": /^FusedBatchNorm|^ReluGrad$/,
  matmul: /MatMul/,
  transpose: /^Transpose$/,
  // the bf16 mode's conversions around each convolution and its gradients (src/backend/bf16.ts)
  cast: /^Cast$/,
};

interface OpStat {
  op: string;
  calls: number;
  ms: number;
}

/** One model's profile: per-op time per step, group shares, JS time, allocations. */
export interface StepProfile {
  model: BenchModel;
  step_ms: number;
  op_ms: number;
  js_ms: number;
  groups: Record<string, number>;
  ops: OpStat[];
  /** The slowest (op, output shape) pairs. */
  by_shape: OpStat[];
  tensors_per_step: number;
  mbytes_per_step: number;
}

interface Binding {
  executeOp(name: string, attrs: unknown, inputs: unknown, n: number): unknown;
}

/** Profiles `steps` full training steps (after one warm-up) of one model. */
export function profileStep(
  model: BenchModel,
  batch: number,
  steps: number,
  conv: Conv2dFn = conv2dFp32,
): StepProfile {
  // The addon's exports are read-only: the backend's reference to them is swapped for an object
  // that inherits them and times executeOp.
  const backend = tf.backend() as unknown as { binding: Binding };
  const binding = backend.binding;
  const original = binding.executeOp.bind(binding);
  const stats = new Map<string, OpStat>();
  /** The same per op and output shape (which layer a conv is). */
  const byShape = new Map<string, OpStat>();
  let recording = false;
  let created = 0;
  let bytes = 0;
  const timed: Binding["executeOp"] = (name, attrs, inputs, n) => {
    if (!recording) return original(name, attrs, inputs, n);
    const t = performance.now();
    const out = original(name, attrs, inputs, n) as { shape: number[] }[];
    const dt = performance.now() - t;
    for (const key of [name, `${name} -> [${out[0]?.shape.join(",")}]`]) {
      const s = (key === name ? stats : byShape).get(key) ?? { op: key, calls: 0, ms: 0 };
      s.calls++;
      s.ms += dt;
      (key === name ? stats : byShape).set(key, s);
    }
    // every op output is a fresh TensorFlow buffer (float32 here)
    created += out.length;
    for (const o of out) bytes += 4 * o.shape.reduce((a, d) => a * d, 1);
    return out;
  };
  backend.binding = Object.create(binding, { executeOp: { value: timed } }) as Binding;
  const step = buildStep(model, batch, 32, conv);
  try {
    step.full(); // warm-up: oneDNN primitives, allocations
    let wall = 0;
    recording = true;
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      step.full();
      wall += performance.now() - t;
    }
    recording = false;
    const perStep = (m: Map<string, OpStat>): OpStat[] =>
      [...m.values()]
        .map((s) => ({ op: s.op, calls: s.calls / steps, ms: s.ms / steps }))
        .sort((a, b) => b.ms - a.ms);
    const ops = perStep(stats);
    const opMs = ops.reduce((a, s) => a + s.ms, 0);
    const stepMs = wall / steps;
    const groups: Record<string, number> = {};
    for (const [g, re] of Object.entries(GROUPS))
      groups[g] = ops.filter((s) => re.test(s.op)).reduce((a, s) => a + s.ms, 0) / stepMs;
    groups["other ops"] =
      (opMs - Object.values(groups).reduce((a, f) => a + f * stepMs, 0)) / stepMs;
    groups["JavaScript (tape, bookkeeping)"] = (stepMs - opMs) / stepMs;
    return {
      model,
      step_ms: stepMs,
      op_ms: opMs,
      js_ms: stepMs - opMs,
      groups,
      ops,
      by_shape: perStep(byShape).slice(0, 40),
      tensors_per_step: created / steps,
      mbytes_per_step: bytes / steps / 1e6,
    };
  } finally {
    backend.binding = binding;
    step.dispose();
  }
}

function format(p: StepProfile): string {
  const lines = [
    `${p.model}: step ${p.step_ms.toFixed(0)} ms, in TensorFlow ops ${p.op_ms.toFixed(0)} ms, JavaScript ${p.js_ms.toFixed(0)} ms; ${p.tensors_per_step.toFixed(0)} tensors created per step`,
    "  shares: " +
      Object.entries(p.groups)
        .map(([g, f]) => `${g} ${(100 * f).toFixed(1)}%`)
        .join(", "),
  ];
  for (const s of p.ops.slice(0, 14))
    lines.push(
      `  ${s.op.padEnd(24)} ${s.ms.toFixed(1).padStart(8)} ms ${String(Math.round(s.calls)).padStart(5)} calls  ${((100 * s.ms) / p.step_ms).toFixed(1).padStart(5)}%`,
    );
  return lines.join("\n");
}

async function main(): Promise<void> {
  configureFromEnv(process.env);
  const { values } = parseArgs({
    options: {
      models: { type: "string", default: "convnet,resnet18" },
      batch: { type: "string", default: "256" },
      steps: { type: "string", default: "3" },
      json: { type: "boolean", default: false },
      precision: { type: "string", default: "fp32" },
    },
  });
  if (values.precision !== "fp32" && values.precision !== "bf16") {
    console.error(`profile: --precision: expected fp32 or bf16, got "${values.precision}"`);
    process.exit(2);
  }
  const backend = await initBackend({ prefer: "tensorflow" });
  const models = (values.models ?? "").split(",") as BenchModel[];
  const profiles = models.map((m) =>
    profileStep(
      m,
      Number(values.batch),
      Math.max(1, Number(values.steps)),
      values.precision === "bf16" ? bf16Conv2d() : conv2dFp32,
    ),
  );
  const cpu = cpuRecord(backend);
  if (values.json) console.log(JSON.stringify({ cpu, profiles }, null, 2));
  else console.log([`CPU: ${describeCpu(cpu)}`, ...profiles.map(format)].join("\n\n"));
}

if (require.main === module) void main();
