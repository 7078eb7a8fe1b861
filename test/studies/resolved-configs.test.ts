/**
 * The resolved configs of every built-in study cell at `tiny` and `small`, by config hash, against
 * a snapshot (fixtures/resolved-config-hashes.json, first taken on main before the cells' overrides
 * became typed and nested, issue 23): a study's runs are reused from MLflow and from the results
 * archive by their config hash, so a refactor must not move one. A change that means to move them
 * (a new budget, a new cell) regenerates the snapshot with SIMCLR_UPDATE_SNAPSHOT=1 and shows the
 * moved cells in its diff.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { studies } from "../../src/studies/index";
import { planStudy, type StudyCell } from "../../src/grid/study-grid";
import { projectConfigResolver } from "../../src/sweep/run-study";

const SNAPSHOT = path.join(__dirname, "fixtures", "resolved-config-hashes.json");

/** `{ "study@preset": { "label/seedN": configHash } }` for every built-in study at tiny and small. */
function resolvedHashes(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of studies)
    for (const preset of ["tiny", "small"]) {
      const plans = planStudy(s, { preset, resolveConfig: projectConfigResolver });
      out[`${s.name}@${preset}`] = Object.fromEntries(
        plans.map((p) => [`${p.label}/seed${p.seed}`, p.configHash]),
      );
    }
  return out;
}

test("every study cell resolves to the config (hash) of the snapshot, at tiny and small", () => {
  const now = resolvedHashes();
  if (process.env.SIMCLR_UPDATE_SNAPSHOT === "1")
    fs.writeFileSync(SNAPSHOT, `${JSON.stringify(now, null, 2)}\n`);
  const before = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as typeof now;
  assert.deepEqual(Object.keys(now), Object.keys(before));
  for (const [key, cells] of Object.entries(before)) assert.deepEqual(now[key], cells, key);
});

test("a misspelt field or a value of the wrong type in a study cell does not compile", () => {
  // tsc (npm test's typecheck) fails if an expected error below goes away.
  const cells: StudyCell[] = [
    // @ts-expect-error a misspelt field of a built-in part
    { overrides: { loss: { temprature: 0.1 } } },
    // @ts-expect-error a value of the wrong type
    { overrides: { loss: { temperature: "0.1" } } },
    // @ts-expect-error a misspelt section
    { overrides: { trian: { epochs: 2 } } },
    // @ts-expect-error a dotted key is no field of a cell's overrides
    { overrides: { "loss.temperature": 0.1 } },
    { overrides: { loss: { kind: "my-plugin-loss", temperature: 0.1 } } },
  ];
  const withOption: StudyCell<{ loss: { beta: number } }> = {
    overrides: { loss: { kind: "scaledxent", beta: 0.25 } },
  };
  assert.equal(cells.length + [withOption].length, 6);
});
