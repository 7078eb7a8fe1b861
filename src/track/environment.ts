/**
 * Run tags that describe where a run ran: git commit, host hardware, Node and platform versions
 * (the backend tag, simclr.backend, is set by the training loop once the tf backend is chosen).
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
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

/** Tags recording git commit, hardware and versions (mlflow.source.git.commit, simclr.hardware, ...). */
export function environmentTags(): Record<string, string> {
  const tags: Record<string, string> = {
    "simclr.hardware": hardwareSummary(),
    "simclr.node_version": process.version,
    "simclr.platform": `${os.platform()}-${os.arch()}`,
    "mlflow.source.type": "LOCAL",
  };
  const commit = gitCommit();
  if (commit) {
    tags["mlflow.source.git.commit"] = commit.replace(/-dirty$/, "");
    tags["simclr.git_commit"] = commit;
  }
  return tags;
}
