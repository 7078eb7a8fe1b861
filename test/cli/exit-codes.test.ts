/**
 * Exit codes of the `simclr` command line (issue 28, item 5): every sub-command's bad inputs (an
 * unknown flag, sub-command, preset, executor, study or a bad value) exit 2 with one line on
 * stderr that names the bad value and the allowed ones; a runtime failure exits 1. Runs the real
 * bin/simclr.cjs.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../support/tmp";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "simclr.cjs");

interface Outcome {
  code: number | null;
  stderr: string;
}

function simclr(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, SIMCLR_NO_DOWNLOAD: "1", MLFLOW_TRACKING_URI: "http://127.0.0.1:9" },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** [arguments, what the one line must name: the bad value, then one allowed value]. */
const USAGE_CASES: [string[], RegExp[]][] = [
  [["nosuch"], [/'nosuch'/, /pretrain/]],
  [
    ["data", "--bogus"],
    [/--bogus/, /--root/],
  ],
  [["data"], [/got 0/, /cifar10/]],
  [
    ["augment", "--bogus"],
    [/--bogus/, /--ops/],
  ],
  [
    ["augment", "--ops", "nosuch", "--out", "x.png"],
    [/'nosuch'/, /crop/],
  ],
  [
    ["augment", "--n=-3", "--out", "x.png"],
    [/--n -3/, />= 1/],
  ],
  [
    ["mlflow", "nosuch"],
    [/'nosuch'/, /sync/],
  ],
  [
    ["mlflow", "sync", "--bogus"],
    [/--bogus/, /--dir/],
  ],
  [
    ["sweep", "--bogus"],
    [/--bogus/, /--preset/],
  ],
  [
    ["sweep", "temperature"],
    [/--preset/, /tiny/],
  ],
  [
    ["sweep", "temperature", "--preset", "nosuch"],
    [/'nosuch'/, /tiny/],
  ],
  [
    ["sweep", "nosuch", "--preset", "tiny"],
    [/'nosuch'/, /temperature/],
  ],
  [
    ["sweep", "temperature", "--preset", "tiny", "--executor", "nosuch"],
    [/'nosuch'/, /local/],
  ],
  [
    ["sweep", "temperature", "--preset", "tiny", "--seeds", "0"],
    [/'0'/, />= 1/],
  ],
  [
    ["sweep", "temperature", "--preset", "tiny", "--parallel", "x"],
    [/'x'/, /--parallel/],
  ],
  [
    ["report", "--bogus"],
    [/--bogus/, /--experiment/],
  ],
  [
    ["report", "--experiment", "e", "--out", "r.txt"],
    [/'r\.txt'/, /\.html/],
  ],
  [
    ["pretrain", "--bogus"],
    [/--bogus/, /--preset/],
  ],
  [
    ["pretrain", "--preset", "nosuch"],
    [/'nosuch'/, /tiny/],
  ],
  [
    ["pretrain", "--temperature", "warm"],
    [/'warm'/, /number/],
  ],
  [
    ["eval", "--bogus"],
    [/--bogus/, /--model/],
  ],
  [["eval"], [/--model is required/, /models:\/<model_id>/]],
  [
    ["eval", "--model", "m-123"],
    [/'m-123'/, /models:\/<model_id>/],
  ],
  [
    ["eval", "--model", "models:/m-1", "--test-limit", "many"],
    [/'many'/, /integer/],
  ],
  [
    ["bench", "--bogus"],
    [/--bogus/, /--quick/],
  ],
  [
    ["bench", "--models", "nosuch"],
    [/"nosuch"/, /convnet/],
  ],
  [
    ["doctor", "--bogus"],
    [/--bogus/, /--json/],
  ],
  [
    ["doctor", "--cuda-lib-dir", "/no/such/folder"],
    [/'\/no\/such\/folder'/, /not a folder/],
  ],
];

// Each case is a fresh `node` (about a second); four at a time.
describe("usage errors", { concurrency: 4 }, () => {
  for (const [args, names] of USAGE_CASES) {
    test(`simclr ${args.join(" ")}: exit 2, one line naming the value and the allowed ones`, async () => {
      const r = await simclr(args);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
      for (const re of names) assert.match(lines[0], re);
    });
  }
});

test("a runtime failure exits 1: a data set folder that is not there", async () => {
  const missing = path.join(tempDir("exit-codes"), "no-such-dataset");
  const r = await simclr(["data", missing, "--no-download"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no-such-dataset/);
});

test("a runtime failure exits 1: a study file that is not JSON", async () => {
  const file = path.join(tempDir("exit-codes"), "study.json");
  fs.writeFileSync(file, "{ not json");
  const r = await simclr(["sweep", file, "--preset", "tiny"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /not valid JSON/);
});
