import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import {
  CHECKPOINT_FILES,
  hasCheckpoint,
  loadCheckpoint,
  restoreVariables,
  saveCheckpoint,
} from "../../src/train/checkpoint";
import { tempDir } from "../support/tmp";

test("a checkpoint round-trips float and int tensors and its metadata", () => {
  const dir = path.join(tempDir("ck"), "run");
  assert.equal(hasCheckpoint(dir), false);
  const a = tf.tensor2d([
    [1.5, -2],
    [3, 4.25],
  ]);
  const b = tf.tensor1d([7, -8], "int32");
  saveCheckpoint(
    dir,
    12,
    new Map<string, tf.Tensor>([
      ["a", a],
      ["b", b],
    ]),
    { note: "x" },
  );
  assert.equal(hasCheckpoint(dir), true);
  const ck = loadCheckpoint<{ note: string }>(dir);
  assert.equal(ck.step, 12);
  assert.equal(ck.meta.note, "x");
  assert.deepEqual(Array.from(ck.tensors.get("a")?.data ?? []), [1.5, -2, 3, 4.25]);
  assert.deepEqual(ck.tensors.get("a")?.shape, [2, 2]);
  assert.deepEqual(Array.from(ck.tensors.get("b")?.data ?? []), [7, -8]);
  assert.equal(ck.tensors.get("b")?.dtype, "int32");
  const v = tf.variable(tf.zeros([2, 2]));
  restoreVariables(ck, new Map([["a", v]]));
  assert.deepEqual(Array.from(v.dataSync()), [1.5, -2, 3, 4.25]);
  const wrong = tf.variable(tf.zeros([4]));
  assert.throws(
    () => restoreVariables(ck, new Map([["a", wrong]]), dir),
    /variable a has shape \[2,2\] in the checkpoint, \[4\] in the model/,
  );
  assert.throws(
    () => restoreVariables(ck, new Map([["missing", wrong]]), dir),
    /no value for variable missing/,
  );
  tf.dispose([a, b, v, wrong]);
});

test("a truncated or foreign checkpoint is refused with the file named", () => {
  const dir = tempDir("ck");
  const t = tf.ones([100]);
  saveCheckpoint(dir, 1, new Map([["t", t]]), {});
  t.dispose();
  const bin = path.join(dir, CHECKPOINT_FILES.tensors);
  fs.writeFileSync(bin, fs.readFileSync(bin).subarray(0, 40));
  assert.throws(() => loadCheckpoint(dir), /truncated at t/);
  fs.writeFileSync(path.join(dir, CHECKPOINT_FILES.manifest), JSON.stringify({ format: "other" }));
  assert.throws(() => loadCheckpoint(dir), /not a simclr checkpoint/);
});
