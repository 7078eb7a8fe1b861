/**
 * The parts that loaded plugin files registered, next to the built-ins: the one piece of state
 * behind the augmentation, loss, head and encoder registries (the built-ins stay in their own
 * modules' tables). Filled only by src/plugins/load.ts; read by compose, contrastiveLoss,
 * createHead and createEncoder when a name is not built in.
 */
import type {
  AugmentationPlugin,
  EncoderPlugin,
  HeadPlugin,
  LossPlugin,
  PartKind,
  Plugin,
  PluginRef,
} from "./types";

/** A loaded plugin file. */
export interface LoadedPlugin extends PluginRef {
  /** Absolute path. */
  file: string;
  /** The content that was hashed and loaded (logged as the run's artifact). */
  source: string;
  plugin: Plugin;
}

/** A registered part with the file it came from. */
export interface Registered<T> {
  part: T;
  from: LoadedPlugin;
}

interface PartTypes {
  augmentations: AugmentationPlugin;
  losses: LossPlugin;
  heads: HeadPlugin;
  encoders: EncoderPlugin;
}

const KEY = Symbol.for("simclr-workbook.plugins");
type Files = Map<string, LoadedPlugin>;
// Kept on globalThis so the notebook toolkit's reload of src/ (lib/toolkit.cjs) keeps the plugins.
const files: Files =
  ((globalThis as Record<symbol, unknown>)[KEY] as Files | undefined) ??
  ((globalThis as Record<symbol, unknown>)[KEY] = new Map());

/** The part of `kind` named `name` from a loaded plugin, or undefined. */
export function findPart<K extends PartKind>(
  kind: K,
  name: string,
): Registered<PartTypes[K]> | undefined {
  for (const from of files.values()) {
    const list = (from.plugin[kind] ?? []) as PartTypes[K][];
    const part = list.find((p) => p.name === name);
    if (part) return { part, from };
  }
  return undefined;
}

/** Names of the parts of `kind` that loaded plugins registered. */
export function pluginNames(kind: PartKind): string[] {
  return [...files.values()].flatMap((f) => (f.plugin[kind] ?? []).map((p) => p.name));
}

/** The loaded plugin file at an absolute path. */
export function loadedPlugin(file: string): LoadedPlugin | undefined {
  return files.get(file);
}

/** Every loaded plugin file, in load order. */
export function loadedPlugins(): LoadedPlugin[] {
  return [...files.values()];
}

/** Records a loaded file (replacing an earlier version of the same file). */
export function registerPluginFile(p: LoadedPlugin): void {
  files.delete(p.file);
  files.set(p.file, p);
}

/** Forgets a file's parts (an edited file is re-registered; tests start clean). */
export function unregisterPluginFile(file: string): void {
  files.delete(file);
}
