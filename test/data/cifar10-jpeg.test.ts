/**
 * The CIFAR-10 JPEG copy on the shared drive of these machines (skipped where absent): listing
 * counts and a decode of a slice. The full decode and the cache timing are in `npm run bench` and
 * `simclr data cifar10 --check`.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { decodeFolder, listImageFolder } from "../../src/data/imagefolder";
import { PROJECT_ROOT } from "../../src/data/paths";

const DIR = process.env.SIMCLR_CIFAR10_DIR ?? path.join(PROJECT_ROOT, "..", "shared", "datasets", "cifar10-jpeg");
const present = fs.existsSync(path.join(DIR, "train"));

describe("the CIFAR-10 JPEG image folder", { skip: present ? false : `no CIFAR-10 JPEG copy at ${DIR} (set SIMCLR_CIFAR10_DIR to an image folder of CIFAR-10)` }, () => {
  it("lists 50,000 training and 10,000 test images in 10 classes", () => {
    const train = listImageFolder(path.join(DIR, "train"));
    const test = listImageFolder(path.join(DIR, "test"), train.classes);
    assert.equal(train.files.length, 50000);
    assert.equal(test.files.length, 10000);
    assert.deepEqual(train.classes, ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]);
  });

  it("decodes a slice of the test split to 32x32 images with plausible pixel statistics", async () => {
    const list = listImageFolder(path.join(DIR, "test"));
    const keep = list.files.map((_, i) => i).filter((i) => i % 100 === 0);
    const slice = { ...list, files: keep.map((i) => list.files[i]), labels: Int16Array.from(keep, (i) => list.labels[i]) };
    const { split } = await decodeFolder(slice, { workers: 0 });
    assert.equal(split.n, 100);
    assert.equal(split.height, 32);
    let s = 0;
    for (const v of split.pixels) s += v;
    const mean = s / split.pixels.length / 255;
    assert.ok(mean > 0.35 && mean < 0.6, `mean pixel ${mean}`);
  });
});
