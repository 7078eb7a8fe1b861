/**
 * The record a run keeps of its plugins: each file's content as an MLflow artifact under
 * `plugins/<its project-relative folder>/` (exactly the content that was hashed and loaded); their paths and sha256 are params
 * already (`plugins.<i>.path`, `plugins.<i>.sha256`, from the resolved config).
 */
import path from "node:path";
import type { RunLogger } from "../track/types";
import { loadPlugin } from "./load";
import type { PluginRef } from "./types";

/** Logs a config's plugin files (its `plugins`) as artifacts (nothing without plugins). */
export async function logPluginFiles(
  plugins: readonly PluginRef[],
  logger: RunLogger,
): Promise<void> {
  for (const ref of plugins) {
    const loaded = loadPlugin(ref); // loaded already; this checks the content is still the same
    // plugins/<its folder in the project>/<file> (plugins/ alone for a file outside the project)
    const dir = path.isAbsolute(ref.path)
      ? "plugins"
      : path.posix.join("plugins", path.posix.dirname(ref.path));
    await logger.logArtifact(path.basename(loaded.file), loaded.source, dir.replace(/\/\.$/, ""));
  }
}
