import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { downloadFile } from "../../src/data/download";
import { removeTempDirs, tempDir } from "./helpers";

describe("downloads", () => {
  const body = crypto.randomBytes(300_000);
  let server: http.Server;
  let base = "";
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/archive.tar.gz") {
        res.writeHead(200, { "content-length": String(body.length) });
        res.end(body);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    removeTempDirs();
  });

  it("downloads with progress reports and accepts the right MD5", async () => {
    const dest = path.join(tempDir(), "archive.tar.gz");
    const seen: [number, number][] = [];
    const md5 = crypto.createHash("md5").update(body).digest("hex");
    await downloadFile(`${base}/archive.tar.gz`, dest, { md5, onProgress: (d, t) => seen.push([d, t]) });
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(seen[seen.length - 1][0], body.length);
    assert.equal(seen[0][1], body.length);
  });

  it("rejects a checksum mismatch naming the file and both digests, and leaves no file", async () => {
    const dest = path.join(tempDir(), "archive.tar.gz");
    const md5 = crypto.createHash("md5").update(body).digest("hex");
    await assert.rejects(
      downloadFile(`${base}/archive.tar.gz`, dest, { md5: "c32a1d4ab5d03f1284b67883e8d87530", onProgress: () => undefined }),
      new RegExp(`archive\\.tar\\.gz: checksum mismatch, MD5 ${md5}, expected c32a1d4ab5d03f1284b67883e8d87530`),
    );
    assert.equal(fs.existsSync(dest), false);
    assert.equal(fs.existsSync(`${dest}.part`), false);
  });

  it("reports an HTTP error with the address and status", async () => {
    const dest = path.join(tempDir(), "x.tar.gz");
    await assert.rejects(downloadFile(`${base}/missing.tar.gz`, dest, { onProgress: () => undefined }), /cannot download http:\/\/127\.0\.0\.1:\d+\/missing\.tar\.gz: HTTP 404/);
  });
});
