/**
 * Reproduction of the dropped tracking connections (issue 26): "tracking unavailable (...
 * runs/log-batch: other side closed)" while training keeps the event loop busy.
 *
 * One request, then the event loop is blocked for `gap` seconds (as a tfjs-node training step, a
 * kNN monitor or the final evaluation blocks it), then the next request. uvicorn closes an idle
 * connection after `--timeout-keep-alive` seconds (5 by default) of wall-clock time; Node's fetch
 * (undici) keeps it pooled for 4 s counted in timer ticks that a blocked loop does not advance. The
 * server's FIN then waits unread in the kernel until the loop next polls I/O, so a request sent
 * before that poll (`direct`: from the code that ran after the block, as the logger's flush did)
 * goes out on the closed connection and fails with "other side closed". `poll-first` lets the
 * loop poll once (setImmediate) before sending, as the fixed client does; the pool has then seen
 * the close and opens a new connection.
 *
 *   node --import tsx test/load/keepalive-race.ts [--trials 4] [--keep-alive 5] [--gaps 3,5.5,7]
 *
 * Prints, per gap and per mode, how many of the trials failed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startMlflowServer } from "../../src/track/server";

function block(seconds: number): void {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    /* busy, like a synchronous training step */
  }
}

async function trial(url: string, gapS: number, pollFirst: boolean): Promise<string | undefined> {
  await (await fetch(`${url}/health`)).text();
  await new Promise((r) => setTimeout(r, 50));
  block(gapS);
  try {
    if (pollFirst) await new Promise<void>((r) => setImmediate(r));
    await (await fetch(`${url}/health`)).text();
    return undefined;
  } catch (e) {
    return String(((e as Error).cause as Error | undefined)?.message ?? (e as Error).message);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trials: { type: "string", default: "4" },
      "keep-alive": { type: "string", default: "" },
      gaps: { type: "string", default: "1,3,4.5,5.5,7,10" },
    },
  });
  const trials = Number(values.trials);
  const keepAlive = values["keep-alive"] ? Number(values["keep-alive"]) : undefined;
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "simclr-race-"));
  const server = await startMlflowServer({
    storeDir,
    port: 0,
    ...(keepAlive === undefined ? {} : { keepAliveS: keepAlive }),
  });
  try {
    console.log(`server keep-alive: ${keepAlive ?? "as startMlflowServer sets it"} s`);
    for (const gap of values.gaps.split(",").map(Number)) {
      for (const pollFirst of [false, true]) {
        const errors: string[] = [];
        for (let i = 0; i < trials; i++) {
          const e = await trial(server.url, gap, pollFirst);
          if (e) errors.push(e);
        }
        const mode = pollFirst ? "poll-first" : "direct";
        console.log(
          `gap ${gap.toFixed(1)} s, ${mode.padEnd(10)}: ${errors.length}/${trials} failed` +
            (errors.length ? ` (${[...new Set(errors)].join("; ")})` : ""),
        );
      }
    }
  } finally {
    await server.stop();
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}

void main();
