import { test } from "node:test";
import assert from "node:assert/strict";
import { renderReport } from "../../src/report/render";
import { evaluateClaims } from "../../src/evidence/claims";
import type { ReportData } from "../../src/evidence/runs";
import type { Study } from "../../src/evidence/study";
import { standIn } from "../support/stand-in";

const EVIL = `<img src=x onerror="alert(1)">`;

test("the report opens with the findings, escapes every user string, lists per-cell mean ± std [CI], code versions and missing studies", () => {
  const study: Study = {
    name: "s1",
    description: `desc ${EVIL}`,
    base: {},
    cells: [
      { label: `a ${EVIL}`, overrides: standIn({ k: 1 }) },
      { label: "b", overrides: standIn({ k: 2 }) },
    ],
    seeds: 2,
    metrics: ["acc"],
    claims: [
      { id: "claim", claim: `claim ${EVIL}`, metric: "acc", better: "b", worse: `a ${EVIL}` },
    ],
  };
  const results = [
    { label: `a ${EVIL}`, seed: 0, metrics: { acc: 0.5 } },
    { label: `a ${EVIL}`, seed: 1, metrics: { acc: 0.52 } },
    { label: "b", seed: 0, metrics: { acc: 0.9 } },
    { label: "b", seed: 1, metrics: { acc: 0.93 } },
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
        runs: [
          run(`a ${EVIL}`, 0, 0.5),
          run(`a ${EVIL}`, 1, 0.52),
          run("b", 0, 0.9),
          run("b", 1, 0.93),
        ],
        results,
        verdicts: evaluateClaims(study, results),
        curves: [],
        codeVersions: ["0123456789ab", "unknown"],
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
  // mean, sample std and the 95% t interval of 0.5, 0.52: 0.51 -+ t.ppf(0.975, 1) x 0.01
  assert.match(html, /0\.5100 ± 0\.0141 \[0\.3829, 0\.6371\]/);
  // paired over seeds 0 and 1: differences 0.40 and 0.41, n per side and the interval shown
  assert.match(html, /<td>2 \/ 2<\/td><td>\+40\.5 points \[34\.1, 46\.9\]<\/td>/);
  assert.match(
    html,
    /come from 2 code versions \(0123456789ab, unknown\): the evidence mixes code versions/,
  );
  assert.ok(html.indexOf("<h2>Findings</h2>") < html.indexOf("<h2>Environment</h2>"));
  assert.ok(html.indexOf("<h2>Findings</h2>") < html.indexOf('<h2 id="s1-tiny">'));
  assert.match(html, /not run yet \(no such experiment\): not-run/);
  assert.equal((html.match(/class="simclr-figure"/g) ?? []).length, 1);
});
