import { test } from "node:test";
import assert from "node:assert/strict";
import { renderReport } from "../../src/report/render";
import { evaluateClaims } from "../../src/report/claims";
import type { ReportData } from "../../src/report/collect";
import type { Study } from "../../src/sweep/study";

const EVIL = `<img src=x onerror="alert(1)">`;

test("the report escapes every user string and lists claims, per-cell mean ± std and missing studies", () => {
  const study: Study = {
    name: "s1",
    description: `desc ${EVIL}`,
    base: {},
    cells: [
      { label: `a ${EVIL}`, overrides: { k: 1 } },
      { label: "b", overrides: { k: 2 } },
    ],
    seeds: 2,
    metrics: ["acc"],
    claims: [{ claim: `claim ${EVIL}`, metric: "acc", better: "b", worse: `a ${EVIL}` }],
  };
  const results = [
    { label: `a ${EVIL}`, seed: 0, metrics: { acc: 0.5 } },
    { label: `a ${EVIL}`, seed: 1, metrics: { acc: 0.7 } },
    { label: "b", seed: 0, metrics: { acc: 0.9 } },
  ];
  const run = (label: string, seed: number, acc: number) => ({
    runId: `r${seed}${label.length}`,
    runName: `run ${EVIL}`,
    label,
    seed,
    status: "FINISHED",
    startTime: 0,
    endTime: 2000,
    note: `note ${EVIL}`,
    params: { k: label === "b" ? "2" : "1", evil: EVIL },
    tags: {},
    metrics: { acc },
  });
  const data: ReportData = {
    title: `title ${EVIL}`,
    generatedAt: "2026-01-01T00:00:00Z",
    trackingUri: "http://127.0.0.1:5000",
    sections: [
      {
        experiment: `exp ${EVIL}`,
        study,
        preset: "tiny",
        runs: [run(`a ${EVIL}`, 0, 0.5), run(`a ${EVIL}`, 1, 0.7), run("b", 0, 0.9)],
        results,
        verdicts: evaluateClaims(study, results),
        curves: [],
      },
    ],
    environments: [{ backend: `cpu ${EVIL}` }],
    missingExperiments: ["not-run"],
  };
  const html = renderReport(data, { inlinePlotly: false });
  assert.ok(!html.includes("<img"), "no raw user markup");
  assert.equal(
    (html.match(/&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/g) ?? []).length >= 8,
    true,
  );
  assert.match(html, /<span class="badge agrees">agrees<\/span>/);
  assert.match(html, /0\.6000 ± 0\.1414/); // mean and sample std of 0.5, 0.7
  assert.match(html, /not run yet \(no such experiment\): not-run/);
  assert.equal((html.match(/class="simclr-figure"/g) ?? []).length, 1);
});
