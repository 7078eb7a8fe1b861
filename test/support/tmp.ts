/**
 * Temporary files of tests, one helper for all: each folder is made under the system temp folder
 * (the test run's own TMPDIR under scripts/run-tests.mjs) with a `simclr-` prefix and removed when
 * the test file's process ends, whether its tests passed or failed, and on Ctrl-C/SIGTERM/SIGHUP.
 * scripts/run-tests.mjs fails the run if anything is left in its TMPDIR.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  made.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", removeAll);
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const) {
    process.once(signal, () => {
      removeAll();
      process.exit(code);
    });
  }
}

/**
 * A new empty folder `<tmp>/simclr-<name>-XXXXXX`, removed when this process exits (or earlier by
 * {@link removeTempDir}). `under` puts it in another folder instead of the run's TMPDIR: Ray keeps
 * Unix sockets in its temp folder, whose paths must stay under the kernel's 107-byte limit.
 */
export function tempDir(name: string, under: string = os.tmpdir()): string {
  hook();
  const d = fs.mkdtempSync(path.join(under, `simclr-${name}-`));
  made.add(d);
  return d;
}

/** Removes a folder made by {@link tempDir} now (tests that make many). */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}
