/**
 * `npm run reproduce -- [--study NAME] [--preset small]`: executes the study notebooks headless
 * (nbclient, tslab kernel), writes the executed notebooks and the HTML report to results/<preset>/,
 * records hardware, backend, versions and wall time (results/<preset>/runs.json), and writes the
 * findings table (results/<preset>/README.md) from the tracked runs, plus the results archive
 * results/<preset>/runs.jsonl (every finished run behind the findings: params, final metrics, seed,
 * code version; src/report/archive.ts). `--findings-only` rebuilds the findings table and
 * report.html from that archive alone, without MLflow or any notebook; `--archive-only` first
 * merges the tracking server's finished runs into the archive (a study run elsewhere, or one still
 * running in another checkout, committed without executing its notebook); `--out DIR` writes
 * elsewhere than results/<preset>/. `--snapshot-before [--commit REF]` writes
 * results/<preset>/before.json, the "before" of a re-run's before/after table, computed from
 * runs.jsonl as the findings table is (src/evidence/before-snapshot.ts), naming the git commit the
 * archive was read at (default: HEAD, "-dirty" when the archive differs from it). Ctrl-C (or a kill) records the notebook it stopped as
 * interrupted.
 *
 * Sweeps resume from MLflow, so a reproduction interrupted by the end of a session continues where
 * it stopped when run again (with the same tracking server: MLFLOW_TRACKING_URI, else the project's
 * local server under .simclr/mlflow).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../src/backend";
import { cpuRecord } from "../src/track/cpu";
import { archiveRuns, readArchive, writeArchive, type ArchivedRun } from "../src/evidence/archive";
import { presetDataFromArchive } from "../src/report/archive";
import { collectReport } from "../src/report/collect";
import type { ReportData } from "../src/evidence/runs";
import { renderReport } from "../src/report/render";
import { readEarlierTable, type EarlierTable } from "../src/evidence/earlier-table";
import { snapshotBefore } from "../src/evidence/before-snapshot";
import { digestMarkers, findingsDigest, replaceDigest } from "../src/evidence/findings-digest";
import { findingsMarkdown, type FindingsMarkdownOptions } from "../src/evidence/findings-markdown";
import { listStudies } from "../src/sweep/registry";
import {
  ensureLocalMlflow,
  NoTrackingServer,
  PROJECT_ROOT,
  resolveTrackingUri,
} from "../src/track/server";
import { configureFromEnv, presetFromEnv, type NotebookPreset } from "../src/workbench/params";

/** Notebook per study name (and the notebook names themselves). */
const NOTEBOOKS: Record<string, string> = {
  quickstart: "00-quickstart",
  augmentations: "01-augmentations",
  "augmentation-grid": "01-augmentations",
  "color-strength": "01-augmentations",
  "projection-head": "02-projection-head",
  losses: "03-loss-temperature",
  temperature: "03-loss-temperature",
  "loss-temperature": "03-loss-temperature",
  "batch-size": "04-batch-size-epochs",
  "batch-size-epochs": "04-batch-size-epochs",
  report: "05-report",
};

interface RunRecord {
  notebook: string;
  preset: string;
  started: string;
  wall_s: number;
  ok: boolean;
  /** The signal that stopped the notebook's execution (Ctrl-C, a kill), when one did. */
  interrupted?: string;
  errors: unknown[];
  plots: number;
  backend: string;
  device: string;
  threads: number;
  versions: Record<string, string>;
  /** TensorFlow's oneDNN kernels on (issue 16: every figure names its CPU). */
  onednn: boolean;
  hardware: {
    cpus: number;
    cpu_model: string;
    cpu_id: string;
    cpu_isa: string;
    memory_gb: number;
    platform: string;
  };
}

