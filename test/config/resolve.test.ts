import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CONFIG } from "../../src/config/pretrain-config";
import { PRESETS } from "../../src/config/presets";
import {
  ConfigError,
  flattenConfig,
  loadConfigFile,
  resolveConfig,
} from "../../src/config/resolve";
import { tempDir } from "../support/tmp";

test("the default config follows SimCLR appendix B.9 for CIFAR-10", () => {
  const c = resolveConfig();
  assert.equal(c.encoder.arch, "resnet50");
  assert.equal(c.encoder.stem, "cifar");
  assert.equal(c.loss.temperature, 0.5);
  assert.equal(c.augment.colorStrength, 0.5);
  assert.equal(c.augment.blur, false);
  assert.equal(c.optimizer.kind, "lars");
});

test("presets override the defaults and later overrides win, without mutating the defaults", () => {
  const c = resolveConfig("tiny", { train: { batchSize: 64 } }, { train: { epochs: 2 } });
  assert.equal(c.preset, "tiny");
  assert.equal(c.train.batchSize, 64);
  assert.equal(c.train.epochs, 2);
  assert.equal(c.encoder.arch, PRESETS.tiny.encoder?.arch);
  assert.equal(c.loss.kind, DEFAULT_CONFIG.loss.kind);
  assert.equal(c.loss.temperature, 0.2);
  assert.equal(DEFAULT_CONFIG.train.batchSize, 512);
  c.augment.ops.push("blur");
  assert.ok(!DEFAULT_CONFIG.augment.ops.includes("blur"));
});

test("every preset resolves to a valid config", () => {
  for (const p of ["tiny", "small", "paper"] as const) assert.equal(resolveConfig(p).preset, p);
  const paper = resolveConfig("paper");
  assert.equal(paper.train.batchSize, 1024);
  assert.equal(paper.encoder.arch, "resnet50");
});

test("bad fields and values are reported by their dotted path", () => {
  const bad: [unknown, RegExp][] = [
    [{ loss: { temprature: 0.5 } }, /unknown field 'loss.temprature'/],
    [{ encoder: { arch: "vgg" } }, /'encoder.arch' is "vgg"; expected one of "convnet"/],
    [{ train: { batchSize: 0 } }, /'train.batchSize' must be an integer >= 2, got 0/],
    [{ train: { batchSize: "big" } }, /'train.batchSize' must be a number, got "big"/],
    [{ loss: { temperature: -1 } }, /'loss.temperature' must be > 0/],
    [{ optimizer: { learningRate: "x" } }, /'optimizer.learningRate' must be a number or null/],
    [{ augment: { ops: [1] } }, /'augment.ops' must be an array of strings/],
    [{ data: 3 }, /'data' must be an object/],
    [
      { eval: { transformProbe: true } },
      /'eval.transformProbe' is true; expected one of false, "linear", "mlp"/,
    ],
  ];
  for (const [o, re] of bad) {
    assert.throws(
      () => resolveConfig("tiny", o as never),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  }
  assert.throws(() => resolveConfig("huge" as never), /unknown preset "huge"/);
  assert.equal(
    resolveConfig("tiny", { eval: { transformProbe: "mlp" } }).eval.transformProbe,
    "mlp",
  );
});

test("a JSON config file names its preset and fields; errors name the file", () => {
  const dir = tempDir("cfg");
  const good = path.join(dir, "good.json");
  fs.writeFileSync(good, JSON.stringify({ preset: "tiny", loss: { temperature: 0.2 } }));
  const c = loadConfigFile(good, { seed: 7 });
  assert.equal(c.preset, "tiny");
  assert.equal(c.loss.temperature, 0.2);
  assert.equal(c.seed, 7);
  const broken = path.join(dir, "broken.json");
  fs.writeFileSync(broken, "{ nope");
  assert.throws(() => loadConfigFile(broken), new RegExp(`${broken}: not valid JSON`));
  const wrong = path.join(dir, "wrong.json");
  fs.writeFileSync(wrong, JSON.stringify({ head: { kind: "deep" } }));
  assert.throws(() => loadConfigFile(wrong), new RegExp(`${wrong}: 'head.kind' is "deep"`));
  assert.throws(() => loadConfigFile(path.join(dir, "missing.json")), /cannot read config file/);
});

test("a config flattens to dotted params for tracking", () => {
  const flat = flattenConfig(resolveConfig("tiny"));
  assert.equal(flat["loss.temperature"], 0.2);
  assert.equal(flat["augment.ops"], "crop,flip,color");
  assert.equal(flat["data.dataDir"], "null");
});
