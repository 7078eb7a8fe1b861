import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadDataset } from "../../src/data/load";
import { readCacheHeader } from "../../src/data/cache";
import { encodeCifar10Records, parseCifar10Files } from "../../src/data/cifar10";
import { encodeStl10Images, parseStl10Files } from "../../src/data/stl10";
import { extractTarGz, verifyMd5, md5File } from "../../src/data/download";
import { decodeImage } from "../../src/data/decode";
import { randomSplit, removeTempDirs, tempDir, withoutCifarVariable, writeImageFolder } from "./helpers";

after(removeTempDirs);

const CLASSES = ["cat", "dog", "frog"];

describe("image-folder data sets", () => {
  it("loads train and test splits with sorted class names and labels by folder", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 4);
    const ds = await loadDataset(path.join(dir, "toy"), { dataRoot: path.join(dir, "root") });
    assert.deepEqual(ds.classes, CLASSES);
    assert.equal(ds.train.n, 12);
    assert.equal(ds.test.n, 12);
    assert.equal(ds.train.height, 8);
    assert.deepEqual(Array.from(ds.train.labels), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    // the first file of class 0 is 0.png: exact pixels
    const png = decodeImage(fs.readFileSync(path.join(dir, "toy", "train", "cat", "0.png")), "0.png");
    assert.deepEqual(Array.from(ds.train.pixels.subarray(0, 8 * 8 * 3)), Array.from(png.rgb));
    assert.equal(ds.fromCache, false);
  });

  it("reads the second load from the decoded cache with identical contents", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 3);
    const root = path.join(dir, "root");
    const a = await loadDataset(path.join(dir, "toy"), { dataRoot: root });
    const b = await loadDataset(path.join(dir, "toy"), { dataRoot: root });
    assert.equal(b.fromCache, true);
    assert.deepEqual(Array.from(b.train.pixels), Array.from(a.train.pixels));
    assert.deepEqual(Array.from(b.test.labels), Array.from(a.test.labels));
    const header = readCacheHeader(path.join(root, "cache", "toy-folder-train.bin"));
    assert.ok(header);
    assert.equal(header.n, 9);
    assert.deepEqual(header.classes, CLASSES);
  });

  it("rebuilds a stale cache when the folder listing changes", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 3);
    const root = path.join(dir, "root");
    await loadDataset(path.join(dir, "toy"), { dataRoot: root });
    fs.rmSync(path.join(dir, "toy", "train", "dog", "0.png"));
    const b = await loadDataset(path.join(dir, "toy"), { dataRoot: root });
    assert.equal(b.fromCache, false);
    assert.equal(b.train.n, 8);
  });

  it("skips files that are not images by extension, as torchvision's ImageFolder does, and says how many", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 2);
    fs.writeFileSync(path.join(dir, "toy", "train", "dog", "README.txt"), "notes");
    fs.writeFileSync(path.join(dir, "toy", "train", "dog", ".DS_Store"), "\x00\x00\x00\x01Bud1");
    fs.writeFileSync(path.join(dir, "toy", "test", "cat", "Thumbs.db"), "\xd0\xcf\x11\xe0");
    fs.writeFileSync(path.join(dir, "toy", "train", "README.md"), "about this folder");
    const notices: string[] = [];
    const opts = { dataRoot: path.join(dir, "root"), onNotice: (m: string) => notices.push(m) };
    const ds = await loadDataset(path.join(dir, "toy"), opts);
    assert.equal(ds.train.n, 6);
    assert.equal(ds.test.n, 6);
    assert.equal(ds.ignored, 4);
    assert.equal(ds.skipped, 0);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /toy: skipped 4 files that are not JPEG\/PNG images by extension \(/);
    assert.match(notices[0], /README\.txt/);
    // a second load reads the cache and still says so
    const again = await loadDataset(path.join(dir, "toy"), opts);
    assert.equal(again.fromCache, true);
    assert.equal(again.ignored, 4);
    assert.equal(notices.length, 2);
  });

  it("stops at a file with an image extension that does not decode, naming it, and skips it with a count when lenient", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 2);
    fs.writeFileSync(path.join(dir, "toy", "train", "dog", "notes.jpg"), "hello");
    const opts = { dataRoot: path.join(dir, "root") };
    await assert.rejects(loadDataset(path.join(dir, "toy"), opts), /dog\/notes\.jpg: not an image \(expected a JPEG or PNG/);
    const ds = await loadDataset(path.join(dir, "toy"), { ...opts, lenient: true });
    assert.equal(ds.skipped, 1);
    assert.equal(ds.train.n, 6);
  });

  it("refuses an image format it cannot read, naming the file and the fix", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 2);
    fs.writeFileSync(path.join(dir, "toy", "test", "frog", "scan.BMP"), "BM....");
    await assert.rejects(loadDataset(path.join(dir, "toy"), { dataRoot: path.join(dir, "root") }), /test\/frog\/scan\.BMP: \.bmp images are not read \(expected JPEG or PNG; convert/);
  });

  it("stops at a truncated image naming it", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 2);
    const f = path.join(dir, "toy", "test", "frog", "1.jpg");
    const bytes = fs.readFileSync(f);
    fs.writeFileSync(f, bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(loadDataset(path.join(dir, "toy"), { dataRoot: path.join(dir, "root") }), /frog\/1\.jpg: truncated or corrupt JPEG/);
  });

  it("names a data-set path that does not exist", async () => {
    const missing = path.join(tempDir(), "no-such-folder");
    await assert.rejects(loadDataset(missing, { download: false }), new RegExp(`${missing}: no such folder \\(expected a data set folder`));
  });

  it("reports an empty class folder with its path", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 2);
    fs.mkdirSync(path.join(dir, "toy", "train", "emu"));
    await assert.rejects(loadDataset(path.join(dir, "toy"), { dataRoot: path.join(dir, "root") }), /train\/emu: empty class folder \(expected at least one JPEG or PNG/);
  });

  it("reports mixed image sizes naming the odd file and the expected size", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), CLASSES, 2, 8);
    writeImageFolder(path.join(dir, "other"), ["dog"], 1, 6);
    fs.copyFileSync(path.join(dir, "other", "train", "dog", "0.png"), path.join(dir, "toy", "train", "dog", "9.png"));
    await assert.rejects(loadDataset(path.join(dir, "toy"), { dataRoot: path.join(dir, "root") }), /dog\/9\.png: image is 6x6, expected 8x8 .*mixed sizes/);
  });

  it("decodes on worker threads to the same pixels as on the calling thread", async () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), ["a", "b"], 1100, 4); // 2200 files per split: above the worker threshold
    const root = path.join(dir, "root");
    const w = await loadDataset(path.join(dir, "toy"), { dataRoot: root, cache: false, workers: 2 });
    const { listImageFolder, decodeFolder } = await import("../../src/data/imagefolder");
    const local = await decodeFolder(listImageFolder(path.join(dir, "toy", "train")), { workers: 0 });
    assert.equal(w.train.n, 2200);
    assert.deepEqual(Buffer.from(w.train.pixels).equals(Buffer.from(local.split.pixels)), true);
  });

  it("says where it looked and how to get the data when a data set is missing and downloads are off", async () => {
    const root = tempDir();
    await withoutCifarVariable(() =>
      assert.rejects(loadDataset("cifar10", { dataRoot: root, download: false }), (e: Error) => {
        assert.match(e.message, /data set 'cifar10' not found; looked in:/);
        assert.ok(e.message.includes(path.join(root, "cifar10")));
        assert.ok(e.message.includes(path.join(root, "cifar10-jpeg")));
        assert.match(e.message, /downloaded on first use when the network allows \(unless SIMCLR_NO_DOWNLOAD=1\)/);
        assert.match(e.message, /simclr data cifar10 --download/);
        assert.doesNotMatch(e.message, /The download failed/);
        return true;
      }),
    );
  });
});

