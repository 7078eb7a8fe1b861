/**
 * The one place the toolkit loads a module by a path it only learns at run time: a researcher's
 * own file (a plugin, a study file), wherever it lives. Every other module is imported
 * statically. A file outside the project resolves its bare imports (`simclr-workbook`,
 * `@tensorflow/tfjs`, ...) against the project, so a plugin in any folder needs no NODE_PATH and
 * no node_modules of its own: `simclr-workbook` is this toolkit's own src/index.ts (the same
 * module instances, the same plugin registry), any other package the project's node_modules.
 */
import Module from "node:module";
import path from "node:path";
import { PROJECT_ROOT as ROOT } from "../track/server";

const INDEX = path.join(ROOT, "src", "index.ts");

type Resolve = (
  request: string,
  parent: { filename?: string | null } | null,
  ...rest: unknown[]
) => string;
const M = Module as unknown as { _resolveFilename: Resolve };
const KEY = Symbol.for("simclr-workbook.user-module-resolve");

function outsideProject(file: string | null | undefined): boolean {
  if (!file) return false;
  const rel = path.relative(ROOT, file);
  const inside = rel && !rel.startsWith("..") && !path.isAbsolute(rel);
  return !inside && !file.split(path.sep).includes("node_modules");
}

/** Lets files outside the project resolve bare imports against it (installed once per process). */
function resolveAgainstProject(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[KEY]) return;
  g[KEY] = true;
  const original = M._resolveFilename;
  M._resolveFilename = function (request, parent, ...rest) {
    const bare =
      !request.startsWith(".") && !path.isAbsolute(request) && !request.startsWith("node:");
    if (bare && outsideProject(parent?.filename)) {
      if (request === "simclr-workbook") return INDEX;
      try {
        return original.call(this, request, parent, ...rest);
      } catch {
        return require.resolve(request, { paths: [ROOT] });
      }
    }
    return original.call(this, request, parent, ...rest);
  };
}

/**
 * Loads (again, when it was loaded before) the TypeScript or JavaScript module at the absolute
 * path `file` and returns its exports.
 */
export function loadUserModule(file: string): unknown {
  delete require.cache[file];
  // tsx's CommonJS hook is registered by every entry (bin/simclr.cjs, lib/toolkit.cjs, workers,
  // `node --import tsx`); registering it here as well covers a plain-JavaScript caller.
  if (/\.[cm]?tsx?$/.test(file) && !require.extensions[".ts"]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("tsx/cjs/api") as { register: () => void }).register();
  }
  resolveAgainstProject();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file);
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
}
