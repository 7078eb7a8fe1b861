/**
 * What the backend takes from its caller's environment (environment.md, "Backends"): the forced
 * backend (`SIMCLR_BACKEND`) and the TensorFlow variables read when tfjs-node loads. An entry point
 * (the CLI, the notebooks' toolkit shim, the test harness) sets `TF_*` from
 * {@link tensorflowEnvDefaults} before TensorFlow loads and hands the values in with
 * {@link setBackendSettings}; nothing here reads the environment. Light on purpose (no TensorFlow
 * import), so a command that never trains can configure it.
 */
import fs from "node:fs";
import os from "node:os";

/**
 * CPU cores this process may use: the smaller of the scheduler affinity
 * (`os.availableParallelism`) and a cgroup v2 CPU quota (`/sys/fs/cgroup/cpu.max`), at least 1.
 */
export function availableCores(): number {
  let n =
    typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  try {
    const [quota, period] = fs.readFileSync("/sys/fs/cgroup/cpu.max", "utf8").trim().split(/\s+/);
    if (quota !== "max" && Number(period) > 0)
      n = Math.min(n, Math.ceil(Number(quota) / Number(period)));
  } catch {
    // no cgroup v2 quota: the affinity count stands
  }
  return Math.max(1, n);
}

/** What the entry point read from its environment for the backend. */
export interface BackendSettings {
  /** SIMCLR_BACKEND: the backend to force (checked when the backend is chosen). */
  prefer?: string;
  /** TF_NUM_INTRAOP_THREADS as TensorFlow will read it (reported as `threads`). */
  intraOpThreads?: number;
  /** TF_ENABLE_ONEDNN_OPTS as TensorFlow will read it (reported as `onednn`). */
  oneDnn?: string;
}

let settings: BackendSettings = {};

/** Sets the backend settings (an entry point calls it with {@link backendSettingsFromEnv}). */
export function setBackendSettings(s: BackendSettings): void {
  settings = s;
}

/** The backend settings the entry point set (none by default). */
export function backendSettings(): BackendSettings {
  return settings;
}

/** The backend settings an environment names (empty values count as unset). */
export function backendSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): BackendSettings {
  const s: BackendSettings = {};
  const prefer = env.SIMCLR_BACKEND?.trim();
  if (prefer) s.prefer = prefer;
  const intra = Number(env.TF_NUM_INTRAOP_THREADS);
  if (intra > 0) s.intraOpThreads = intra;
  if (env.TF_ENABLE_ONEDNN_OPTS !== undefined) s.oneDnn = env.TF_ENABLE_ONEDNN_OPTS;
  return s;
}

/**
 * The TensorFlow variables an entry point sets before tfjs-node loads, for those `env` leaves
 * unset: intra-op threads = `threads`, inter-op threads = min(2, threads), C++ log level 2 (warnings
 * and errors), oneDNN kernels on.
 */
export function tensorflowEnvDefaults(
  env: Readonly<Record<string, string | undefined>>,
  threads: number,
): Record<string, string> {
  const defaults: Record<string, string> = {
    TF_NUM_INTRAOP_THREADS: String(threads),
    TF_NUM_INTEROP_THREADS: String(Math.min(2, threads)),
    TF_CPP_MIN_LOG_LEVEL: "2",
    TF_ENABLE_ONEDNN_OPTS: "1",
  };
  return Object.fromEntries(Object.entries(defaults).filter(([k]) => env[k] === undefined));
}
