import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { PROJECT_ROOT } from "../../src/data/paths";
import { decodeImage } from "../../src/data/decode";
import { removeTempDirs, tempDir, writeImageFolder } from "./helpers";

const simclr = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "simclr.cjs"), ...args], { encoding: "utf8", env: { ...process.env, ...env } });

after(removeTempDirs);

describe("simclr data and simclr augment", () => {
  it("reports sizes, classes, channel statistics and the source as JSON", () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), ["a", "b"], 3, 8);
    const r = simclr(["data", "toy", "--root", path.join(dir, "toy"), "--check", "--json"], { SIMCLR_DATA: path.join(dir, "root") });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { train: number; test: number; classes: string[]; mean: number[]; std: number[]; source: string };
    assert.equal(report.train, 6);
    assert.equal(report.test, 6);
    assert.deepEqual(report.classes, ["a", "b"]);
    assert.equal(report.mean.length, 3);
    assert.ok(report.std.every((s) => s > 0 && s < 0.5));
    assert.ok(report.source.includes(path.join(dir, "toy")));
  });

  it("exits non-zero with where it looked when the data set is missing and SIMCLR_NO_DOWNLOAD=1", () => {
    const root = tempDir();
    const r = simclr(["data", "cifar10", "--check"], { SIMCLR_DATA: root, SIMCLR_CIFAR10_DIR: "", SIMCLR_NO_DOWNLOAD: "1" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /data set 'cifar10' not found; looked in:/);
    assert.ok(r.stderr.includes(path.join(root, "cifar10-jpeg")));
    assert.doesNotMatch(r.stderr, /The download failed/, "no download was tried");
  });

  it("writes a gallery PNG of originals and two views", () => {
    const dir = tempDir();
    writeImageFolder(path.join(dir, "toy"), ["a", "b"], 4, 8);
    const out = path.join(dir, "g.png");
    const r = simclr(["augment", "--ops", "crop,color", "--n", "4", "--seed", "0", "--data", "toy", "--root", path.join(dir, "toy"), "--out", out], { SIMCLR_DATA: path.join(dir, "root") });
    assert.equal(r.status, 0, r.stderr);
    const img = decodeImage(fs.readFileSync(out), out);
    // 4 groups of 3 tiles of 32 px (8 px x 4) in one row
    assert.equal(img.height, 32 + 4 * 4);
    assert.equal(img.width, 4 * (3 * 32 + 2 * 4) + 5 * 8);
    const bad = simclr(["augment", "--ops", "crop,solarize", "--out", out]);
    assert.equal(bad.status, 2, "an unknown augmentation is a usage error");
    assert.match(bad.stderr, /unknown augmentation 'solarize'/);
  });
});
