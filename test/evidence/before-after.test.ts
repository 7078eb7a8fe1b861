import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  beforeAfterMarkdown,
  beforeAfterRows,
  currentRule,
  retestEarlier,
} from "../../src/evidence/before-after";
import {
  readEarlierTable,
  type EarlierClaim,
  type EarlierTable,
} from "../../src/evidence/earlier-table";
import type { Finding } from "../../src/evidence/finding";
import { welchTest } from "../../src/stats/welch";
import { findingsMarkdown } from "../../src/evidence/findings-markdown";
import { listStudies } from "../../src/sweep/registry";
import { PROJECT_ROOT } from "../../src/track/server";
import { tempDir } from "../support/tmp";

const MARGIN: EarlierClaim = {
  claim: "NT-Xent beats the margin triplet loss (Table 4)",
  study: "losses",
  verdict: "agrees",
  evidence: "linear_acc: better 45.4% ± 0.7 (n=3) vs worse 43.2% ± 1.2 (n=3)",
  t: 2.92,
  better: { mean: 45.4, std: 0.7, n: 3 },
  worse: { mean: 43.2, std: 1.2, n: 3 },
};

test("earlier claims are re-tested one-sided with their own df (values from scipy.stats.t)", () => {
  // scipy: t = 2.742866395247158, df = 3.2198642866404463, t.sf(t, df) = 0.03289234049859715
  const w = retestEarlier(MARGIN);
  assert.equal(w?.kind, "Welch");
  assert.ok(Math.abs((w?.t ?? 0) - 2.742866395247158) < 1e-6);
  assert.ok(Math.abs((w?.df ?? 0) - 3.2198642866404463) < 1e-6);
  assert.ok(Math.abs((w?.p ?? 0) - 0.03289234049859715) < 1e-6);
  // A paired t over 9 runs: scipy t.sf(3.24, 8) = 0.005938815519506481.
  const paired = retestEarlier({ ...MARGIN, better: undefined, worse: undefined, t: 3.24, df: 8 });
  assert.equal(paired?.kind, "paired");
  assert.ok(Math.abs((paired?.p ?? 0) - 0.005938815519506481) < 1e-6);
  // An interaction whose df the earlier table did not keep is not re-tested.
  assert.equal(retestEarlier({ ...MARGIN, better: undefined, worse: undefined }), undefined);
});

test("a changed verdict's reason is computed from both tables' numbers", () => {
  const test = welchTest({ mean: 0.454, std: 0.01, n: 6 }, { mean: 0.448, std: 0.01, n: 6 });
  const after: Finding = {
    id: "ntxent-beats-margin",
    claim: MARGIN.claim,
    verdict: "inconclusive",
    unit: "points",
    sides: [
      { name: "ntxent", n: 6, mean: 0.454, std: 0.01 },
      { name: "margin", n: 6, mean: 0.448, std: 0.01 },
    ],
    test,
    p: test.p,
    pReverse: test.pReverse,
    pAdjusted: Math.min(1, 18 * test.p),
    family: 18,
    evidence: "linear_acc",
  };
  const earlier: EarlierTable = {
    source: "an earlier table",
    rule: "|t| >= 2",
    budgets: { default: "6 epochs" },
    claims: [MARGIN, { ...MARGIN, claim: "a claim no study makes any more" }],
  };
  const rows = beforeAfterRows(earlier, [{ study: "losses", finding: after, budget: "6 epochs" }]);
  assert.equal(rows[0]?.changed, true);
  assert.equal(rows[0]?.after, "inconclusive");
  const r = rows[0]?.reason ?? "";
  assert.match(r, /before: \|t\| = 2\.92 >= 2/);
  assert.match(r, /seeds per side 3 \/ 3 -> 6 \/ 6/);
  assert.match(r, /difference \+2\.2 -> \+0\.6 points/);
  assert.match(r, /now: p = .*Holm p = .*\(> 0\.05 both ways\)/);
  assert.doesNotMatch(r, /budget/, "the same budget is not reported as a change");
  assert.equal(rows[1]?.after, "not in this table");
  const md = beforeAfterMarkdown(earlier, rows);
  assert.match(md, /Before: 2 agrees\. After: 1 inconclusive, 1 not in this table\. 2 of 2/);
  // A hand-made table of another rule keeps the re-test column and has no fidelity table.
  assert.match(md, /decided by the old rule \(\|t\| >= 2\)/);
  assert.match(md, /\| earlier runs, new rule \|/);
  assert.doesNotMatch(md, /Fidelity before and after/);
});

test("readEarlierTable names the file and the field that is wrong", () => {
  const dir = tempDir("before");
  try {
    const file = path.join(dir, "before.json");
    fs.writeFileSync(file, "{");
    assert.throws(() => readEarlierTable(file), /before\.json: not readable JSON/);
    const ok = { source: "s", rule: "r", budgets: {}, claims: [{ ...MARGIN, verdict: "yes" }] };
    fs.writeFileSync(file, JSON.stringify(ok));
    assert.throws(
      () => readEarlierTable(file),
      /before\.json: claims\[0\]\.verdict is "yes"; expected one of agrees, disagrees/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("results/small/before.json is the snapshot of the archive before the re-run, consistent in itself", () => {
  const earlier = readEarlierTable(path.join(PROJECT_ROOT, "results", "small", "before.json"));
  assert.equal(earlier.claims.length, 18);
  assert.deepEqual(earlier.archive, {
    file: "results/small/runs.jsonl",
    commit: "fc63a83",
    runs: 204,
    codeVersions: ["02c2a40c80f0"],
  });
  assert.equal(earlier.rule, currentRule(earlier.family ?? NaN));
  // Every budget as its runs ran it: the probe on the pre-training subset, 2000 test images scored.
  for (const [study, b] of Object.entries(earlier.budgets))
    assert.match(b, /probe and kNN fitted on that subset, scored on 2000 test images/, study);
  assert.equal(earlier.fidelity?.length, 6);
  // A paired test's t is its difference over sd / sqrt(df + 1): the kept SD, t and difference agree.
  const paired = earlier.claims.filter((c) => c.test === "paired");
  assert.ok(paired.length >= 10, `${paired.length} paired claims`);
  for (const c of paired) {
    const { pairedSd = NaN, df = NaN, t = NaN } = c;
    const est = c.difference?.estimate ?? NaN;
    assert.ok(Math.abs(est / (pairedSd / Math.sqrt(df + 1)) - t) < 1e-6 * Math.abs(t), c.claim);
  }
  const md = findingsMarkdown(
    {
      title: "t",
      generatedAt: "2026-01-01T00:00:00Z",
      trackingUri: "http://127.0.0.1:1",
      sections: [],
      missingExperiments: [],
      environments: [],
    },
    { preset: "small", studies: listStudies().filter((s) => !s.ladderOf), before: earlier },
  );
  assert.match(md, /## Before and after the re-run/);
  assert.doesNotMatch(md, /not in this table/, "an earlier claim's text no longer matches");
  assert.match(md, /## How the budget was split/);
  assert.match(
    md,
    /\| augmentation-grid \| 6 epochs on a 5000-image .* \| 49 \| 4 \(3 cells\), 1 \(46 cells\) \| 58 \|/,
  );
});
