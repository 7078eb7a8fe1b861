import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parsePretrainArgs } from "../../src/cli/pretrain";
import { ConfigError } from "../../src/config/resolve";
import { tempDir } from "../support/tmp";

test("flags set dotted fields and short aliases, typed by the field's default", () => {
  const inv = parsePretrainArgs([
    "--preset",
    "tiny",
    "--temperature",
    "0.1",
    "--train.batchSize",
    "64",
    "--ops",
    "crop,color",
    "--augment.blur",
    "true",
    "--lr",
    "null",
    "--data-dir",
    "/x",
    "--json",
  ]);
  assert.equal(inv.config.preset, "tiny");
  assert.equal(inv.config.loss.temperature, 0.1);
  assert.equal(inv.config.train.batchSize, 64);
  assert.deepEqual(inv.config.augment.ops, ["crop", "color"]);
  assert.equal(inv.config.augment.blur, true);
  assert.equal(inv.config.optimizer.learningRate, null);
  assert.equal(inv.config.data.dataDir, "/x");
  assert.equal(inv.json, true);
});

test("a config file sits between its preset and the flags", () => {
  const file = path.join(tempDir("cli"), "c.json");
  fs.writeFileSync(
    file,
    JSON.stringify({ preset: "tiny", loss: { temperature: 0.3 }, train: { batchSize: 32 } }),
  );
  const inv = parsePretrainArgs(["--config", file, "--batch-size", "16"]);
  assert.equal(inv.config.preset, "tiny");
  assert.equal(inv.config.loss.temperature, 0.3);
  assert.equal(inv.config.train.batchSize, 16);
  assert.equal(inv.config.data.resolution, 16, "from the tiny preset");
});

test("bad flags are reported with the flag, the value and what was expected", () => {
  const cases: [string[], RegExp][] = [
    [["--temperature", "warm"], /--temperature: expected a number, got 'warm'/],
    [["--augment.blur", "maybe"], /--augment.blur: expected true or false, got 'maybe'/],
    [["--loss.kind", "hinge"], /command line: 'loss.kind' is "hinge"; expected one of/],
    [["--ops", "crop,zoom"], /'augment.ops' has unknown operation "zoom"/],
    [["--preset", "huge"], /--preset: unknown preset 'huge'/],
    [["--bogus", "1"], /Unknown option '--bogus'/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(
      () => parsePretrainArgs(argv),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      argv.join(" "),
    );
  }
});
