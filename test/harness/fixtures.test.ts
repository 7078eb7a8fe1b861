/**
 * The end-to-end tests' own support: the generated image folder they run on without CIFAR-10, and
 * the Chromium check that makes the browser tests skip (never fail) where no browser can be had.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadDataset } from "../../src/data/load";
import { ensureChromium } from "../support/browser";
import { PATTERNS, writePatternFolder } from "../support/image-folder";
import { tempDir } from "../support/tmp";

const dir = tempDir("fixture-test");
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the generated image folder", () => {
  it("is an image folder the loader reads: one class per pattern, the requested counts, 32x32", async () => {
    const folder = path.join(dir, "patterns");
    const classes = writePatternFolder(folder, { trainPerClass: 5, testPerClass: 3 });
    assert.deepEqual(classes, Object.keys(PATTERNS));
    const ds = await loadDataset(folder, {
      dataRoot: path.join(dir, "root"),
      onNotice: () => undefined,
    });
    assert.deepEqual(ds.classes, [...classes].sort());
    assert.equal(ds.train.n, 5 * classes.length);
    assert.equal(ds.test.n, 3 * classes.length);
    assert.equal(ds.train.height, 32);
    assert.equal(ds.ignored, 0);
  });

  it("is the same for the same seed and differs for another", () => {
    const a = path.join(dir, "a");
    const b = path.join(dir, "b");
    const c = path.join(dir, "c");
    writePatternFolder(a, { trainPerClass: 2, testPerClass: 1 });
    writePatternFolder(b, { trainPerClass: 2, testPerClass: 1 });
    writePatternFolder(c, { trainPerClass: 2, testPerClass: 1, seed: 1 });
    const f = (root: string): Buffer =>
      fs.readFileSync(path.join(root, "train", "rings", "0001.png"));
    assert.ok(f(a).equals(f(b)));
    assert.ok(!f(a).equals(f(c)));
  });
});

describe("the browser tests' Chromium", () => {
  const missing = path.join(dir, "no-such-chromium");

  it("is used where it exists", () => {
    assert.equal(ensureChromium({ executable: process.execPath }), undefined);
  });

  it("skips, saying how to install it, when it is missing and the tests are not root", () => {
    const reason = ensureChromium({ executable: missing, isRoot: false });
    assert.match(
      reason ?? "",
      /no-such-chromium is missing and the tests are not root; install it with `sudo apt-get install chromium`/,
    );
    assert.match(reason ?? "", /SIMCLR_CHROMIUM/);
  });

  it("skips, saying how to install it, when there is no apt-get", () => {
    const reason = ensureChromium({ executable: missing, isRoot: true, aptGet: null });
    assert.match(reason ?? "", /is missing and there is no apt-get here; install it with/);
  });
});