describe("CIFAR-10 binary release", () => {
  it("parses records (label byte, then R, G, B planes) into NHWC images", async () => {
    const dir = tempDir();
    const bin = path.join(dir, "cifar10", "cifar-10-batches-bin");
    fs.mkdirSync(bin, { recursive: true });
    const train = randomSplit(25, 32, 32, 10, 3);
    const test = randomSplit(7, 32, 32, 10, 4);
    for (let i = 1; i <= 5; i++) {
      const part = { ...train, n: 5, pixels: train.pixels.subarray((i - 1) * 5 * 3072, i * 5 * 3072), labels: train.labels.subarray((i - 1) * 5, i * 5) };
      fs.writeFileSync(path.join(bin, `data_batch_${i}.bin`), encodeCifar10Records(part));
    }
    fs.writeFileSync(path.join(bin, "test_batch.bin"), encodeCifar10Records(test));
    // hand check of the format on one pixel: record 0, pixel (row 1, col 2), green plane
    const raw = fs.readFileSync(path.join(bin, "data_batch_1.bin"));
    assert.equal(raw[1 + 1024 + 1 * 32 + 2], train.pixels[(1 * 32 + 2) * 3 + 1]);
    const ds = await loadDataset("cifar10", { dataRoot: dir });
    assert.equal(ds.format, "cifar10-binary");
    assert.equal(ds.train.n, 25);
    assert.deepEqual(Buffer.from(ds.train.pixels).equals(Buffer.from(train.pixels)), true);
    assert.deepEqual(Array.from(ds.test.labels), Array.from(test.labels));
    assert.equal(ds.classes[0], "airplane");
    const again = await loadDataset("cifar10", { dataRoot: dir });
    assert.equal(again.fromCache, true);
  });

  it("reports a batch file of the wrong length with its name and the record size", () => {
    const dir = tempDir();
    const f = path.join(dir, "data_batch_1.bin");
    fs.writeFileSync(f, new Uint8Array(3073 * 2 + 5));
    assert.throws(() => parseCifar10Files([f]), /data_batch_1\.bin: 6151 bytes is not a whole number of 3073-byte CIFAR-10 records/);
  });
});

