/**
 * The benchmark harness (bench/harness.ts, bench/main.ts) on a tiny batch: the JSON shape issue 3
 * asks for, and clear errors for bad flags. The real run is `npm run bench` (minutes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBench, pairedRatios, runBench } from "../../bench/harness";
import { cpuInfo } from "../../src/track/cpu";
import { benchMain } from "../../bench/main";

describe("training-step benchmark", () => {
  it("returns sgemm_gflops and one row per (model, backend) with views/s and GFLOP/s", async () => {
    const r = await runBench({
      models: ["convnet"],
      backends: ["tensorflow", "wasm"],
      batch: 4,
      secondsPerRow: 0.01,
      torch: false,
      verbose: false,
    });
    assert.ok(r.sgemm_gflops > 0);
    assert.ok(r.rows.length >= 1, JSON.stringify(r));
    for (const row of r.rows) {
      assert.equal(row.model, "convnet");
      assert.ok(row.views_per_s !== null && row.views_per_s > 0, JSON.stringify(row));
      assert.ok(row.gflops !== null && row.gflops > 0);
      assert.equal(row.torch_views_per_s, null);
      assert.equal(row.ratio_vs_torch, null);
    }
    assert.ok(r.overhead && r.overhead.total_fraction >= 0 && r.overhead.model_s > 0);
    assert.match(formatBench(r), /convnet\s+(tensorflow|wasm)/);
    // the figures name their CPU (issue 16)
    assert.equal(r.cpu.cpu_model, cpuInfo().model);
    assert.equal(r.cpu.threads, r.threads);
    assert.equal(r.cpu.onednn, r.backends.find((b) => b.backend === "tensorflow")?.onednn ?? false);
    assert.match(formatBench(r), new RegExp(`^CPU: .*oneDNN (on|off), ${r.threads} thread`));
  });

  it("pairs each step with both PyTorch layouts and picks the faster layout by its median step", () => {
    const tf = [1, 1, 2];
    const torch = new Map([
      ["nchw" as const, [2, 3, 4]], // ratios 2, 3, 2 -> median 2
      ["channels_last" as const, [1.5, 1.5, 1]], // ratios 1.5, 1.5, 0.5 -> median 1.5
    ]);
    const r = pairedRatios(tf, torch);
    assert.equal(r.nchw, 2);
    assert.equal(r.channels_last, 1.5);
    assert.equal(r.bestLayout, "channels_last");
    assert.equal(r.best, 1.5);
    // a slow backend's smaller batch scales its step time up to the full batch
    assert.equal(pairedRatios(tf, torch, 2).nchw, 1);
    const none = pairedRatios(tf, new Map());
    assert.deepEqual(none, { nchw: null, channels_last: null, best: null, bestLayout: null });
  });

  it("rejects an unknown model or backend naming the valid ones", async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      assert.equal(await benchMain(["--models", "vgg"]), 2); // a usage error
      assert.equal(await benchMain(["--backends", "tpu", "--no-torch"]), 2);
    } finally {
      console.error = orig;
    }
    assert.match(errors[0], /--models: "vgg" is not one of convnet, resnet18/);
    assert.match(
      errors[1],
      /--backends: "tpu" is not one of tensorflow-gpu, tensorflow, wasm, cpu/,
    );
  });
});
