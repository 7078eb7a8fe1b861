import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { downloadFile } from "../../src/data/download";
import { loadDataset } from "../../src/data/load";
import { encodeCifar10Records } from "../../src/data/cifar10";
import { downloadAllowed } from "../../src/data/paths";
import { randomSplit, removeTempDirs, tarGz, tempDir, withoutCifarVariable } from "./helpers";

/** A local HTTP server on 127.0.0.1 (a free port) serving fixed bodies by path; counts requests. */
async function serve(routes: Record<string, Buffer>): Promise<{ base: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const body = routes[req.url ?? ""];
    hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
    if (!body) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-length": String(body.length) });
    // two chunks, so progress is reported more than once
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.end(body.subarray(body.length >> 1)), 20);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("downloads", () => {
  const body = crypto.randomBytes(300_000);
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve({ "/archive.tar.gz": body });
  });
  after(async () => {
    await server.close();
    removeTempDirs();
  });

  it("downloads with progress reports and accepts the right MD5", async () => {
    const dest = path.join(tempDir(), "archive.tar.gz");
    const seen: [number, number][] = [];
    const md5 = crypto.createHash("md5").update(body).digest("hex");
    await downloadFile(`${server.base}/archive.tar.gz`, dest, { md5, onProgress: (d, t) => seen.push([d, t]) });
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(seen[seen.length - 1][0], body.length);
    assert.equal(seen[0][1], body.length);
    assert.ok(seen.length >= 2);
  });

  it("rejects a checksum mismatch naming the file and both digests, and leaves no file", async () => {
    const dir = tempDir();
    const dest = path.join(dir, "archive.tar.gz");
    const md5 = crypto.createHash("md5").update(body).digest("hex");
    await assert.rejects(
      downloadFile(`${server.base}/archive.tar.gz`, dest, { md5: "c32a1d4ab5d03f1284b67883e8d87530", onProgress: () => undefined }),
      new RegExp(`archive\\.tar\\.gz: checksum mismatch, MD5 ${md5}, expected c32a1d4ab5d03f1284b67883e8d87530`),
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("reports an HTTP error with the address and status", async () => {
    const dest = path.join(tempDir(), "x.tar.gz");
    await assert.rejects(downloadFile(`${server.base}/missing.tar.gz`, dest, { onProgress: () => undefined }), /cannot download http:\/\/127\.0\.0\.1:\d+\/missing\.tar\.gz: HTTP 404/);
  });

  it("gives up on a server that accepts but never answers after the connect timeout", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
    const t0 = Date.now();
    try {
      await assert.rejects(downloadFile(url, path.join(tempDir(), "a.tar.gz"), { connectTimeoutMs: 300, onProgress: () => undefined }), /cannot download .*: no answer within 0\.3 s/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});

describe("CIFAR-10 on first use", () => {
  // The official release's layout and record format, 20 + 10 images instead of 60,000.
  const train = randomSplit(20, 32, 32, 10, 3);
  const test = randomSplit(10, 32, 32, 10, 4);
  const batch = (from: number, to: number): Uint8Array =>
    encodeCifar10Records({ ...train, n: to - from, pixels: train.pixels.subarray(from * 3072, to * 3072), labels: train.labels.subarray(from, to) });
  const archive = tarGz([
    { name: "cifar-10-batches-bin/" },
    { name: "cifar-10-batches-bin/batches.meta.txt", data: Buffer.from("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n") },
    ...[0, 1, 2, 3, 4].map((i) => ({ name: `cifar-10-batches-bin/data_batch_${i + 1}.bin`, data: batch(4 * i, 4 * i + 4) })),
    { name: "cifar-10-batches-bin/test_batch.bin", data: encodeCifar10Records(test) },
    { name: "cifar-10-batches-bin/readme.html", data: Buffer.from("<html></html>") },
  ]);
  const md5 = crypto.createHash("md5").update(archive).digest("hex");
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve({ "/cifar-10-binary.tar.gz": archive });
  });
  after(async () => {
    await server.close();
    removeTempDirs();
  });

  it("downloads the archive when missing, verifies its MD5, extracts it under the data root, then loads from there", async () => {
    const root = tempDir();
    const url = `${server.base}/cifar-10-binary.tar.gz`;
    const stages: [string, number, number][] = [];
    const ds = await withoutCifarVariable(() =>
      loadDataset("cifar10", { dataRoot: root, archive: { url, md5 }, onProgress: (s, d, t) => stages.push([s, d, t]) }),
    );
    assert.equal(ds.format, "cifar10-binary");
    assert.equal(ds.train.n, 20);
    assert.equal(ds.test.n, 10);
    assert.deepEqual(Buffer.from(ds.train.pixels).equals(Buffer.from(train.pixels)), true);
    assert.deepEqual(Array.from(ds.test.labels), Array.from(test.labels));
    const downloads = stages.filter((s) => s[0] === "download");
    assert.ok(downloads.length >= 2, "progress reported while downloading");
    assert.deepEqual(downloads[downloads.length - 1].slice(1), [archive.length, archive.length]);
    // extracted in place, archive and staging folder removed
    assert.deepEqual(fs.readdirSync(path.join(root, "cifar10")), ["cifar-10-batches-bin"]);
    assert.equal(server.hits.get("/cifar-10-binary.tar.gz"), 1);
    const again = await withoutCifarVariable(() => loadDataset("cifar10", { dataRoot: root, archive: { url, md5 } }));
    assert.equal(again.fromCache, true);
    assert.equal(server.hits.get("/cifar-10-binary.tar.gz"), 1, "the second load does not download");
  });

  it("refuses an archive whose checksum differs and keeps nothing of it", async () => {
    const root = tempDir();
    const url = `${server.base}/cifar-10-binary.tar.gz`;
    await withoutCifarVariable(() =>
      assert.rejects(
        loadDataset("cifar10", { dataRoot: root, archive: { url, md5: "c32a1d4ab5d03f1284b67883e8d87530" }, onProgress: () => undefined }),
        new RegExp(`cifar-10-binary\\.tar\\.gz: checksum mismatch, MD5 ${md5}, expected c32a1d4ab5d03f1284b67883e8d87530`),
      ),
    );
    assert.deepEqual(fs.readdirSync(path.join(root, "cifar10")), []);
  });

  it("fails at once without network, with where it looked and how to get the data", async () => {
    const root = tempDir();
    const url = `http://127.0.0.1:${await closedPort()}/cifar-10-binary.tar.gz`;
    const t0 = Date.now();
    await withoutCifarVariable(() =>
      assert.rejects(loadDataset("cifar10", { dataRoot: root, archive: { url, md5 }, onProgress: () => undefined }), (e: Error) => {
        assert.match(e.message, /data set 'cifar10' not found; looked in:/);
        assert.match(e.message, /The download failed: cannot download http:\/\/127\.0\.0\.1:\d+\/cifar-10-binary\.tar\.gz: fetch failed \(ECONNREFUSED\)/);
        assert.match(e.message, /SIMCLR_NO_DOWNLOAD=1/);
        return true;
      }),
    );
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  it("reads SIMCLR_NO_DOWNLOAD from the environment it is given", () => {
    assert.equal(downloadAllowed({}), true);
    assert.equal(downloadAllowed({ SIMCLR_NO_DOWNLOAD: "" }), true);
    assert.equal(downloadAllowed({ SIMCLR_NO_DOWNLOAD: "0" }), true);
    assert.equal(downloadAllowed({ SIMCLR_NO_DOWNLOAD: "1" }), false);
    assert.equal(downloadAllowed({ SIMCLR_NO_DOWNLOAD: "yes" }), false);
  });
});
