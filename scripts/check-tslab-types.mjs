#!/usr/bin/env node
// Type-checks src/ the way the notebook kernel sees it: with tslab's bundled TypeScript (5.0) and
// the compiler options tslab fixes (it ignores tsconfig.json; see tslab src/converter.ts). A toolkit
// that passes `tsc` 5.9 but uses a newer feature (an ES2023 library method, `using`, NoInfer) would
// break every notebook cell; this catches it in `npm run typecheck`.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(ROOT, "node_modules", "tslab", "package.json"));
const ts = require("@tslab/typescript-for-tslab");

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

const files = walk(path.join(ROOT, "src"));
const options = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  declaration: true,
  experimentalDecorators: true,
  resolveJsonModule: true,
  allowJs: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
  typeRoots: [path.join(ROOT, "node_modules", "@types")],
};
const program = ts.createProgram(files, options);
const diags = ts
  .getPreEmitDiagnostics(program)
  .filter((d) => !d.file || !d.file.fileName.includes("node_modules"));
if (diags.length) {
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  };
  console.error(ts.formatDiagnostics(diags, host));
  console.error(
    `tslab's TypeScript ${ts.version} rejects src/ (${diags.length} errors): notebooks importing the toolkit would fail.`,
  );
  process.exit(1);
}
console.log(`tslab's TypeScript ${ts.version}: src/ OK (${files.length} files)`);
