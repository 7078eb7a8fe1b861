/**
 * Whether the plugin code behind tracked runs is still there: runs record each plugin's path and
 * sha256 as params (`plugins.<i>.path`, `plugins.<i>.sha256`); a report compares them with the
 * files on disk and says when one is gone or has changed since (its artifact in the run is then
 * the only copy of the code that produced the numbers).
 */
import fs from "node:fs";
import { pluginFile, sha256 } from "./load";
import { pluginArtifactPath } from "./log";

/** One plugin file as the runs recorded it, and its state now. */
export interface PluginProvenance {
  path: string;
  /** The sha256 values the runs recorded (several when runs ran different versions). */
  recorded: string[];
  state: "unchanged" | "changed" | "gone";
  /** sha256 of the file now (absent when gone). */
  current?: string;
}

/** The plugin files named by runs' params, each checked against the file on disk. */
export function pluginProvenance(
  runs: readonly { params: Record<string, string> }[],
): PluginProvenance[] {
  const byPath = new Map<string, Set<string>>();
  for (const r of runs) {
    for (const [k, path] of Object.entries(r.params)) {
      const m = /^plugins\.(\d+)\.path$/.exec(k);
      const hash = m ? r.params[`plugins.${m[1]}.sha256`] : undefined;
      if (!m || !hash) continue;
      byPath.set(path, (byPath.get(path) ?? new Set()).add(hash));
    }
  }
  return [...byPath].map(([path, hashes]) => {
    const recorded = [...hashes];
    let current: string | undefined;
    try {
      current = sha256(fs.readFileSync(pluginFile(path)));
    } catch {
      return { path, recorded, state: "gone" as const };
    }
    const state = recorded.every((h) => h === current) ? "unchanged" : "changed";
    return { path, recorded, state, current };
  });
}

/** One sentence per plugin file that is gone or changed (none when all are as the runs ran them). */
export function provenanceNotes(p: readonly PluginProvenance[]): string[] {
  const short = (h: string): string => h.slice(0, 12);
  return p
    .filter((x) => x.state !== "unchanged")
    .map((x) =>
      x.state === "gone"
        ? `plugin ${x.path} is gone: these runs ran sha256 ${x.recorded.map(short).join(", ")}; the code is kept only as the runs' artifact ${pluginArtifactPath(x.path)}`
        : `plugin ${x.path} changed since these runs: they ran sha256 ${x.recorded.map(short).join(", ")}, the file is now ${short(x.current ?? "")}; re-run the study to get results of the current code`,
    );
}
