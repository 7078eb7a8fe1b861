/**
 * Headless Chromium for browser tests: Debian's `chromium` package driven by playwright-core
 * (playwright's own browser download cannot run offline). Installs the package when it is missing
 * and the tests run as root (CI); otherwise tells the caller to skip with a reason.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's package puts the browser. */
export const CHROMIUM = process.env.SIMCLR_CHROMIUM ?? "/usr/bin/chromium";

/** Makes sure Chromium is installed; returns a reason string when it cannot be. */
export function ensureChromium(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  if (process.getuid?.() !== 0)
    return `${CHROMIUM} is missing; install it with: sudo apt-get install chromium`;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  if (r.status !== 0 || !fs.existsSync(CHROMIUM)) return "apt-get install chromium failed";
  return undefined;
}

/** Launches headless Chromium with the flags this closed network needs. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}
