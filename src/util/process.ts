/**
 * Process helpers shared by the tracking server, the journal, sweeps and the Jupyter launcher.
 */

/** Whether a process with this pid exists (signal 0: no signal is sent). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
