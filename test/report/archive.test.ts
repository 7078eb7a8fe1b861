import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  IMPORTED_RUN_ID_TAG,
  archiveRuns,
  archivedCells,
  readArchive,
  writeArchive,
} from "../../src/evidence/archive";
import { reportDataFromArchive } from "../../src/report/archive";
import type { ReportData, ReportRun } from "../../src/evidence/runs";
import { findingsMarkdown } from "../../src/evidence/findings-markdown";
import { getStudy } from "../../src/sweep/registry";
import { PROJECT_ROOT } from "../../src/track/server";
import { tempDir } from "../support/tmp";

/** Finished runs of the losses study: NT-Xent ahead of NT-Logistic by 10 points, 3 seeds each. */
function lossRuns(): ReportRun[] {
  const out: ReportRun[] = [];
  for (let seed = 0; seed < 3; seed++)
    for (const [label, acc] of [
      ["ntxent", 0.5 + seed * 0.001],
      ["ntlogistic", 0.4 + [0.002, 0, 0.001][seed]!],
      ["margin", 0.45 + seed * 0.002],
    ] as [string, number][])
      out.push({
        runId: `${label}-${seed}`,
        runName: `losses/${label}/seed${seed}`,
        label,
        seed,
        status: "FINISHED",
        startTime: 1000,
        endTime: 61_000,
        params: { "loss.kind": label },
        tags: {
          "simclr.code_version": seed < 2 ? "aaaaaaaaaaaa" : "bbbbbbbbbbbb",
          "simclr.git_commit": seed === 1 && label === "margin" ? "1234567abc-dirty" : "1234567abc",
        },
        metrics: { linear_acc: acc, knn_acc: acc - 0.1 },
      });
  // A failed run is not evidence and stays out of the archive.
  out.push({ ...out[0]!, runId: "failed", status: "FAILED" });
  return out;
}

function data(runs: ReportRun[]): ReportData {
  const finished = runs.filter((r) => r.status === "FINISHED");
  return {
    title: "t",
    generatedAt: "2026-01-01T00:00:00Z",
    trackingUri: "http://127.0.0.1:1",
    sections: [
      {
        experiment: "losses",
        study: getStudy("losses"),
        preset: "small",
        runs,
        results: finished.map((r) => ({ label: r.label, seed: r.seed, metrics: r.metrics })),
        verdicts: [],
        curves: [],
        codeVersions: ["aaaaaaaaaaaa", "bbbbbbbbbbbb"],
      },
    ],
    missingExperiments: [],
    environments: [],
  };
}

/** The findings table's rows (claim rows only: they carry the verdict in bold). */
const claimRows = (md: string): string[] => md.split("\n").filter((l) => /\| \*\*/.test(l));

