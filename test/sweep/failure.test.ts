/**
 * src/sweep/failure.ts: a failed cell's note starts with the error, without the TensorFlow log
 * lines its process printed first, and says whether the failure is deterministic (not retried).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { failureNote, isDeterministic, stripBackendLog } from "../../src/sweep/failure";

const TF_LINES = [
  "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
  "I0000 00:00:1796581551.380802    5519 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results.",
  "I0000 00:00:1796581551.430443    5519 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.",
  "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.",
];
const ERROR =
  "plugin test/plugins/fixtures/bad-shape.ts: augmentation 'dropper' returned shape [3, 16, 16, 3]";

test("the backend's log lines are stripped; other lines stay in order", () => {
  const text = [...TF_LINES, `simclr pretrain: ${ERROR}`, "  at somewhere"].join("\n");
  assert.equal(stripBackendLog(text), `simclr pretrain: ${ERROR}\n  at somewhere`);
});

test("a failure note starts with the command's error and says a deterministic one is not retried", () => {
  const outcome = {
    ok: false,
    exitCode: 1,
    stderrTail: [...TF_LINES, `simclr pretrain: ${ERROR}`].join("\n"),
    result: { status: "FAILED", error: ERROR, deterministic: true },
    seconds: 3,
  };
  assert.equal(isDeterministic(outcome), true);
  const note = failureNote(outcome, 1);
  assert.ok(note.startsWith(`${ERROR}\n\n(cell failed: exit code 1, attempt 1; not retried`), note);
  assert.doesNotMatch(note, /I0000|oneDNN|rebuild TensorFlow|absl/);
});

test("a crash without a JSON error starts with its cleaned output; it may be retried", () => {
  const outcome = {
    ok: false,
    exitCode: 134,
    stderrTail: [...TF_LINES, "Aborted (core dumped)"].join("\n"),
    seconds: 1,
  };
  assert.equal(isDeterministic(outcome), false);
  assert.equal(
    failureNote(outcome, 2),
    "Aborted (core dumped)\n\n(cell failed: exit code 134, attempt 2)",
  );
  assert.equal(isDeterministic({ ...outcome, exitCode: 2 }), true, "usage and config errors");
});
