import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { archiveFile, readArchive } from "../../src/evidence/archive";
import { lossArchive } from "./loss-archive";
import { presetDataFromArchive } from "../../src/report/archive";
import {
  currentDigest,
  digestMarkers,
  findingsDigest,
  replaceDigest,
} from "../../src/evidence/findings-digest";
import { planStudy } from "../../src/grid/study-grid";
import { getStudy, listStudies } from "../../src/sweep/registry";
import { PROJECT_ROOT } from "../../src/track/server";

/** Archived losses runs: NT-Xent 10 points ahead of NT-Logistic and 1 of margin, 3 seeds each. */
const LOSSES = {
  ntxent: [0.5, 0.503, 0.499],
  ntlogistic: [0.4, 0.404, 0.398],
  margin: [0.49, 0.5, 0.485],
};

test("the digest counts every claim of the table, lists each under its verdict with its CI, and sums the evidence", () => {
  const studies = [getStudy("losses"), getStudy("temperature")];
  const data = presetDataFromArchive(lossArchive(LOSSES), archiveFile("small"), "small");
  const digest = findingsDigest(data, { preset: "small", studies });
  const claims = studies.flatMap((s) => s.claims ?? []).length;
  assert.match(digest, new RegExp(`^At \`small\`, ${claims} claims: \\*\\*1 agrees, 0 disagrees`));
  // Holm over the two tested claims of losses; temperature has no runs, so its claims are untested.
  assert.match(
    digest,
    /Holm-Bonferroni over both directions of the 2 tested claims \(4 one-sided tests/,
  );
  const planned = studies.reduce((a, s) => a + planStudy(s, { preset: "small" }).length, 0);
  assert.match(
    digest,
    new RegExp(
      `9 finished runs of the ${planned} planned, 0\\.3 h of run time, from code version \`aaaaaaaaaaaa\``,
    ),
  );
  assert.match(
    digest,
    /- \*\*agrees \(1\):\*\*\n {2}- NT-Xent beats NT-Logistic \(Table 4, losses\): \+10\.0 points \[\d+\.\d, \d+\.\d\], Holm p = /,
  );
  assert.match(
    digest,
    /- \*\*inconclusive \(1\):\*\*\n {2}- NT-Xent beats the margin triplet loss/,
  );
  assert.match(digest, /- \*\*no data \(\d\):\*\*\n {2}- .*\(Table 5, temperature\): not run yet/);
  assert.doesNotMatch(digest, /\(Table 4\) \(Table 4/, "the source is named once");
  // Runs of a study outside the plan (a ladder's) are counted apart, not against the plan.
  const temperature = [getStudy("temperature")];
  const tPlanned = planStudy(temperature[0], { preset: "small" }).length;
  assert.match(
    findingsDigest(data, { preset: "small", studies: temperature }),
    new RegExp(
      `0 finished runs of the ${tPlanned} planned, 0\\.0 h of run time; besides them, 9 runs of losses \\(0\\.3 h\\), from`,
    ),
  );
});

test("replaceDigest writes between the markers, is idempotent, and names the file when a marker is missing", () => {
  const { begin, end } = digestMarkers("small");
  const readme = `# x\n\nbefore\n\n${begin}\nold\n${end}\n\nafter\n`;
  const once = replaceDigest(readme, "small", "new digest", "README.md");
  assert.equal(once, `# x\n\nbefore\n\n${begin}\n\nnew digest\n\n${end}\n\nafter\n`);
  assert.equal(replaceDigest(once, "small", "new digest", "README.md"), once);
  assert.equal(currentDigest(once, "small"), "new digest");
  assert.equal(currentDigest(once, "tiny"), undefined);
  assert.throws(
    () => replaceDigest(`${begin}\nold\n`, "small", "d", "/p/README.md"),
    /\/p\/README\.md: expected the findings digest marker '<!-- findings:small end -->' after the begin marker/,
  );
  assert.throws(() => replaceDigest("no block", "small", "d", "README.md"), /findings:small begin/);
});

test("the project README's results digest is the one the committed small archive gives", (t) => {
  const file = archiveFile("small");
  if (!fs.existsSync(file)) return t.skip(`no committed archive at ${file}`);
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const shown = currentDigest(readme, "small");
  assert.ok(shown !== undefined, "README.md keeps the findings:small digest markers");
  // The archive holds ladder runs too: the plan is the table's studies, as `npm run reproduce`'s.
  const data = presetDataFromArchive(readArchive(file), file, "small");
  assert.equal(
    shown,
    findingsDigest(data, { preset: "small", studies: listStudies().filter((s) => !s.ladderOf) }),
    "README.md's digest is stale: run `npm run reproduce -- --findings-only --preset small`",
  );
});
