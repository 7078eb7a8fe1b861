import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { compose } from "../../src/augment/compose";
import { resolveConfig, ConfigError } from "../../src/config/resolve";
import { contrastiveLoss } from "../../src/loss/contrastive";
import {
  createEncoderPart,
  createHeadPart,
  pluginAugmentations,
  resolveLoss,
} from "../../src/parts/resolve";
import { loadPlugin, PluginError } from "../../src/plugins/load";
import { loadedPlugins, unregisterPluginFile } from "../../src/plugins/registry";
import { configHash } from "../../src/track/hash";
import { parsePretrainArgs } from "../../src/cli/pretrain";
import { PROJECT_ROOT } from "../../src/track/server";
import { createRng } from "../../src/util/random";

const FIX = "test/plugins/fixtures";
const batch = (n = 2, side = 4) => ({
  n,
  height: side,
  width: side,
  channels: 3 as const,
  data: Float32Array.from({ length: n * side * side * 3 }, (_, i) => (i % 7) / 7),
});

function forgetAll(): void {
  for (const p of loadedPlugins()) unregisterPluginFile(p.file);
}

/** A copy of the invert fixture inside the project (build/ is gitignored), to edit. */
function editableCopy(name: string): { rel: string; file: string } {
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, "build", "plugins-test-"));
  const file = path.join(dir, name);
  fs.copyFileSync(path.join(PROJECT_ROOT, FIX, "invert.ts"), file);
  return { rel: path.relative(PROJECT_ROOT, file), file };
}
fs.mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });

test("a missing plugin file is an error naming the path and where relative paths start", () => {
  assert.throws(
    () => loadPlugin(`${FIX}/no-such-plugin.ts`),
    (e: Error) =>
      e instanceof PluginError &&
      /plugin test\/plugins\/fixtures\/no-such-plugin\.ts: cannot read .*no-such-plugin\.ts: file not found/.test(
        e.message,
      ) &&
      e.message.includes(PROJECT_ROOT),
  );
});

