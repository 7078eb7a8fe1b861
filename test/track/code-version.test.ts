import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { codeVersion, codeVersionFiles } from "../../src/track/code-version";
import { PROJECT_ROOT } from "../../src/track/server";
import { tempDir } from "../support/tmp";

test("the code version covers training sources only: a report change keeps it, a trainer change does not", () => {
  const files = codeVersionFiles();
  assert.ok(files.includes("train/pretrain.ts") && files.includes("models/encoder.ts"));
  assert.ok(files.includes("config/resolve.ts") && files.includes("augment/crop.ts"));
  for (const f of files)
    assert.doesNotMatch(f, /^(report|evidence|plot|stats|cli|paper|studies)\//);
  assert.ok(!files.includes("index.ts"));
  // A copy of src/ to edit: the hash follows the covered files' contents and nothing else.
  const dir = tempDir("codever");
  try {
    fs.cpSync(path.join(PROJECT_ROOT, "src"), dir, { recursive: true });
    const v0 = codeVersion(dir);
    assert.match(v0 ?? "", /^[0-9a-f]{12}$/);
    assert.equal(v0, codeVersion());
    fs.appendFileSync(path.join(dir, "report", "render.ts"), "\n// report-only change\n");
    fs.appendFileSync(path.join(dir, "studies", "summary.ts"), "\n// prose change\n");
    assert.equal(codeVersion(dir), v0);
    fs.appendFileSync(path.join(dir, "train", "pretrain.ts"), "\n// training change\n");
    assert.notEqual(codeVersion(dir), v0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(codeVersion(path.join(os.tmpdir(), "no-such-src-dir")), undefined);
});
