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

/** An environment as child processes receive it (variable name -> value). */
export type ProcessEnvironment = Readonly<Record<string, string | undefined>>;

let inherited: ProcessEnvironment = {};

/**
 * Sets the environment that the toolkit's child processes (sweep cells, MLflow, JupyterLab, Slurm
 * and Ray commands) inherit before their own variables are added. Entry points pass their
 * `process.env` (src/workbench/params.ts `configureFromEnv`); library code reads none itself.
 */
export function setChildEnvironment(env: ProcessEnvironment): void {
  inherited = env;
}

/** The environment child processes inherit (empty until an entry point sets it). */
export function childEnvironment(): ProcessEnvironment {
  return inherited;
}
