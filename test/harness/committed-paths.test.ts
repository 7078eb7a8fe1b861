/**
 * Committed outputs carry no path of the machine that made them (issue 28, item 3): every file
 * under results/ is searched for absolute paths under /work, /tmp, /home, /root, /Users or a
 * Windows user folder. Writers show paths relative to the project or its data root (shownPath).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { shownPath } from "../../src/util/shown-path";

const ROOT = path.resolve(__dirname, "..", "..");
const MACHINE_PATH =
  /(?:^|[\s"'`(=:])(\/(?:work|tmp|home|root|Users)\/[^\s"'`)<>]*|[A-Z]:\\Users\\[^\s"'`]*)/g;

/**
 * Paths that are text of third-party code embedded verbatim, not ours: plotly.js's bundle (inlined
 * into report.html) names the folder of its own build machine in a style-plugin id.
 */
const THIRD_PARTY = [/^\/home\/cam\/Development\/plotly\/plotly\.js\//];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

test("committed results/ carry no absolute machine paths", () => {
  const found: string[] = [];
  for (const f of files(path.join(ROOT, "results"))) {
    const text = fs.readFileSync(f, "utf8");
    for (const m of text.matchAll(MACHINE_PATH)) {
      if (THIRD_PARTY.some((re) => re.test(m[1]))) continue;
      found.push(`${path.relative(ROOT, f)}: ${m[1].slice(0, 120)}`);
    }
  }
  assert.deepEqual(found, [], "write paths relative to the project (src/util/shown-path.ts)");
});

test("the path guard sees a machine path (so it can fail)", () => {
  const sample = 'logging to the journal /work/clone/.simclr/journal/x.jsonl and "/home/u/a"';
  assert.deepEqual(
    [...sample.matchAll(MACHINE_PATH)].map((m) => m[1]),
    ["/work/clone/.simclr/journal/x.jsonl", "/home/u/a"],
  );
});

test("shownPath shows project paths relative and leaves outside paths alone", () => {
  assert.equal(
    shownPath(path.join(ROOT, ".simclr", "journal", "a.jsonl")),
    ".simclr/journal/a.jsonl",
  );
  assert.equal(shownPath(ROOT), ".");
  assert.equal(shownPath("/elsewhere/data"), "/elsewhere/data");
  assert.equal(shownPath("/data/x/cifar", "/data/x"), "cifar");
});
