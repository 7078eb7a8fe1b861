import { test } from "node:test";
import assert from "node:assert/strict";
import { createProgress, formatDuration, formatProgressLine } from "../../src/train/progress";
import type { StepMetrics } from "../../src/train/metrics";

const m: StepMetrics = {
  step: 49,
  totalSteps: 100,
  epoch: 1,
  loss: 4.2346,
  contrastiveAccuracy: 0.5,
  entropy: 3,
  learningRate: 0.3,
  views: 512,
  viewsPerSecond: 256,
  elapsedS: 100,
};

test("durations read as hours, minutes and seconds", () => {
  assert.equal(formatDuration(5.9), "5s");
  assert.equal(formatDuration(125), "2m05s");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(NaN), "?");
});

test("a progress line shows the bar, step, loss, accuracy, throughput and the remaining time", () => {
  const line = formatProgressLine(m, "pretrain", 10);
  assert.equal(
    line,
    "pretrain [====>     ] 50/100 ep 2 loss 4.235 acc 0.500 lr 3.00e-1 256 views/s eta 1m40s",
  );
});

test("outside a terminal and a notebook, auto progress writes nothing", () => {
  const write = process.stderr.write;
  let written = "";
  process.stderr.write = ((s: string) => {
    written += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    const p = createProgress({ mode: process.stderr.isTTY ? "none" : "auto" });
    p.update(m);
    p.close();
    const t = createProgress({ mode: "terminal", intervalMs: 0 });
    t.update(m);
    t.close();
  } finally {
    process.stderr.write = write;
  }
  assert.equal(
    written,
    `\r${formatProgressLine(m, "pretrain")}\x1b[K\r${formatProgressLine(m, "pretrain")}\x1b[K\n`,
  );
});

test("inside a tslab kernel, progress rewrites one notebook output in place", () => {
  // What the tslab kernel does while a cell runs: its jupyter module holds the display writer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const sent: {
    data: Record<string, string>;
    transient: { display_id: string };
    update: boolean;
  }[] = [];
  jupyter.lastWriteDisplayData = (
    d: { data: Record<string, string>; transient: { display_id: string } },
    update: boolean,
  ) => sent.push({ ...d, update });
  try {
    const p = createProgress({ intervalMs: 0 });
    p.update(m);
    p.update({ ...m, step: 99 });
    p.close();
  } finally {
    jupyter.lastWriteDisplayData = null;
  }
  assert.ok(sent.length >= 2);
  assert.equal(sent[0].data["text/plain"], formatProgressLine(m, "pretrain"));
  assert.ok(!sent[0].update, "the first write creates the output");
  assert.ok(
    sent.slice(1).every((s) => s.update && s.transient.display_id === sent[0].transient.display_id),
  );
  assert.match(sent[sent.length - 1].data["text/plain"], /100\/100/);
});
