/**
 * Where the runs behind a report ran, one record per distinct environment: the environment tags a
 * run sets (backend, device, versions, git commit, code version) and the CPU record it logs as
 * `env.*` params (model, ISA, threads). The report built from MLflow and the one rebuilt from the
 * results archive read it alike, so the environment section lists what the runs' params show.
 */
import type { ReportRun } from "../evidence/runs";

/** Run tags that describe where a run ran, with their names in the report. */
const ENV_TAGS: readonly [string, string][] = [
  ["simclr.backend", "backend"],
  ["simclr.device", "device"],
  ["simclr.hardware", "hardware"],
  ["simclr.platform", "platform"],
  ["simclr.node_version", "node"],
  ["simclr.tfjs_version", "tfjs"],
  ["simclr.git_commit", "git commit"],
  ["simclr.code_version", "code version"],
  ["simclr.version", "simclr-workbook"],
];

/** The prefix of the params that record the CPU a run trained on (src/track/cpu.ts). */
const ENV_PARAM_PREFIX = "env.";

/** Names of the `env.*` params in the report (others: the name after the prefix, '_' as spaces). */
const ENV_PARAM_WORDS: Readonly<Record<string, string>> = Object.freeze({
  cpu_model: "CPU model",
  cpu_id: "CPU id",
  cpu_isa: "CPU instruction set",
  onednn: "oneDNN",
  threads: "threads",
});

/** The environment one run recorded (empty when it recorded none). */
export function runEnvironment(r: Pick<ReportRun, "tags" | "params">): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [tag, name] of ENV_TAGS) if (r.tags[tag]) env[name] = r.tags[tag];
  for (const [k, v] of Object.entries(r.params).sort(([a], [b]) => a.localeCompare(b))) {
    if (!k.startsWith(ENV_PARAM_PREFIX) || v === "") continue;
    const key = k.slice(ENV_PARAM_PREFIX.length);
    env[ENV_PARAM_WORDS[key] ?? key.replace(/_/g, " ")] = v;
  }
  return env;
}

/** The distinct environments of some runs, in the order first seen (runs that recorded none left out). */
export function distinctEnvironments(
  runs: readonly Pick<ReportRun, "tags" | "params">[],
): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const r of runs) {
    const env = runEnvironment(r);
    if (Object.keys(env).length) seen.set(JSON.stringify(env), env);
  }
  return [...seen.values()];
}
