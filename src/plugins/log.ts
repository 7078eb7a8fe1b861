/**
 * The record a run keeps of its plugins: each file's content as an MLflow artifact (exactly the
 * content that was hashed and loaded) at {@link pluginArtifactPath}; their paths and sha256 are
 * params already (`plugins.<i>.path`, `plugins.<i>.sha256`, from the resolved config).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { RunLogger } from "../track/types";
import { loadPlugin } from "./load";
import type { PluginRef } from "./types";

/**
 * Where a plugin file's artifact goes in a run, from its path as the config records it:
 * `plugins/<project-relative path>` inside the project; outside it,
 * `plugins/outside/<first 8 hex of sha256 of its folder>/<file>`, so two files of one name in
 * different folders keep distinct artifacts.
 */
export function pluginArtifactPath(refPath: string): string {
  if (!path.isAbsolute(refPath)) return path.posix.join("plugins", refPath);
  const folder = createHash("sha256").update(path.dirname(refPath)).digest("hex").slice(0, 8);
  return path.posix.join("plugins", "outside", folder, path.basename(refPath));
}

/** Logs a config's plugin files (its `plugins`) as artifacts (nothing without plugins). */
export async function logPluginFiles(
  plugins: readonly PluginRef[],
  logger: RunLogger,
): Promise<void> {
  for (const ref of plugins) {
    const loaded = loadPlugin(ref); // loaded already; this checks the content is still the same
    const at = pluginArtifactPath(ref.path);
    await logger.logArtifact(path.posix.basename(at), loaded.source, path.posix.dirname(at));
  }
}
