import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { Journal } from "../../src/track/journal";
import { tempDir } from "../support/tmp";

test("a journal appends entries durably, survives a torn last line and tracks what was replayed", () => {
  const dir = tempDir("journal-unit");
  const j = Journal.create(dir, { journalId: "j1", experiment: "e", createdAt: 0 });
  j.append({ op: "create", experiment: "e", startTime: 0, tags: {} });
  j.append({ op: "metrics", metrics: [{ key: "loss", value: 1, step: 0, timestamp: 5 }] });
  j.append({ op: "params", params: [{ key: "lr", value: "0.1" }] });
  j.state.replayed = 2;
  j.saveState();
  fs.appendFileSync(j.file, '{"op":"metrics","metr'); // a crash mid-write
  const back = Journal.open(j.file);
  assert.deepEqual(
    back.entries.map((e) => [e.seq, e.op]),
    [
      [1, "create"],
      [2, "metrics"],
      [3, "params"],
    ],
  );
  assert.deepEqual(
    back.pending().map((e) => e.seq),
    [3],
  );
  assert.equal(back.complete, false);
  back.append({ op: "terminate", status: "FINISHED", endTime: 1 });
  back.state.replayed = 4;
  assert.equal(back.complete, true);
  back.remove();
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("artifact contents are stored next to the journal and read back", () => {
  const dir = tempDir("journal-unit");
  const j = Journal.create(dir, { journalId: "j2", experiment: "e", createdAt: 0 });
  const name = j.storeArtifact("plots/a.html", "<b>x</b>");
  assert.equal(Buffer.from(j.readArtifact(name)).toString(), "<b>x</b>");
  const bin = j.storeArtifact("w.bin", new Uint8Array([1, 2, 3]));
  assert.deepEqual([...new Uint8Array(j.readArtifact(bin) as Uint8Array)], [1, 2, 3]);
});