function git(args: string[]): string {
  const r = spawnSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

/**
 * The studies the findings table covers (its "no data" rows and budget table): every
 * registered study but the budget ladders (the registry holds the built-in ones, so their runs are
 * archived and read back like any study's); a ladder with runs gets its own "Budget ladders"
 * section from them.
 */
function tableStudies(): ReturnType<typeof listStudies> {
  return listStudies().filter((s) => !s.ladderOf);
}

async function main(): Promise<number> {
  configureFromEnv(process.env);
  const { values } = parseArgs({
    options: {
      study: { type: "string", multiple: true },
      preset: { type: "string" },
      "cell-timeout": { type: "string", default: "21600" },
      // Where the executed notebooks, report, runs.json and findings go (default results/<preset>).
      out: { type: "string" },
      // Rebuilds results/<preset>/README.md and report.html from runs.jsonl alone (no MLflow).
      "findings-only": { type: "boolean", default: false },
      // Archives the tracking server's finished runs into runs.jsonl (merged with what is there),
      // then rebuilds README.md and report.html from it; runs no notebook.
      "archive-only": { type: "boolean", default: false },
      // Writes before.json, the earlier table of a re-run, from runs.jsonl (no MLflow).
      "snapshot-before": { type: "boolean", default: false },
      // The git commit the archive is named by in before.json (default HEAD).
      commit: { type: "string" },
    },
  });
  if (values.preset) process.env.SIMCLR_PRESET = values.preset;
  const preset: NotebookPreset = presetFromEnv("small");
  const wanted =
    values["findings-only"] || values["archive-only"] || values["snapshot-before"]
      ? []
      : values.study?.length
        ? values.study
        : [
            "quickstart",
            "augmentations",
            "projection-head",
            "loss-temperature",
            "batch-size",
            "report",
          ];
  const notebooks: string[] = [];
  for (const s of wanted) {
    const nb =
      NOTEBOOKS[s] ??
      (fs.existsSync(path.join(PROJECT_ROOT, "notebooks", `${s}.ipynb`)) ? s : undefined);
    if (!nb) {
      console.error(
        `reproduce: unknown study '${s}'; expected one of ${Object.keys(NOTEBOOKS).join(", ")}`,
      );
      return 2;
    }
    if (!notebooks.includes(nb)) notebooks.push(nb);
  }
  const outDir = path.resolve(values.out ?? path.join(PROJECT_ROOT, "results", preset));
  fs.mkdirSync(outDir, { recursive: true });
  const archiveFile = path.join(outDir, "runs.jsonl");
  if (values["findings-only"]) return findingsFromArchive(outDir, archiveFile, preset);
  if (values["snapshot-before"])
    return snapshotFromArchive(outDir, archiveFile, preset, values.commit);
  // MLFLOW_TRACKING_URI, else the project's local server, started here (detached, so the
  // notebooks' kernels and a later run reuse it) when none is running: the toolkit never starts one.
  const trackingUri = await resolveTrackingUri().catch(async (e: unknown) => {
    if (!(e instanceof NoTrackingServer)) throw e;
    return (await ensureLocalMlflow({ detached: true })).url;
  });
  if (values["archive-only"]) {
    await archiveFromStore(trackingUri, archiveFile, preset);
    return findingsFromArchive(outDir, archiveFile, preset);
  }
  const backend = await initBackend();
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const py = spawnSync(
    path.join(PROJECT_ROOT, ".venv", "bin", "python"),
    [
      "-c",
      "import mlflow, jupyterlab, nbclient; print(mlflow.__version__, jupyterlab.__version__, nbclient.__version__)",
    ],
    { encoding: "utf8" },
  );
  const [mlflowV, labV, nbclientV] = py.stdout.trim().split(" ");
  const versions = {
    "simclr-workbook": pkg.version,
    git_commit: git(["rev-parse", "HEAD"]),
    node: process.version,
    tfjs: backend.version,
    mlflow: mlflowV ?? "",
    jupyterlab: labV ?? "",
    nbclient: nbclientV ?? "",
  };
  const cpu = cpuRecord(backend);
  const hardware = {
    cpus: os.cpus().length,
    cpu_model: cpu.cpu_model,
    cpu_id: cpu.cpu_id,
    cpu_isa: cpu.cpu_isa,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
  const logFile = path.join(outDir, "runs.json");
  // Read when used, not once at start: another reproduction of a different study may have
  // appended its record meanwhile (two studies can run side by side against one tracking server).
  const readRecords = (): RunRecord[] =>
    fs.existsSync(logFile) ? (JSON.parse(fs.readFileSync(logFile, "utf8")) as RunRecord[]) : [];
  let failed = 0;
  // Ctrl-C or a kill reaches the notebook runner too (same process group); note the signal here so
  // the interrupted notebook is recorded as interrupted, not failed, and the rest are not started.
  let stopSignal: string | undefined;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(sig, () => {
      stopSignal = sig;
    });
  for (const nb of notebooks) {
    if (stopSignal) break;
    console.log(`reproduce: ${nb} at preset ${preset} (tracking ${trackingUri}) ...`);
    const started = new Date();
    const r = spawnSync(
      path.join(PROJECT_ROOT, ".venv", "bin", "python"),
      [
        path.join(PROJECT_ROOT, "scripts", "execute_notebook.py"),
        path.join(PROJECT_ROOT, "notebooks", `${nb}.ipynb`),
        "--out",
        path.join(outDir, `${nb}.ipynb`),
        "--preset",
        preset,
        "--timeout",
        values["cell-timeout"] ?? "21600",
        "--lean",
      ],
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: trackingUri,
          SIMCLR_PRESET: preset,
          SIMCLR_RESULTS_DIR: outDir,
        },
      },
    );
    // spawnSync blocks the event loop, so a signal that arrived while the notebook ran is handled
    // only once the loop polls: wait on a timer here (one setImmediate turn does not reach the
    // poll, and the stop was then recorded as FAILED), so this record says "interrupted" and the
    // next notebook is not started.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const summary = JSON.parse(r.stdout.trim().split("\n").pop() || "{}") as {
      errors?: unknown[];
      plots?: number;
    };
    const rec: RunRecord = {
      notebook: nb,
      preset,
      started: started.toISOString(),
      wall_s: Math.round((Date.now() - started.getTime()) / 1000),
      ok: r.status === 0,
      ...(r.signal || stopSignal ? { interrupted: r.signal ?? stopSignal } : {}),
      errors: summary.errors ?? [],
      plots: summary.plots ?? 0,
      backend: backend.backend,
      device: backend.device,
      threads: backend.threads,
      onednn: cpu.onednn,
      versions,
      hardware,
    };
    fs.writeFileSync(logFile, JSON.stringify([...readRecords(), rec], null, 2) + "\n");
    const how = rec.ok ? "done" : rec.interrupted ? `interrupted (${rec.interrupted})` : "FAILED";
    console.log(`reproduce: ${nb} ${how} in ${rec.wall_s} s`);
    if (!rec.ok) failed++;
  }
  const archived = await archiveFromStore(trackingUri, archiveFile, preset);
  // The findings table reads the archive, as --findings-only does, so it covers every study in it.
  const report = fs.existsSync(path.join(outDir, "report.html"))
    ? { reportFile: "report.html" }
    : {};
  writeFindings(
    outDir,
    presetDataFromArchive(archived, archiveFile, preset),
    findingsOptions(outDir, preset, readRecords(), report),
  );
  return failed ? 1 : 0;
}

