import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { sha256 } from "../../src/plugins/load";
import { pluginProvenance, provenanceNotes } from "../../src/plugins/provenance";
import { renderReport } from "../../src/report/render";
import type { ReportData } from "../../src/evidence/runs";
import { PROJECT_ROOT } from "../../src/track/server";

test("a report's plugin check says which plugin files are gone or changed since the runs", () => {
  fs.mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, "build", "provenance-"));
  const rel = (f: string): string => path.relative(PROJECT_ROOT, path.join(dir, f));
  fs.writeFileSync(path.join(dir, "same.ts"), "export default {};\n");
  fs.writeFileSync(path.join(dir, "edited.ts"), "export default {};\n");
  const old = sha256("export default {};\n");
  fs.appendFileSync(path.join(dir, "edited.ts"), "// changed\n");
  const runs: { params: Record<string, string> }[] = [
    {
      params: {
        "plugins.0.path": rel("same.ts"),
        "plugins.0.sha256": old,
        "plugins.1.path": rel("edited.ts"),
        "plugins.1.sha256": old,
      },
    },
    { params: { "plugins.0.path": rel("gone.ts"), "plugins.0.sha256": old, "loss.kind": "dcl" } },
    { params: { "loss.kind": "ntxent" } },
  ];
  const p = pluginProvenance(runs);
  assert.deepEqual(
    p.map((x) => [x.path, x.state]),
    [
      [rel("same.ts"), "unchanged"],
      [rel("edited.ts"), "changed"],
      [rel("gone.ts"), "gone"],
    ],
  );
  const notes = provenanceNotes(p);
  assert.equal(notes.length, 2);
  assert.match(
    notes[0],
    new RegExp(
      `plugin ${rel("edited.ts")} changed since these runs: they ran sha256 ${old.slice(0, 12)}`,
    ),
  );
  assert.match(
    notes[1],
    new RegExp(`plugin ${rel("gone.ts")} is gone: .*artifact plugins/${rel("gone.ts")}`),
  );
  const data: ReportData = {
    title: "t",
    generatedAt: "now",
    trackingUri: "http://x",
    missingExperiments: [],
    environments: [],
    sections: [
      {
        experiment: "e",
        study: { name: "s", description: "d", base: {}, cells: [{}], seeds: 1, metrics: ["acc"] },
        preset: "tiny",
        codeVersions: [],
        runs: [],
        results: [],
        verdicts: [],
        curves: [],
        pluginNotes: notes,
      },
    ],
  };
  assert.ok(renderReport(data).includes(`plugin ${rel("gone.ts")} is gone`));
  fs.rmSync(dir, { recursive: true, force: true });
});
