/**
 * Paths as outputs show them: relative to the project (`.simclr/journal/x.jsonl`,
 * `results/small/report.html`), so committed notebooks, reports and logs carry no path of the
 * machine that wrote them. A path outside the project stays absolute (it names a place the
 * reader chose, e.g. a data set elsewhere).
 */
import path from "node:path";

/** The project folder (two levels above this file). */
const PROJECT = path.resolve(__dirname, "..", "..");

/**
 * `p` relative to `root` (default: the project) when it lies inside it, else `p` unchanged.
 * Separators are `/` on every platform.
 */
export function shownPath(p: string, root: string = PROJECT): string {
  const rel = path.relative(root, path.resolve(p));
  if (rel === "") return ".";
  if (rel.startsWith("..") || path.isAbsolute(rel)) return p;
  return rel.split(path.sep).join("/");
}
