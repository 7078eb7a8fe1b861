/**
 * The numerics guard of issue 23: the per-step losses of bench/loss-trace.ts's tiny runs (built-in
 * parts; plugin augmentation, loss and head; the same through the view worker) are bit for bit those
 * recorded before the refactor that moved plugin resolution above the leaves.
 *
 * Why a golden trace keyed by CPU: the losses are exact only on one CPU and kernel set (oneDNN
 * picks kernels by ISA), so a trace recorded here cannot be compared on another CPU; there the
 * golden comparison skips, naming the CPU. The parts of the guard that hold on any machine run
 * everywhere: the worker-thread run equals the same-thread run, and (test/parts/resolve.test.ts)
 * a resolved part gives the same bits as the direct built-in call.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { lossTrace, TRACE_STEPS } from "../../bench/loss-trace";
import { cpuInfo } from "../../src/track/cpu";

const GOLDEN = path.join(__dirname, "loss-trace.golden.json");
const cpu = cpuInfo();
const key = `${cpu.model}; ${cpu.id}; ${cpu.isa.join(" ")}`;
const golden = (
  JSON.parse(fs.readFileSync(GOLDEN, "utf8")) as {
    traces: Record<string, Record<string, string[]>>;
  }
).traces[key];

let trace: Record<string, string[]> | undefined;
const traced = async (): Promise<Record<string, string[]>> => (trace ??= await lossTrace());

test("the loss trace runs every step and the view worker gives the same bits as this thread", async () => {
  const t = await traced();
  for (const run of ["builtin", "plugins", "plugins-worker"])
    assert.equal(t[run]?.length, TRACE_STEPS, run);
  assert.deepEqual(t["plugins-worker"], t.plugins);
  assert.notDeepEqual(t.builtin, t.plugins);
});

test(
  "the per-step losses are bit for bit those recorded before the refactor (same CPU)",
  {
    skip: golden ? false : `no golden trace for this CPU (${key}); only ${GOLDEN} entries compare`,
  },
  async () => {
    assert.deepEqual(await traced(), golden);
  },
);
