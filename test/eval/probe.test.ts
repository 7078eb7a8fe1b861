import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-node";
import { resolveConfig } from "../../src/config/resolve";
import { createEncoder } from "../../src/models/encoder";
import { createHead } from "../../src/models/head";
import { PROBE_TASKS, transformProbe, transformedSplit } from "../../src/eval/probe";
import { createRng } from "../../src/util/random";
import { syntheticDataset } from "../train/support";

const ds = syntheticDataset(200, 100, 8);

test("probe images carry the transformation as their label", () => {
  const g = transformedSplit(ds.train, 100, "color_vs_grayscale", createRng(1));
  const r = transformedSplit(ds.train, 100, "rotation", createRng(1));
  let grays = 0;
  for (let i = 0; i < g.n; i++) {
    const px = g.pixels.subarray(i * 192, (i + 1) * 192);
    const gray = Array.from(
      { length: 64 },
      (_, p) => px[3 * p] === px[3 * p + 1] && px[3 * p + 1] === px[3 * p + 2],
    ).every(Boolean);
    assert.equal(gray, g.labels[i] === 1, `image ${i}`);
    grays += g.labels[i];
  }
  assert.ok(grays > 20 && grays < 80);
  const labelsSeen = new Set(Array.from(r.labels));
  assert.deepEqual([...labelsSeen].sort(), [0, 1, 2, 3]);
  for (let i = 0; i < r.n; i++) {
    const same = r.pixels
      .subarray(i * 192, (i + 1) * 192)
      .every((v, k) => v === ds.train.pixels[i * 192 + k]);
    if (r.labels[i] === 0) assert.ok(same, `unrotated image ${i} is unchanged`);
  }
});

test("the Table 3 probe reports every task for h and g(h), colour vs grayscale above chance", () => {
  const config = resolveConfig("tiny", { data: { resolution: 8 } });
  const encoder = createEncoder({ arch: "convnet", widthMultiplier: 0.25 }, 1);
  const head = createHead(encoder.featureDim, { outDim: 8 }, 2);
  try {
    const r = transformProbe({ encoder, head, classifier: null }, { ...ds, classes: 4 }, config, {
      trainImages: 200,
      testImages: 100,
      epochs: 30,
    });
    for (const t of PROBE_TASKS)
      for (const rep of ["h", "gh"])
        assert.ok(r[`probe_${t}_${rep}`] >= 0 && r[`probe_${t}_${rep}`] <= 1);
    assert.ok(
      r.probe_color_vs_grayscale_h > 0.65,
      `colour vs grayscale from h: ${r.probe_color_vs_grayscale_h}`,
    );
    assert.ok(
      Math.abs(r.probe_h - PROBE_TASKS.reduce((a, t) => a + r[`probe_${t}_h`], 0) / 4) < 1e-9,
    );
  } finally {
    encoder.dispose();
    head.dispose();
  }
});
