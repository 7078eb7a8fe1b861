/**
 * Plugins from anywhere (issue 23): three plugin files (an augmentation, a loss and a head, the
 * loss and the head with options of their own) in a temporary folder outside the project import
 * `simclr-workbook` and `@tensorflow/tfjs` as a researcher would, type-check with plain
 * `tsc -p DIR` against the tsconfig `simclr plugins init` writes (no NODE_PATH, no node_modules
 * link), and run in tiny pre-training runs whose options come from configs and flags.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import "@tensorflow/tfjs-node";
import { parsePretrainArgs } from "../../src/cli/pretrain";
import { resolveConfig } from "../../src/config/resolve";
import type { PretrainConfigOverrides } from "../../src/config/pretrain-config";
import { unregisterPluginFile } from "../../src/plugins/registry";
import { writePluginTsconfig } from "../../src/plugins/tsconfig";
import { PROJECT_ROOT } from "../../src/track/server";
import { pretrain } from "../../src/train/pretrain";
import { syntheticDataset } from "../train/support";
import { tempDir } from "../support/tmp";

const dir = tempDir("own-plugins");
const file = (name: string): string => path.join(dir, name);
after(() => {
  for (const f of ["flipud.ts", "scaled.ts", "widehead.ts"]) unregisterPluginFile(file(f));
  fs.rmSync(dir, { recursive: true, force: true });
});

const PLUGINS: Record<string, string> = {
  "flipud.ts": `import type { AugmentationPlugin, Plugin } from "simclr-workbook";
const flipud: AugmentationPlugin<{ p: number }> = {
  name: "flipud",
  defaults: { p: 0.5 },
  apply(batch, rng, o) {
    const row = batch.width * 3;
    const size = batch.height * row;
    for (let i = 0; i < batch.n; i++) {
      if (rng.next() >= o.p) continue;
      const img = batch.data.slice(i * size, (i + 1) * size);
      for (let y = 0; y < batch.height; y++)
        batch.data.set(img.subarray((batch.height - 1 - y) * row, (batch.height - y) * row), i * size + y * row);
    }
    return batch;
  },
};
export default { augmentations: [flipud] } satisfies Plugin;
`,
  "scaled.ts": `import * as tf from "@tensorflow/tfjs";
import { contrastiveLoss, type LossPlugin, type Plugin } from "simclr-workbook";
const scaled: LossPlugin<{ beta: number }> = {
  name: "scaledxent",
  defaults: { beta: 1 },
  loss(z1, z2, o) {
    const out = contrastiveLoss(z1, z2, { ...o, kind: "ntxent" });
    const loss = tf.tidy((): tf.Scalar => tf.mul(out.loss, o.beta));
    out.loss.dispose();
    return { ...out, loss };
  },
};
export default { losses: [scaled] } satisfies Plugin;
`,
  "widehead.ts": `import * as tf from "@tensorflow/tfjs";
import { ParamStore, wrapModel, type HeadPlugin, type Plugin } from "simclr-workbook";
const widehead: HeadPlugin<{ init: number }> = {
  name: "widehead",
  defaults: { init: 0.01 },
  create(inDim, o, seed) {
    const store = new ParamStore("head", seed);
    const k = store.dense("out", inDim, o.outDim, o.init);
    const apply = (h: tf.Tensor2D): tf.Tensor2D => tf.matMul(h, k as tf.Tensor2D);
    return {
      options: o,
      outDim: o.outDim,
      apply,
      applyAll: (h) => [tf.clone(h), apply(h)],
      forwardFlops: () => 2 * k.size,
      ...wrapModel(store),
    };
  },
};
export default { heads: [widehead] } satisfies Plugin;
`,
};
for (const [name, text] of Object.entries(PLUGINS)) fs.writeFileSync(file(name), text);

test("plugin files outside the project type-check with plain tsc against the generated tsconfig", () => {
  writePluginTsconfig(dir);
  const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
  const env = { ...process.env };
  delete env.NODE_PATH;
  const r = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", env });
  assert.equal(r.status, 0, `tsc -p ${dir} failed:\n${r.stdout}${r.stderr}`);
  assert.ok(!fs.existsSync(path.join(dir, "node_modules")), "no node_modules link in the folder");
});

const dataset = syntheticDataset(32, 16);
const small: PretrainConfigOverrides = {
  data: { trainLimit: 0, testLimit: 0, resolution: 16, prefetch: 1 },
  encoder: { widthMultiplier: 0.25 },
  head: { outDim: 8 },
  train: { batchSize: 8, maxSteps: 1 },
  eval: { linear: false, randomInit: false, knnK: 3 },
};

async function firstLoss(...flags: string[]): Promise<number> {
  const inv = parsePretrainArgs(["--preset", "tiny", ...flags]);
  const cfg = resolveConfig("tiny", small, inv.config as PretrainConfigOverrides);
  const losses: number[] = [];
  await pretrain(cfg, {
    dataset,
    progress: false,
    resume: false,
    onStep: (m) => losses.push(m.loss),
  });
  return losses[0];
}

test("they run in pre-training, their own options set from flags (--loss.beta, --augment.options.flipud.p)", async () => {
  const plugins = ["flipud.ts", "scaled.ts", "widehead.ts"].map(file).join(",");
  const common = [
    "--plugins",
    plugins,
    "--ops",
    "crop,flipud",
    "--loss",
    "scaledxent",
    "--head",
    "widehead",
  ];
  const inv = parsePretrainArgs([
    ...common,
    "--augment.options.flipud.p",
    "0.9",
    "--loss.beta",
    "0.5",
    "--head.init",
    "0.02",
  ]);
  assert.equal(inv.config.augment.options?.flipud.p, 0.9);
  assert.equal(inv.config.loss.beta, 0.5);
  assert.equal(inv.config.head.init, 0.02);
  assert.equal(
    resolveConfig("tiny", { plugins: [file("scaled.ts")], loss: { kind: "scaledxent" as never } })
      .loss.beta,
    1,
    "the default is filled in",
  );
  const one = await firstLoss(...common, "--loss.beta", "1");
  const half = await firstLoss(...common, "--loss.beta", "0.5");
  assert.ok(Number.isFinite(one) && one > 0);
  assert.equal(half, one * 0.5, "beta reaches the plugin's loss (scaling by 0.5 is exact)");
  assert.throws(
    () => parsePretrainArgs([...common, "--loss.gamma", "1"]),
    /--loss\.gamma: unknown option/,
  );
  assert.throws(
    () => parsePretrainArgs([...common, "--loss.beta", "x"]),
    /--loss\.beta: expected a number, got 'x'/,
  );
});