/**
 * The evidence outlives the MLflow store: every finished run of the preset's studies on the
 * tracking server, merged into the archive already at `archiveFile` (studies not run against this
 * store keep their archived runs) and written back as JSON lines. Returns the merged archive.
 */
async function archiveFromStore(
  trackingUri: string,
  archiveFile: string,
  preset: string,
): Promise<ArchivedRun[]> {
  const data = await collectReport({
    experiments: listStudies().map((s) => s.name),
    trackingUri,
    preset,
  });
  const previous = fs.existsSync(archiveFile) ? readArchive(archiveFile) : [];
  const archived = archiveRuns(data, previous);
  writeArchive(archiveFile, archived);
  console.log(
    `reproduce: ${archived.length} runs archived in ${path.relative(PROJECT_ROOT, archiveFile)} (from ${trackingUri})`,
  );
  return archived;
}

/** What the findings table and the README digest of a preset are written with. */
function findingsOptions(
  outDir: string,
  preset: string,
  records: FindingsMarkdownOptions["records"],
  report: { reportFile?: string },
): FindingsMarkdownOptions {
  return { preset, records, studies: tableStudies(), ...report, ...earlierTable(outDir) };
}

/**
 * Writes the findings table (outDir/README.md) and, when outDir is the committed results/<preset>
 * and the project README keeps that preset's digest markers, the digest between them.
 */
