#!/usr/bin/env node
// The structure numbers of issue 23, from dependency-cruiser's import graph of src/ (type-only
// imports included): imports that run up the layers of scripts/layers.cjs, folder pairs that
// import each other, and import circles that span more than one folder (strongly connected
// groups of modules). Also lists modules loaded by a computed path (require/import of a non-literal).
//   node scripts/structure.mjs [--list]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { LAYERS } = createRequire(import.meta.url)("./layers.cjs");
const list = process.argv.includes("--list");

const bin = path.join(ROOT, "node_modules", ".bin", "depcruise");
const r = spawnSync(bin, ["src", "--config", ".dependency-cruiser.cjs", "--output-type", "json"], {
  cwd: ROOT,
  encoding: "utf8",
  maxBuffer: 1 << 28,
});
const graph = JSON.parse(r.stdout);
const folder = (s) => {
  const m = /^src\/([^/]+)\//.exec(s);
  if (m) return m[1];
  return s === "src/index.ts" ? "index" : /^src\/([^/.]+)\.ts$/.exec(s)?.[1];
};
const edges = [];
for (const m of graph.modules) {
  const a = folder(m.source);
  if (!a) continue;
  for (const d of m.dependencies) {
    const b = folder(d.resolved);
    if (b) edges.push([m.source, d.resolved, a, b]);
  }
}
const up = edges.filter(([, , a, b]) => a !== b && LAYERS[b] > LAYERS[a]);
const pairs = new Set(edges.filter(([, , a, b]) => a !== b).map(([, , a, b]) => `${a}>${b}`));
const mutual = [...pairs].filter((p) => {
  const [a, b] = p.split(">");
  return a < b && pairs.has(`${b}>${a}`);
});
// Tarjan's strongly connected components over modules
const adj = new Map();
for (const [s, t] of edges) adj.set(s, [...(adj.get(s) ?? []), t]);
let index = 0;
const idx = new Map(),
  low = new Map(),
  stack = [],
  on = new Set(),
  sccs = [];
const visit = (v) => {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of adj.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      c.push(w);
    } while (w !== v);
    sccs.push(c);
  }
};
for (const v of adj.keys()) if (!idx.has(v)) visit(v);
const crossCircles = sccs.filter((c) => new Set(c.map(folder)).size > 1);
// computed-path loads: require(x) / import(x) whose argument is not a string literal
const computed = [];
for (const m of graph.modules) {
  if (!m.source.startsWith("src/") || !m.source.endsWith(".ts")) continue;
  const text = fs.readFileSync(path.join(ROOT, m.source), "utf8");
  for (const hit of text.matchAll(/\b(require|import)\(\s*([^"'`)\s][^)]*)\)/g))
    if (!/^require\.resolve/.test(hit[0])) computed.push(`${m.source}: ${hit[0]}`);
}
console.log(`modules ${graph.modules.length}, imports ${edges.length}`);
console.log(`imports up the layers: ${up.length}`);
if (list) for (const [s, t] of up) console.log(`  ${s} -> ${t}`);
console.log(`folder pairs importing each other: ${mutual.length}`);
if (list) for (const p of mutual) console.log(`  ${p.replace(">", " <-> ")}`);
console.log(`import circles across folders: ${crossCircles.length}`);
if (list)
  for (const c of crossCircles)
    console.log(`  ${[...new Set(c.map(folder))].join(", ")}: ${c.length} modules`);
console.log(`loads by a computed path: ${computed.length}`);
if (list) for (const c of computed) console.log(`  ${c}`);
