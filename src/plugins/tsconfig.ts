/**
 * The tsconfig.json that lets plain `tsc -p <folder>` type-check plugin files kept in a folder
 * outside the project: `simclr-workbook` maps to this toolkit's src/index.ts and
 * `@tensorflow/tfjs` (and the other @tensorflow packages) to the project's node_modules, with the
 * project's own compiler options. At run time the loader resolves the same imports the same way
 * (user-module.ts), so neither needs NODE_PATH or a node_modules link in the plugin's folder.
 */
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../track/server";

/** The tsconfig.json content for a folder of plugin files (absolute paths into this project). */
export function pluginTsconfig(): Record<string, unknown> {
  const modules = path.join(PROJECT_ROOT, "node_modules");
  return {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      module: "commonjs",
      moduleResolution: "node10",
      esModuleInterop: true,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [path.join(modules, "@types")],
      paths: {
        "simclr-workbook": [path.join(PROJECT_ROOT, "src", "index.ts")],
        "@tensorflow/*": [path.join(modules, "@tensorflow", "*")],
      },
    },
    include: ["**/*.ts"],
  };
}

/** Writes `dir`/tsconfig.json for the plugin files there; returns its path. */
export function writePluginTsconfig(dir: string): string {
  const file = path.join(path.resolve(dir), "tsconfig.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(pluginTsconfig(), null, 2)}\n`);
  return file;
}