function writeFindings(outDir: string, data: ReportData, o: FindingsMarkdownOptions): void {
  const table = path.join(outDir, "README.md");
  fs.writeFileSync(table, findingsMarkdown(data, o));
  console.log(`reproduce: findings table written to ${path.relative(PROJECT_ROOT, table)}`);
  const readmeFile = path.join(PROJECT_ROOT, "README.md");
  if (path.resolve(outDir) !== path.join(PROJECT_ROOT, "results", o.preset)) return;
  const readme = fs.readFileSync(readmeFile, "utf8");
  if (!readme.includes(digestMarkers(o.preset).begin)) {
    console.log(`reproduce: README.md has no findings:${o.preset} digest block; not written`);
    return;
  }
  fs.writeFileSync(
    readmeFile,
    replaceDigest(readme, o.preset, findingsDigest(data, o), readmeFile),
  );
  console.log(`reproduce: results digest written to README.md (findings:${o.preset})`);
}

/** The earlier findings table kept beside this one (before.json), for the before/after section. */
function earlierTable(outDir: string): { before?: EarlierTable } {
  const file = path.join(outDir, "before.json");
  return fs.existsSync(file) ? { before: readEarlierTable(file) } : {};
}

/**
 * The commit an archive is read at: `ref` (default HEAD) abbreviated, with "-dirty" when the file
 * is not that commit's (uncommitted changes, or not in it).
 */
function archiveCommit(file: string, ref = "HEAD"): string | undefined {
  const commit = git(["rev-parse", "--short", `${ref}^{commit}`]);
  if (!commit) return undefined;
  const committed = git(["rev-parse", `${commit}:${path.relative(PROJECT_ROOT, file)}`]);
  return committed && committed === git(["hash-object", file]) ? commit : `${commit}-dirty`;
}

/** `--snapshot-before`: before.json computed from runs.jsonl, the "before" of a re-run. */
function snapshotFromArchive(
  outDir: string,
  archiveFile: string,
  preset: string,
  ref: string | undefined,
): number {
  const rel = path.relative(PROJECT_ROOT, archiveFile);
  if (!fs.existsSync(archiveFile)) {
    console.error(
      `reproduce: --snapshot-before needs ${rel}; run the reproduction once to write it`,
    );
    return 2;
  }
  const commit = archiveCommit(archiveFile, ref);
  if (!commit) {
    console.error(`reproduce: --commit ${ref ?? "HEAD"} is not a git commit of ${PROJECT_ROOT}`);
    return 2;
  }
  const data = presetDataFromArchive(readArchive(archiveFile), archiveFile, preset);
  const o = { preset, studies: tableStudies() };
  const table = snapshotBefore(data, o, { file: rel, commit });
  const out = path.join(outDir, "before.json");
  fs.writeFileSync(out, JSON.stringify(table, null, 2) + "\n");
  console.log(
    `reproduce: ${path.relative(PROJECT_ROOT, out)} written from ${rel} at ${commit} (${table.claims.length} claims)`,
  );
  return 0;
}

/** `--findings-only`: the findings table and report.html from runs.jsonl, without MLflow. */
function findingsFromArchive(outDir: string, archiveFile: string, preset: string): number {
  if (!fs.existsSync(archiveFile)) {
    console.error(
      `reproduce: --findings-only needs ${path.relative(PROJECT_ROOT, archiveFile)}; run the reproduction once to write it`,
    );
    return 2;
  }
  const logFile = path.join(outDir, "runs.json");
  const records = fs.existsSync(logFile)
    ? (JSON.parse(fs.readFileSync(logFile, "utf8")) as RunRecord[])
    : [];
  const data = presetDataFromArchive(readArchive(archiveFile), archiveFile, preset);
  fs.writeFileSync(path.join(outDir, "report.html"), renderReport(data));
  writeFindings(
    outDir,
    data,
    findingsOptions(outDir, preset, records, { reportFile: "report.html" }),
  );
  console.log(
    `reproduce: findings and report rebuilt from ${path.relative(PROJECT_ROOT, archiveFile)}`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`reproduce: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