describe("STL-10 binary release", () => {
  it("parses column-major channel planes and 1-based labels", () => {
    const dir = tempDir();
    const split = randomSplit(3, 96, 96, 10, 5);
    fs.writeFileSync(path.join(dir, "train_X.bin"), encodeStl10Images(split));
    fs.writeFileSync(path.join(dir, "train_y.bin"), Uint8Array.from(split.labels, (l) => l + 1));
    // hand check: image 0, channel 2, pixel (y = 3, x = 5) sits at 2 * 9216 + 5 * 96 + 3
    const raw = fs.readFileSync(path.join(dir, "train_X.bin"));
    assert.equal(raw[2 * 9216 + 5 * 96 + 3], split.pixels[(3 * 96 + 5) * 3 + 2]);
    const got = parseStl10Files(path.join(dir, "train_X.bin"), path.join(dir, "train_y.bin"));
    assert.deepEqual(Buffer.from(got.pixels).equals(Buffer.from(split.pixels)), true);
    assert.deepEqual(Array.from(got.labels), Array.from(split.labels));
    const unl = parseStl10Files(path.join(dir, "train_X.bin"), null, 2);
    assert.equal(unl.n, 2);
    assert.deepEqual(Array.from(unl.labels), [-1, -1]);
  });

  it("finds an STL-10 release under the data root with its unlabelled split on request", async () => {
    const root = tempDir();
    const dir = path.join(root, "stl10", "stl10_binary");
    fs.mkdirSync(dir, { recursive: true });
    const train = randomSplit(4, 96, 96, 10, 11);
    const test = randomSplit(2, 96, 96, 10, 12);
    for (const [name, s] of [["train", train], ["test", test]] as const) {
      fs.writeFileSync(path.join(dir, `${name}_X.bin`), encodeStl10Images(s));
      fs.writeFileSync(path.join(dir, `${name}_y.bin`), Uint8Array.from(s.labels, (l) => l + 1));
    }
    fs.writeFileSync(path.join(dir, "unlabeled_X.bin"), encodeStl10Images(randomSplit(3, 96, 96, 1, 13)));
    const ds = await loadDataset("stl10", { dataRoot: root, unlabeled: 2 });
    assert.equal(ds.format, "stl10-binary");
    assert.deepEqual([ds.train.n, ds.test.n, ds.unlabeled?.n], [4, 2, 2]);
    assert.equal(ds.classes[2], "car");
    assert.ok(Buffer.from(ds.test.pixels).equals(Buffer.from(test.pixels)));
    assert.equal((await loadDataset("stl10", { dataRoot: root })).fromCache, true);
  });

  it("reports wrong lengths of image and label files", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "x.bin"), new Uint8Array(27648 + 1));
    assert.throws(() => parseStl10Files(path.join(dir, "x.bin"), null), /x\.bin: 27649 bytes is not a whole number of 27648-byte STL-10 images/);
    fs.writeFileSync(path.join(dir, "x2.bin"), new Uint8Array(27648 * 2));
    fs.writeFileSync(path.join(dir, "y2.bin"), new Uint8Array([1, 2, 3]));
    assert.throws(() => parseStl10Files(path.join(dir, "x2.bin"), path.join(dir, "y2.bin")), /y2\.bin: 3 labels, expected 2/);
  });
});

