/**
 * Run tags that describe where a run ran: git commit, host hardware, Node and platform versions
 * (the backend tag, simclr.backend, is set by the training loop once the tf backend is chosen).
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { cpuInfo } from "./cpu";
import { PROJECT_ROOT } from "./server";

/** The project's git commit (with "-dirty" when the tree has changes), or undefined outside git. */
export function gitCommit(cwd: string = PROJECT_ROOT): string | undefined {
  const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", timeout: 5000 });
  if (r.status !== 0 || !r.stdout) return undefined;
  const sha = r.stdout.trim();
  const d = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd,
    encoding: "utf8",
    timeout: 5000,
  });
  return d.status === 0 && d.stdout.trim() !== "" ? `${sha}-dirty` : sha;
}

/** A one-line hardware description, e.g. "2 x Intel(R) Xeon(R) CPU @ 2.20GHz, 7.8 GiB". */
export function hardwareSummary(): string {
  return `${os.cpus().length} x ${cpuInfo().model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
}

/** What started a run, as MLflow's Source column shows it (tags mlflow.source.name and .type). */
export interface RunSource {
  /** The notebook's path, or the command line (e.g. "simclr pretrain --preset tiny"). */
  name: string;
  /** MLflow's source types: NOTEBOOK for a notebook, LOCAL for a command. */
  type: "NOTEBOOK" | "LOCAL" | "JOB";
}

/** This process's command line as a source: `simclr <args>` for the CLI, else the script and its args. */
export function commandSource(argv: readonly string[] = process.argv): RunSource {
  const script = argv[1] ?? "node";
  const cli = /[/\\]bin[/\\]simclr(\.c?js)?$/.test(script);
  const rel = path.isAbsolute(script) ? path.relative(PROJECT_ROOT, script) : script;
  const head = cli ? "simclr" : rel.startsWith("..") ? path.basename(script) : rel;
  return { name: [head, ...argv.slice(2)].join(" ").slice(0, 500), type: "LOCAL" };
}

/** The login name of this process's user, or undefined where the system has none (some containers). */
function userName(): string | undefined {
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tags recording source, user, git commit, hardware and versions (mlflow.source.*, mlflow.user,
 * simclr.hardware, ...). `source` defaults to this process's command line.
 */
export function environmentTags(source: RunSource = commandSource()): Record<string, string> {
  const tags: Record<string, string> = {
    "simclr.hardware": hardwareSummary(),
    "simclr.node_version": process.version,
    "simclr.platform": `${os.platform()}-${os.arch()}`,
    "mlflow.source.type": source.type,
    "mlflow.source.name": source.name,
  };
  const user = userName();
  if (user) tags["mlflow.user"] = user;
  const commit = gitCommit();
  if (commit) {
    tags["mlflow.source.git.commit"] = commit.replace(/-dirty$/, "");
    tags["simclr.git_commit"] = commit;
  }
  return tags;
}
