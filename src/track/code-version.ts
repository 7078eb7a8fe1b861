/**
 * The code version of a run: a hash of the sources that affect what training computes, not the
 * git commit, so a change to reports, plots, statistics or the CLI keeps earlier runs valid
 * evidence, while a change to the trainer, models, losses, augmentations, data pipeline,
 * evaluation, configs or the sweep's execution marks runs from before and after as different.
 *
 * The file set: every .ts file under src/ except the folders that only read or present finished
 * runs ({@link PRESENTATION_DIRS}: report, evidence, plot, stats, cli, paper) and src/studies (a study's
 * effect on a run is its resolved config, which is hashed per run as simclr.config_hash, so its
 * claims, reasons and findings can change freely), plus src/index.ts and src/version.ts (exports
 * and the package version string). Dependency versions are logged separately (simclr.tfjs_version).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./server";

/** Folders of src/ left out of the code version (they do not change what a run computes). */
export const PRESENTATION_DIRS: readonly string[] = Object.freeze([
  "report",
  "evidence",
  "plot",
  "stats",
  "cli",
  "paper",
  "studies",
]);

/** Top-level files of src/ left out (exports and the version string). */
const PRESENTATION_FILES: readonly string[] = ["index.ts", "version.ts"];

function walk(dir: string, rel: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory())
      return rel === "" && PRESENTATION_DIRS.includes(e.name)
        ? []
        : walk(path.join(dir, e.name), r);
    return e.name.endsWith(".ts") && !(rel === "" && PRESENTATION_FILES.includes(e.name))
      ? [r]
      : [];
  });
}

/** The files (relative to src/, sorted) the code version covers. */
export function codeVersionFiles(srcDir: string = path.join(PROJECT_ROOT, "src")): string[] {
  return walk(srcDir, "").sort();
}

/**
 * The code version: the first 12 hex digits of sha256 over each covered file's path and content,
 * or undefined where the sources are not on disk (an installed build without src/).
 */
export function codeVersion(srcDir: string = path.join(PROJECT_ROOT, "src")): string | undefined {
  if (!fs.existsSync(srcDir)) return undefined;
  const h = crypto.createHash("sha256");
  for (const f of codeVersionFiles(srcDir)) {
    h.update(f);
    h.update("\0");
    h.update(fs.readFileSync(path.join(srcDir, f)));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 12);
}
