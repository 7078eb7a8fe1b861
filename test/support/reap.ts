/** Reaping of the servers tests start, when the test process is killed by a signal. */

/**
 * A server a test starts runs in its own process group (MLflow, JupyterLab), so a test process
 * killed by a signal (Ctrl-C, the runner's timeout, CI's cancel) would leave it running: `after`
 * hooks do not run then. Stop it on those signals and on exit. The servers run under a watchdog
 * (src/util/watchdog.cjs) that stops them at SIGTERM, or by itself when this process dies; SIGKILL
 * would end only the watchdog.
 */
export function reapOnSignal(pid: () => number | undefined): void {
  const reap = (): void => {
    const p = pid();
    if (!p || p <= 0) return;
    try {
      process.kill(-p, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.once("exit", reap);
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const) {
    process.once(signal, () => {
      reap();
      process.exit(code);
    });
  }
}