describe("archives", () => {
  it("extracts a .tar.gz made by the tar tool, byte for byte", async (t) => {
    if (spawnSync("tar", ["--version"]).status !== 0) {
      t.skip("no tar binary to make the test archive");
      return;
    }
    const dir = tempDir();
    const src = path.join(dir, "src", "cifar-10-batches-bin");
    fs.mkdirSync(src, { recursive: true });
    const big = randomSplit(3, 32, 32, 10, 9).pixels;
    fs.writeFileSync(path.join(src, "data_batch_1.bin"), big);
    fs.writeFileSync(path.join(src, "batches.meta.txt"), "airplane\n");
    fs.writeFileSync(path.join(src, `${"long-name-".repeat(12)}.txt`), "x");
    const archive = path.join(dir, "a.tar.gz");
    assert.equal(spawnSync("tar", ["-czf", archive, "-C", path.join(dir, "src"), "cifar-10-batches-bin"]).status, 0);
    const out = path.join(dir, "out");
    const files = await extractTarGz(archive, out);
    assert.equal(files.length, 3);
    assert.ok(fs.readFileSync(path.join(out, "cifar-10-batches-bin", "data_batch_1.bin")).equals(Buffer.from(big)));
    assert.equal(fs.readFileSync(path.join(out, "cifar-10-batches-bin", `${"long-name-".repeat(12)}.txt`), "utf8"), "x");
  });

  it("reports a checksum mismatch with the file, the expected and the actual digest", async () => {
    const dir = tempDir();
    const f = path.join(dir, "cifar-10-binary.tar.gz");
    fs.writeFileSync(f, "abc");
    assert.equal(await md5File(f), "900150983cd24fb0d6963f7d28e17f72"); // RFC 1321 test vector
    await assert.rejects(verifyMd5(f, "c32a1d4ab5d03f1284b67883e8d87530"), /cifar-10-binary\.tar\.gz: checksum mismatch, MD5 900150983cd24fb0d6963f7d28e17f72, expected c32a1d4ab5d03f1284b67883e8d87530/);
  });
});
