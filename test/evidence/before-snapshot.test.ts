import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { archiveFile, writeArchive, type ArchivedRun } from "../../src/evidence/archive";
import { lossArchive } from "./loss-archive";
import { presetDataFromArchive } from "../../src/report/archive";
import { snapshotBefore } from "../../src/evidence/before-snapshot";
import { currentRule } from "../../src/evidence/before-after";
import { readEarlierTable, type EarlierTable } from "../../src/evidence/earlier-table";
import { findingsMarkdown } from "../../src/evidence/findings-markdown";
import { budgetFacts } from "../../src/evidence/budget";
import { getStudy } from "../../src/sweep/registry";
import { PROJECT_ROOT } from "../../src/track/server";
import { tempDir } from "../support/tmp";

const NTXENT = [0.5, 0.503, 0.499];
const NTLOGISTIC = [0.4, 0.404, 0.398];
const MARGIN = [0.49, 0.5, 0.485];

const OPTIONS = { preset: "small", studies: [getStudy("losses")] };

function snapshot(runs: ArchivedRun[]): EarlierTable {
  const data = presetDataFromArchive(runs, archiveFile("small"), "small");
  return snapshotBefore(data, OPTIONS, { file: "results/small/runs.jsonl", commit: "abc1234" });
}

/** Sample SD, written out here so the test does not lean on the code it checks. */
function sd(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

const close = (a: number | undefined, b: number, tol = 1e-9): void =>
  assert.ok(a !== undefined && Math.abs(a - b) < tol, `${a} is not ${b}`);

test("the snapshot keeps each claim's exact sides, test, difference, CI, Holm p and paired SD", () => {
  const snap = snapshot(lossArchive({ ntxent: NTXENT, ntlogistic: NTLOGISTIC, margin: MARGIN }));
  const c = snap.claims.find((x) => x.claim === "NT-Xent beats NT-Logistic (Table 4)");
  assert.ok(c);
  assert.equal(c.verdict, "agrees");
  assert.equal(c.test, "paired");
  assert.equal(c.unit, "points");
  // Sides in percent, unrounded.
  close(c.better?.mean, (100 * (0.5 + 0.503 + 0.499)) / 3);
  close(c.better?.std, 100 * sd(NTXENT));
  assert.equal(c.worse?.n, 3);
  // Per-seed differences 10.0, 9.9, 10.1 points: mean 10, SD 0.1 by hand.
  close(c.pairedSd, 0.1);
  close(c.difference?.estimate, 10);
  close(c.df, 2);
  close(c.t, 10 / (0.1 / Math.sqrt(3)), 1e-6);
  // The t quantile with 2 df in closed form: (2p - 1) / sqrt(2p(1 - p)).
  const q = 0.95 / Math.sqrt(2 * 0.975 * 0.025);
  close(c.difference?.ci[0], 10 - (q * 0.1) / Math.sqrt(3), 1e-6);
  close(c.difference?.ci[1], 10 + (q * 0.1) / Math.sqrt(3), 1e-6);
  assert.ok(c.p !== undefined && c.holm !== undefined && c.holm >= c.p && c.holm <= 4 * c.p);
  assert.match(c.evidence, /paired t = .*Holm p = /);
  // The margin claim: differences 1.0, 0.3, 1.4 points, SD sqrt(0.31).
  const m = snap.claims.find((x) => x.claim === "NT-Xent beats the margin triplet loss (Table 4)");
  close(m?.pairedSd, Math.sqrt(0.31));
});

test("the snapshot says its rule, budgets as run, fidelity and archive", () => {
  const runs = lossArchive({ ntxent: NTXENT, ntlogistic: NTLOGISTIC, margin: MARGIN });
  const snap = snapshot(runs);
  assert.equal(snap.family, 2);
  assert.equal(snap.rule, currentRule(2));
  assert.match(snap.rule, /Holm-Bonferroni over both directions of the 2 tested claims/);
  // Runs that record no eval.probeData fitted the probe on the pre-training subset, whatever
  // the study declares today.
  assert.match(snap.budgets.losses ?? "", /probe and kNN fitted on that subset/);
  assert.doesNotMatch(budgetFacts(getStudy("losses"), "small").text, /fitted on that subset/);
  // Table 4 over 3 of its 5 cells: ours rank NT-Xent > margin > NT-Logistic, the paper's
  // NT-Xent > NT-Logistic > margin, so rho = 1 - 6 * 2 / (3 * 8) = 0.5.
  const t4 = snap.fidelity?.find((f) => f.table === "Table 4");
  assert.equal(t4?.study, "losses");
  close(t4?.rho ?? undefined, 0.5);
  assert.deepEqual([t4?.cells, t4?.of, t4?.seeds], [3, 5, 3]);
  const [lo, hi] = t4?.ci ?? [NaN, NaN];
  assert.ok(-1 <= lo && lo <= hi && hi <= 1, `interval [${lo}, ${hi}]`);
  assert.deepEqual(snap.archive, {
    file: "results/small/runs.jsonl",
    commit: "abc1234",
    runs: 9,
    codeVersions: ["aaaaaaaaaaaa"],
  });
  assert.equal(
    snap.source,
    "results/small/runs.jsonl at commit abc1234: 9 runs from code version aaaaaaaaaaaa",
  );
});

test("a snapshot reads back whole, and a wrong new field is named with its file", () => {
  const snap = snapshot(lossArchive({ ntxent: NTXENT, ntlogistic: NTLOGISTIC, margin: MARGIN }));
  const dir = tempDir("snapshot");
  const file = path.join(dir, "before.json");
  fs.writeFileSync(file, JSON.stringify(snap));
  assert.deepEqual(readEarlierTable(file), JSON.parse(JSON.stringify(snap)));
  const broken = (edit: (t: EarlierTable & Record<string, unknown>) => void, re: RegExp): void => {
    const t = JSON.parse(JSON.stringify(snap)) as EarlierTable & Record<string, unknown>;
    edit(t);
    fs.writeFileSync(file, JSON.stringify(t));
    assert.throws(() => readEarlierTable(file), re);
  };
  broken(
    (t) => Object.assign(t.claims[0] ?? {}, { pairedSd: "0.1" }),
    /before\.json: claims\[0\]: field 'pairedSd' must be a finite number/,
  );
  broken(
    (t) => Object.assign(t.claims[1] ?? {}, { difference: { estimate: 1, ci: [0] } }),
    /before\.json: claims\[1\]: field 'difference' must be an object with a number 'estimate' and a pair/,
  );
  broken(
    (t) => Object.assign(t.fidelity?.[0] ?? {}, { rho: "high" }),
    /before\.json: fidelity\[0\]: field 'rho' must be a number or null/,
  );
  broken(
    (t) => Object.assign(t.archive ?? {}, { runs: 1.5 }),
    /before\.json: archive: field 'runs' must be an integer/,
  );
  broken((t) => (t.family = 2.5), /before\.json: field 'family' must be an integer/);
});

test("with a snapshot, the before/after section shows both differences, the paired SDs and fidelity", () => {
  const before = snapshot(lossArchive({ ntxent: NTXENT, ntlogistic: NTLOGISTIC, margin: MARGIN }));
  // After: the whole evaluation changed; NT-Logistic's per-seed differences 10.0, 9.8, 10.2 (SD 0.2).
  const runs = lossArchive(
    { ntxent: NTXENT, ntlogistic: [0.4, 0.405, 0.397], margin: MARGIN },
    { "eval.probeData": "full-train", "data.testLimit": "0" },
  );
  const data = presetDataFromArchive(runs, archiveFile("small"), "small");
  const md = findingsMarkdown(data, { ...OPTIONS, before });
  assert.match(md, /decided by the same rule as this table/);
  assert.doesNotMatch(md, /earlier runs, new rule/);
  assert.match(md, /\| SD of paired differences, before -> after \|/);
  assert.match(
    md,
    /\| NT-Xent beats NT-Logistic \(Table 4\) \| losses \| agrees \| \+10\.0 points \[9\.8, 10\.2\] \| \*\*agrees\*\* \| \+10\.0 points \[9\.5, 10\.5\] \| 0\.10 -> 0\.20 \| before: p = [^|]*budget [^|]*fitted on that subset[^|]* -> [^|]*the whole training split/,
  );
  assert.match(md, /### Fidelity before and after/);
  assert.match(md, /\| Table 4 \| losses \| 0\.50 \[-?\d\.\d\d, -?\d\.\d\d\] \| 0\.50 \[/);
  assert.match(
    md,
    /Before: 1 agrees, 1 inconclusive\. After: 1 agrees, 1 inconclusive\. 0 of 2 verdicts changed\./,
  );
});

test("`reproduce --snapshot-before` writes before.json from runs.jsonl and names the commit", () => {
  const dir = tempDir("snapshot-script");
  writeArchive(
    path.join(dir, "runs.jsonl"),
    lossArchive({ ntxent: NTXENT, ntlogistic: NTLOGISTIC, margin: MARGIN }),
  );
  const run = (): ReturnType<typeof spawnSync> =>
    spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/reproduce.ts", "--snapshot-before", "--preset", "small"].concat([
        "--out",
        dir,
      ]),
      { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
  const r = run();
  assert.equal(r.status, 0, String(r.stderr));
  const t = readEarlierTable(path.join(dir, "before.json"));
  assert.equal(t.archive?.runs, 9);
  // An archive outside the repository is not any commit's: its commit reads -dirty.
  assert.match(t.archive?.commit ?? "", /^[0-9a-f]{7,}-dirty$/);
  assert.match(t.source, /runs\.jsonl at commit [0-9a-f]{7,}-dirty: 9 runs/);
  fs.rmSync(path.join(dir, "runs.jsonl"));
  const missing = run();
  assert.equal(missing.status, 2);
  assert.match(String(missing.stderr), /--snapshot-before needs .*runs\.jsonl/);
});
