/**
 * Loading plugin files: a config's `plugins` paths (relative to the project root, or absolute)
 * are read, hashed (sha256 of the content, part of the config hash, so an edited plugin makes new
 * sweep cells), loaded through tsx (user-module.ts) and their parts registered next to the built-ins. Every
 * failure names the plugin file and what was expected. Loading a file again is free while its
 * content is unchanged; an edited file replaces its earlier parts.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AUGMENT_NAMES } from "../augment/compose";
import { PROJECT_ROOT } from "../track/server";
import { loadedPlugin, loadedPlugins, registerPluginFile, type LoadedPlugin } from "./registry";
import { PART_KINDS, PluginError, type PartKind, type Plugin, type PluginRef } from "./types";

export { PluginError } from "./types";
import { loadUserModule } from "./user-module";

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Built-in names of each kind, with the module that defines them (named in clash errors). The
 * model modules load TensorFlow, so they are required only when a plugin has parts of that kind
 * (a view worker loading an augmentation plugin stays free of TensorFlow).
 */
const BUILTINS: Record<PartKind, { names: () => readonly string[]; home: string }> = {
  augmentations: { names: () => AUGMENT_NAMES, home: "src/augment/compose.ts" },
  losses: {
    names: () =>
      (require("../loss/contrastive") as typeof import("../loss/contrastive")).LOSS_KINDS,
    home: "src/loss/contrastive.ts",
  },
  heads: {
    names: () => (require("../models/head") as typeof import("../models/head")).HEAD_KINDS,
    home: "src/models/head.ts",
  },
  encoders: {
    names: () => (require("../models/encoder") as typeof import("../models/encoder")).ENCODER_ARCHS,
    home: "src/models/encoder.ts",
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The built-in names of a kind of part. */
export function builtinNames(kind: PartKind): readonly string[] {
  return BUILTINS[kind].names();
}

/** Absolute path of a config's plugin path (relative paths are relative to the project root). */
export function pluginFile(p: string): string {
  return path.resolve(PROJECT_ROOT, p);
}

/** How a resolved config records a plugin path: project-relative with '/', else absolute. */
export function pluginDisplayPath(file: string): string {
  const rel = path.relative(PROJECT_ROOT, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel)
    ? rel.split(path.sep).join("/")
    : file;
}

/** sha256 (hex) of a plugin file's content. */
export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Checks a module's default export against the plugin shape; throws naming the file. */
function pluginOf(exported: unknown, shown: string): Plugin {
  const mod = exported as { default?: unknown } | null;
  const p = (mod && typeof mod === "object" && "default" in mod ? mod.default : mod) as unknown;
  const kinds = Object.keys(PART_KINDS);
  const expect = `expected a default export { ${kinds.map((k) => `${k}?: [...]`).join(", ")} }`;
  if (!p || typeof p !== "object" || Array.isArray(p))
    throw new PluginError(`plugin ${shown}: ${expect}, got ${typeof p}`, shown);
  const extra = Object.keys(p).filter((k) => !kinds.includes(k));
  if (extra.length)
    throw new PluginError(`plugin ${shown}: unknown export field '${extra[0]}'; ${expect}`, shown);
  let parts = 0;
  for (const kind of kinds as PartKind[]) {
    const list = (p as Record<string, unknown>)[kind];
    if (list === undefined) continue;
    const k = PART_KINDS[kind];
    if (!Array.isArray(list))
      throw new PluginError(`plugin ${shown}: '${kind}' must be an array of ${k.what}s`, shown);
    list.forEach((part: unknown, i) => {
      const q = part as Record<string, unknown> | null;
      const where = `plugin ${shown}: ${kind}[${i}]`;
      if (!q || typeof q.name !== "string" || !NAME.test(q.name))
        throw new PluginError(
          `${where} needs a name of letters, digits, '-' or '_' (the ${k.field} value), got ${JSON.stringify(q?.name)}`,
          shown,
        );
      if (typeof q[k.fn] !== "function")
        throw new PluginError(`${where} ('${q.name}'): expected a function '${k.fn}'`, shown);
      if (q.defaults !== undefined) checkDefaults(q.defaults, `${where} ('${q.name}')`, shown);
      parts++;
    });
  }
  if (parts === 0) throw new PluginError(`plugin ${shown} registers nothing; ${expect}`, shown);
  return p as Plugin;
}

function checkDefaults(d: unknown, where: string, shown: string): void {
  const ok = d && typeof d === "object" && !Array.isArray(d);
  const bad = ok
    ? Object.entries(d).find(([, v]) => !["number", "string", "boolean"].includes(typeof v))
    : undefined;
  if (!ok || bad)
    throw new PluginError(
      `${where}: defaults must be an object of numbers, strings and booleans${bad ? `; '${bad[0]}' is ${JSON.stringify(bad[1])}` : ""}`,
      shown,
    );
}

/** Throws when a part's name is built in, registered by another file, or twice in this one. */
function checkClashes(plugin: Plugin, file: string, shown: string): void {
  for (const kind of Object.keys(PART_KINDS) as PartKind[]) {
    const what = PART_KINDS[kind].what;
    const seen = new Set<string>();
    for (const { name } of plugin[kind] ?? []) {
      if (seen.has(name))
        throw new PluginError(
          `plugin ${shown}: ${what} '${name}' is registered twice in this file`,
          shown,
        );
      seen.add(name);
      if (BUILTINS[kind].names().includes(name))
        throw new PluginError(
          `plugin ${shown}: ${what} '${name}' clashes with the built-in ${what} '${name}' of ${BUILTINS[kind].home}; choose another name`,
          shown,
        );
      const other = loadedPlugins().find(
        (f) => f.file !== file && (f.plugin[kind] ?? []).some((q) => q.name === name),
      );
      if (other)
        throw new PluginError(
          `plugin ${shown}: ${what} '${name}' is already registered by plugin ${other.path}; two plugins cannot share a name`,
          shown,
        );
    }
  }
}

/**
 * Loads one plugin file and registers its parts. `spec` is a config's entry: a path, or a
 * resolved `{path, sha256}`, whose file must still have that content (a cell runs the code its
 * config hash names, or fails saying the plugin changed).
 */
export function loadPlugin(spec: string | PluginRef): LoadedPlugin {
  const given = typeof spec === "string" ? spec : spec.path;
  const file = pluginFile(given);
  const shown = pluginDisplayPath(file);
  let source: string;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (e as Error).message;
    throw new PluginError(
      `plugin ${given}: cannot read ${file}: ${why} (plugin paths are relative to the project root ${PROJECT_ROOT}, or absolute)`,
      given,
    );
  }
  const hash = sha256(source);
  if (typeof spec !== "string" && spec.sha256 !== hash)
    throw new PluginError(
      `plugin ${shown} changed since this config was resolved (sha256 ${spec.sha256.slice(0, 12)} in the config, ${hash.slice(0, 12)} on disk); resolve the config again (re-run the sweep) to run the edited plugin`,
      shown,
    );
  const known = loadedPlugin(file);
  if (known && known.sha256 === hash) return known;
  let exported: unknown;
  try {
    exported = loadUserModule(file);
  } catch (e) {
    throw new PluginError(
      `plugin ${shown} failed to load: ${e instanceof Error ? e.message : String(e)}`,
      shown,
    );
  }
  const plugin = pluginOf(exported, shown);
  checkClashes(plugin, file, shown);
  const loaded: LoadedPlugin = { path: shown, sha256: hash, file, source, plugin };
  registerPluginFile(loaded);
  return loaded;
}

/** Loads a config's plugin list in order; returns their resolved refs ({path, sha256}). */
export function loadPlugins(specs: readonly (string | PluginRef)[]): PluginRef[] {
  const refs: PluginRef[] = [];
  for (const s of specs) {
    const p = loadPlugin(s);
    if (!refs.some((r) => r.path === p.path)) refs.push({ path: p.path, sha256: p.sha256 });
  }
  return refs;
}