test("a plugin that throws while loading, or exports no plugin, fails naming the file", () => {
  assert.throws(
    () => loadPlugin(`${FIX}/throws.ts`),
    /plugin test\/plugins\/fixtures\/throws\.ts failed to load: boom while loading/,
  );
  assert.throws(
    () => loadPlugin(`${FIX}/not-a-plugin.ts`),
    /plugin test\/plugins\/fixtures\/not-a-plugin\.ts: expected a default export \{ augmentations\?/,
  );
});

test("a name that clashes with a built-in names the plugin file and the built-in's module", () => {
  assert.throws(
    () => loadPlugin(`${FIX}/clash-builtin.ts`),
    /plugin test\/plugins\/fixtures\/clash-builtin\.ts: augmentation 'crop' clashes with the built-in augmentation 'crop' of src\/augment\/compose\.ts/,
  );
});

test("a name registered by two plugins is an error naming both files", () => {
  forgetAll();
  loadPlugin(`${FIX}/twin-a.ts`);
  assert.throws(
    () => loadPlugin(`${FIX}/twin-b.ts`),
    /plugin test\/plugins\/fixtures\/twin-b\.ts: loss 'twin' is already registered by plugin test\/plugins\/fixtures\/twin-a\.ts/,
  );
  // the same file again (unchanged) is no clash
  assert.doesNotThrow(() => loadPlugin(`${FIX}/twin-a.ts`));
  forgetAll();
});

test("a plugin augmentation runs through compose with its defaults and options", () => {
  loadPlugin(`${FIX}/invert.ts`);
  const b = batch();
  const out = compose(["invert"], {}, pluginAugmentations())(b, createRng(0));
  assert.ok(
    Math.abs(out.data[3] - (1 - b.data[3])) < 1e-7,
    "p = 1 by default: every image inverted",
  );
  const kept = compose(["invert"], { invert: { p: 0 } }, pluginAugmentations())(b, createRng(0));
  assert.deepEqual(Array.from(kept.data), Array.from(b.data));
  assert.throws(
    () => compose(["invertt"], {}, pluginAugmentations()),
    /unknown augmentation 'invertt'; expected one of crop, .*invert/,
  );
});

test("an augmentation returning the wrong shape or NaN fails naming the file and what was expected", () => {
  loadPlugin(`${FIX}/bad-shape.ts`);
  loadPlugin(`${FIX}/nan.ts`);
  assert.throws(
    () => compose(["crop", "dropper"], {}, pluginAugmentations())(batch(3), createRng(1)),
    /plugin test\/plugins\/fixtures\/bad-shape\.ts: augmentation 'dropper' returned shape \[2, 4, 4, 3\] with 96 values; expected \[3, 4, 4, 3\] \(144 values\)/,
  );
  assert.throws(
    () => compose(["nanify"], {}, pluginAugmentations())(batch(), createRng(1)),
    /plugin test\/plugins\/fixtures\/nan\.ts: augmentation 'nanify' returned NaN at value 5 \(image 0\); expected finite pixels/,
  );
});

test("a loss that returns no scalar fails naming the file; a good one keeps contrastiveLoss's contract", () => {
  loadPlugin(`${FIX}/vector-loss.ts`);
  loadPlugin(`${FIX}/twin-a.ts`);
  const z1 = tf.randomNormal([4, 8]) as tf.Tensor2D;
  const z2 = tf.randomNormal([4, 8]) as tf.Tensor2D;
  assert.throws(
    () => resolveLoss({ kind: "vectorloss" })(z1, z2),
    /plugin test\/plugins\/fixtures\/vector-loss\.ts: loss 'vectorloss' returned loss \[8\]; expected a scalar tf\.Tensor \(rank 0\)/,
  );
  const mine = resolveLoss({ kind: "twin" })(z1, z2);
  const ref = contrastiveLoss(z1, z2, { kind: "ntxent" });
  assert.equal(mine.loss.rank, 0);
  assert.ok(Math.abs(mine.loss.dataSync()[0] - ref.loss.dataSync()[0]) < 1e-6);
  assert.throws(
    () => resolveLoss({ kind: "nope" }),
    /unknown loss kind "nope"; expected ntxent, ntlogistic, margin, .*twin/,
  );
  tf.dispose([z1, z2, mine.loss, mine.logits, mine.labels, ref.loss, ref.logits, ref.labels]);
  forgetAll();
});

test("configs name plugins: their parts become valid names, their options are checked", () => {
  assert.throws(
    () => resolveConfig("tiny", { augment: { ops: ["crop", "invert"] } }),
    /'augment.ops' has unknown operation "invert".*name its plugin file in `plugins`/,
  );
  const cfg = resolveConfig("tiny", {
    plugins: [`${FIX}/invert.ts`],
    augment: { ops: ["crop", "invert"], options: { invert: { p: 0.5 } } },
  });
  assert.equal(cfg.plugins?.[0].path, `${FIX}/invert.ts`);
  assert.match(cfg.plugins?.[0].sha256 ?? "", /^[0-9a-f]{64}$/);
  assert.throws(
    () =>
      resolveConfig("tiny", {
        plugins: [`${FIX}/invert.ts`],
        augment: { options: { invert: { q: 1 } } },
      }),
    (e: Error) =>
      e instanceof ConfigError &&
      /unknown option 'augment.options.invert.q'; options of 'invert' \(plugin test\/plugins\/fixtures\/invert\.ts\): p/.test(
        e.message,
      ),
  );
  assert.throws(
    () => resolveConfig("tiny", { augment: { ops: ["crop", "invert"] } }),
    /'augment.ops' uses 'invert' of plugin test\/plugins\/fixtures\/invert\.ts, which the config's 'plugins' does not list/,
    "loaded earlier is not enough: the config must name the file its hash covers",
  );
  assert.throws(
    () => resolveConfig("tiny", { plugins: [`${FIX}/throws.ts`] }),
    (e: Error) => e instanceof ConfigError && /throws\.ts failed to load/.test(e.message),
  );
  forgetAll();
});

test("the config hash follows the plugin's content; built-in configs carry no plugin field", () => {
  const plain = resolveConfig("tiny");
  assert.ok(!("plugins" in plain), "no plugins: the field is absent, so the hash is the old one");
  assert.equal(configHash(resolveConfig("tiny", { plugins: [] })), configHash(plain));
  const { rel, file } = editableCopy("edited.ts");
  const over = { plugins: [rel], augment: { ops: ["crop", "invert"] } };
  const before = resolveConfig("tiny", over);
  assert.equal(configHash(resolveConfig("tiny", over)), configHash(before), "same file, same hash");
  fs.appendFileSync(file, "\n// an edit\n");
  const after = resolveConfig("tiny", over);
  assert.notEqual(after.plugins?.[0].sha256, before.plugins?.[0].sha256);
  assert.notEqual(configHash(after), configHash(before));
  // a config resolved before the edit names code that is gone: loading it says so
  assert.throws(
    () => resolveConfig("tiny", { ...over, plugins: before.plugins }),
    /edited\.ts changed since this config was resolved \(sha256 [0-9a-f]{12} in the config, [0-9a-f]{12} on disk\)/,
  );
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  forgetAll();
});

test("simclr pretrain loads --plugins and a config file's plugins before validating the config", () => {
  const inv = parsePretrainArgs(["--plugins", `${FIX}/invert.ts`, "--ops", "crop,invert"]);
  assert.equal(inv.config.plugins?.[0].path, `${FIX}/invert.ts`);
  assert.deepEqual(inv.config.augment.ops, ["crop", "invert"]);
  forgetAll();
  // a resolved config, as a sweep writes it for a cell: its plugins are loaded from the file
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, "build", "plugins-cli-"));
  const file = path.join(dir, "cell.json");
  fs.writeFileSync(file, JSON.stringify(inv.config));
  const cell = parsePretrainArgs(["--config", file]);
  assert.equal(configHash(cell.config), configHash(inv.config));
  fs.writeFileSync(file, JSON.stringify({ plugins: [`${FIX}/throws.ts`] }));
  assert.throws(
    () => parsePretrainArgs(["--config", file]),
    (e: Error) =>
      e instanceof ConfigError &&
      e.message.startsWith(`${file}: plugin test/plugins/fixtures/throws.ts failed to load`),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  forgetAll();
});

test("plugin heads and encoders are created by name, with their output shape checked", () => {
  loadPlugin(`${FIX}/models.ts`);
  const enc = createEncoderPart({ arch: "meancolor" as never }, 1);
  const head = createHeadPart(enc.featureDim, { kind: "dense1" as never, outDim: 4 }, 2);
  const x = tf.randomUniform([3, 8, 8, 3]) as tf.Tensor4D;
  const h = enc.apply(x, true);
  const z = head.apply(h, true);
  assert.deepEqual(
    [h.shape, z.shape],
    [
      [3, 8],
      [3, 4],
    ],
  );
  assert.equal(head.trainableVariables.length, 1);
  const wide = createHeadPart(8, { kind: "toowide" as never, outDim: 4 }, 2);
  assert.throws(
    () => wide.apply(h, true),
    /plugin test\/plugins\/fixtures\/models\.ts: projection head 'toowide' returned \[3,5\]; expected \[3, 4\]/,
  );
  assert.throws(
    () => createHeadPart(8, { kind: "nohead" as never }, 0),
    /unknown head kind "nohead"/,
  );
  tf.dispose([x, h, z]);
  [enc, head, wide].forEach((m) => m.dispose());
  forgetAll();
});