test("the archive keeps every finished run and rebuilds the same findings without MLflow", () => {
  const dir = tempDir("archive");
  try {
    const file = path.join(dir, "runs.jsonl");
    const original = data(lossRuns());
    writeArchive(file, archiveRuns(original));
    const back = readArchive(file);
    assert.equal(back.length, 9);
    assert.equal(fs.readFileSync(file, "utf8").trim().split("\n").length, 9);
    assert.deepEqual(back[0]?.metrics, { linear_acc: 0.45, knn_acc: 0.35 });
    assert.equal(
      back.find((r) => r.runId === "failed"),
      undefined,
    );
    const rebuilt = reportDataFromArchive(back, { source: "runs.jsonl" });
    assert.deepEqual(rebuilt.sections[0]?.codeVersions.sort(), ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]);
    assert.deepEqual(
      claimRows(findingsMarkdown(rebuilt, { preset: "small" })),
      claimRows(findingsMarkdown(original, { preset: "small" })),
    );
    assert.match(findingsMarkdown(rebuilt, { preset: "small" }), /2 code versions/);
    // The archive keeps each run's commit, so a run from a -dirty tree is named after a rebuild.
    assert.equal(back.find((r) => r.runId === "margin-1")?.gitCommit, "1234567abc-dirty");
    assert.match(
      findingsMarkdown(rebuilt, { preset: "small" }),
      /\*\*Git trees: 1 of 9 runs started from a tree with uncommitted changes \(-dirty\): losses\/margin\/seed1\.\*\*/,
    );
    const clean = reportDataFromArchive(
      back.map((r) => ({ ...r, gitCommit: "1234567abc" })),
      { source: "runs.jsonl" },
    );
    assert.match(
      findingsMarkdown(clean, { preset: "small" }),
      /Git trees: all 9 runs that record a commit started from a clean tree \(commits 1234567\)\./,
    );
    // A sweep on a new machine skips the (cell, seed) pairs the archive holds.
    const done = archivedCells(back, "losses", "small");
    assert.ok(done.has("ntxent\u00002") && !done.has("ntxent\u00003"));
    // A broken line is named by file and line.
    fs.appendFileSync(file, '{"study": 1}\n');
    assert.throws(() => readArchive(file), /runs\.jsonl:10: field 'study' must be a string, got 1/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("writing the archive again keeps what the store lacks and the original lines of imported runs", () => {
  const earlier = archiveRuns(data(lossRuns()));
  // A new store: seed 0 re-run (a newer result), seed 1 only imported from the archive, seed 2 absent.
  const rerun = lossRuns()
    .filter((r) => r.status === "FINISHED" && r.seed < 2)
    .map((r) =>
      r.seed === 0
        ? { ...r, runId: `${r.runId}-again`, metrics: { linear_acc: 0.3, knn_acc: 0.2 } }
        : {
            ...r,
            runId: `${r.runId}-copy`,
            tags: {
              "simclr.code_version": r.tags["simclr.code_version"] ?? "",
              "simclr.imported_from": "results/small/runs.jsonl",
              [IMPORTED_RUN_ID_TAG]: r.runId,
            },
          },
    );
  const merged = archiveRuns(data(rerun), earlier);
  assert.equal(merged.length, 9);
  const line = (label: string, seed: number) =>
    merged.filter((r) => r.label === label && r.seed === seed);
  // Re-run: the store's run replaces the archived one.
  assert.deepEqual(
    line("ntxent", 0).map((r) => [r.runId, r.metrics.linear_acc]),
    [["ntxent-0-again", 0.3]],
  );
  // Imported: the archived line, with the run id and commit of the store that produced it.
  assert.deepEqual(
    line("margin", 1),
    earlier.filter((r) => r.runId === "margin-1"),
  );
  assert.equal(line("margin", 1)[0]?.gitCommit, "1234567abc-dirty");
  // Not in the store: kept.
  assert.deepEqual(
    ["ntxent", "ntlogistic", "margin"].map((l) => line(l, 2)[0]?.runId),
    ["ntxent-2", "ntlogistic-2", "margin-2"],
  );
  // Another study's archived runs are kept as they are.
  const other = { ...earlier[0]!, study: "projection-head", label: "none", runId: "ph-0" };
  assert.ok(archiveRuns(data(rerun), [...earlier, other]).some((r) => r.runId === "ph-0"));
});

test("`reproduce --findings-only` rebuilds README.md and report.html from runs.jsonl alone", () => {
  const dir = tempDir("findings-only");
  try {
    writeArchive(path.join(dir, "runs.jsonl"), archiveRuns(data(lossRuns())));
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/reproduce.ts",
        "--findings-only",
        "--preset",
        "small",
        "--out",
        dir,
      ],
      // No tracking server: MLFLOW_TRACKING_URI points at a closed port.
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: { ...process.env, MLFLOW_TRACKING_URI: "http://127.0.0.1:9" },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const md = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    assert.match(
      md,
      /\| NT-Xent beats NT-Logistic \(Table 4\) \| losses \| \*\*agrees\*\* \| 3 \/ 3 \|/,
    );
    assert.match(md, /from the runs on .*runs\.jsonl/);
    const html = fs.readFileSync(path.join(dir, "report.html"), "utf8");
    assert.match(html, /<h2>Findings<\/h2>/);
    assert.match(html, /NT-Xent beats NT-Logistic/);
    // Without an archive it says what is missing.
    fs.rmSync(path.join(dir, "runs.jsonl"));
    const missing = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/reproduce.ts",
        "--findings-only",
        "--preset",
        "small",
        "--out",
        dir,
      ],
      { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /--findings-only needs .*runs\.jsonl; run the reproduction once to write it/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
