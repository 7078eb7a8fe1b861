#!/usr/bin/env node
// The watchdog `npm start`'s servers run under, so they end with the launcher however it ends.
//
//   node watchdog.cjs <program> [args...]     (stdin: a pipe whose write end only the launcher holds)
//
// It starts <program> in its own process group (the server and its workers: uvicorn, kernels)
// and waits. When its stdin reaches end of file, the launcher is gone: it ended normally, by a
// signal, or by SIGKILL, and in every case the kernel closed its end of the pipe. The watchdog
// then sends SIGTERM to the server's group, SIGKILL after 10 s, and exits with the server.
// SIGTERM/SIGINT/SIGHUP to the watchdog do the same.
//
// Why a pipe and not Linux's PR_SET_PDEATHSIG: the parent-death signal reaches only the direct
// child (the `mlflow` command), not the uvicorn and kernel processes it starts, it fires when the
// parent *thread* ends, and it is Linux only. End of file on a pipe is POSIX and needs no polling.
// Plain JavaScript, so it starts in ~50 ms without the TypeScript loader.
"use strict";
const { spawn } = require("node:child_process");

const [program, ...args] = process.argv.slice(2);
if (!program) {
  console.error("usage: watchdog.cjs <program> [args...]");
  process.exit(2);
}
const child = spawn(program, args, { stdio: "inherit", detached: true });
let stopping = false;

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

function stop() {
  if (stopping) return;
  stopping = true;
  killGroup("SIGTERM");
  setTimeout(() => killGroup("SIGKILL"), 10_000).unref();
}

child.on("error", (e) => {
  console.error(`watchdog: ${program} did not start: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  // Workers that outlived the server (a stuck uvicorn worker) go with it.
  killGroup("SIGKILL");
  process.exit(code ?? (signal ? 128 : 1));
});
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.on("close", stop);
process.stdin.resume();
for (const s of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(s, stop);
