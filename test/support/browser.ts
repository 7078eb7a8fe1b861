/**
 * Headless Chromium for browser tests: Debian's `chromium` package driven by playwright-core
 * (playwright's own browser download cannot run offline). Installs the package when it is missing
 * and the tests run as root with apt-get (CI); otherwise, or when the install fails, tells the
 * caller to skip with a reason that says how to install it. Never throws: a machine without
 * Chromium skips the browser tests, nothing else.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's package puts the browser (SIMCLR_CHROMIUM: another Chromium or Chrome binary). */
export const CHROMIUM = process.env.SIMCLR_CHROMIUM ?? "/usr/bin/chromium";

/** How to get a browser, for skip messages. */
export const INSTALL_CHROMIUM =
  "install it with `sudo apt-get install chromium` (Debian/Ubuntu; `chromium-browser` on older " +
  "Ubuntu), or set SIMCLR_CHROMIUM to a Chromium or Chrome binary";

/** What {@link ensureChromium} may use; tests replace them. */
export interface ChromiumSetup {
  executable: string;
  isRoot: boolean;
  /** apt-get, or null where there is none. */
  aptGet: string | null;
}

function findAptGet(): string | null {
  const r = spawnSync("apt-get", ["--version"], { stdio: "ignore" });
  return r.error || r.status !== 0 ? null : "apt-get";
}

/** Makes sure Chromium is installed; returns a skip reason (saying how to install it) when it cannot be. */
export function ensureChromium(setup: Partial<ChromiumSetup> = {}): string | undefined {
  const executable = setup.executable ?? CHROMIUM;
  if (fs.existsSync(executable)) return undefined;
  const isRoot = setup.isRoot ?? process.getuid?.() === 0;
  if (!isRoot) return `${executable} is missing and the tests are not root; ${INSTALL_CHROMIUM}`;
  const apt = setup.aptGet === undefined ? findAptGet() : setup.aptGet;
  if (!apt) return `${executable} is missing and there is no apt-get here; ${INSTALL_CHROMIUM}`;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Bounded: an apt mirror that does not answer must not hold the test run.
  spawnSync(apt, ["update", "-qq"], { stdio: "inherit", env, timeout: 180_000 });
  const r = spawnSync(apt, ["install", "-y", "-qq", "chromium"], {
    stdio: "inherit",
    env,
    timeout: 600_000,
  });
  if (r.status !== 0 || !fs.existsSync(executable))
    return `${executable} is missing and \`apt-get install chromium\` failed (${r.error?.message ?? `exit ${r.status}`}); ${INSTALL_CHROMIUM}`;
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
