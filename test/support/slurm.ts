/**
 * Test fixture: a real single-node Slurm cluster (Debian's slurm-wlm and munge packages) with its
 * config, state and munge socket in a temp dir: munged, slurmctld and slurmd as root on free
 * loopback ports, proctrack/linuxproc, task/none, no accounting, two CPUs. Started once per test
 * file and stopped afterwards; SLURM_CONF points the Slurm commands (and the executor) at it.
 *
 *   const slurm = useSlurmCluster();   // test(..., { skip: slurm.skip }, async () => { await slurm.ready; ... })
 */
import { after, before } from "node:test";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { tempDir } from "./tmp";

/** What tests get once the cluster is up. */
export interface SlurmFixture {
  /** Why the tests skip (not root, packages missing), or false. */
  skip: string | false;
  /** Resolves when slurmd has registered and the partition is up. */
  ready: Promise<void>;
  /** The temp dir (slurm.conf, logs, state). */
  dir: string;
  /** The node's name. */
  node: string;
}

const BINARIES = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"];

function onPath(bin: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

/** Why a Slurm cluster cannot be started here, or false. */
export function slurmUnavailable(): string | false {
  const missing = BINARIES.filter((b) => !onPath(b));
  if (missing.length)
    return `Slurm tests need ${missing.join(", ")}: apt-get install -y slurm-wlm munge (as root)`;
  if (process.getuid?.() !== 0) return "Slurm tests start slurmctld/slurmd/munged and need root";
  if (!fs.existsSync("/etc/munge/munge.key"))
    return "Slurm tests need /etc/munge/munge.key (apt-get install -y munge creates it)";
  return false;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

function slurmConf(dir: string, node: string, ports: [number, number]): string {
  return `ClusterName=simclrtest
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${dir}/munge/sock
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/slurmctld.log
SlurmdLogFile=${dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
KillWait=5
NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 RealMemory=2048 State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
`;
}

function pidOf(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, "utf8").trim());
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the cluster for this test file (skipped where {@link slurmUnavailable} says so). */
export function useSlurmCluster(): SlurmFixture {
  const skip = slurmUnavailable();
  let markReady: () => void = () => {};
  let markFailed: (e: unknown) => void = () => {};
  const fixture: SlurmFixture = {
    skip,
    dir: "",
    node: os.hostname().split(".")[0],
    ready: new Promise<void>((res, rej) => {
      markReady = res;
      markFailed = rej;
    }),
  };
  fixture.ready.catch(() => {});
  if (skip) return fixture;
  const pids = (): number[] =>
    ["slurmd.pid", "slurmctld.pid", "munge/pid"]
      .map((f) => pidOf(path.join(fixture.dir, f)))
      .filter((p): p is number => p !== undefined);
  const stop = (): void => {
    for (const p of pids())
      try {
        process.kill(p, "SIGTERM");
      } catch {
        /* gone */
      }
  };
  process.once("exit", stop);
  before(async () => {
    try {
      const dir = tempDir("slurm");
      fixture.dir = dir;
      for (const d of ["state", "spool", "munge"]) fs.mkdirSync(path.join(dir, d), { mode: 0o700 });
      fs.copyFileSync("/etc/munge/munge.key", path.join(dir, "munge/key"));
      fs.chmodSync(path.join(dir, "munge/key"), 0o600);
      const conf = path.join(dir, "slurm.conf");
      fs.writeFileSync(conf, slurmConf(dir, fixture.node, [await freePort(), await freePort()]));
      process.env.SLURM_CONF = conf;
      const m = path.join(dir, "munge");
      execFileSync("munged", [
        "--force",
        `--socket=${m}/sock`,
        `--key-file=${m}/key`,
        `--pid-file=${m}/pid`,
        `--log-file=${m}/log`,
        `--seed-file=${m}/seed`,
      ]);
      execFileSync("slurmctld", ["-i"], { env: process.env });
      execFileSync("slurmd", ["-N", fixture.node], { env: process.env });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = spawnSync("sinfo", ["-h", "-o", "%T"], { encoding: "utf8" });
        if (s.status === 0 && /^idle/m.test(s.stdout)) break;
        if (Date.now() > deadline)
          throw new Error(
            `slurm node never came up: ${s.stdout}${s.stderr}\n${fs.readFileSync(path.join(dir, "slurmctld.log"), "utf8").slice(-2000)}`,
          );
        await new Promise((r) => setTimeout(r, 300));
      }
      markReady();
    } catch (e) {
      markFailed(e);
      throw e;
    }
  });
  after(async () => {
    stop();
    const deadline = Date.now() + 10_000;
    while (pids().some((p) => alive(p)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    for (const p of pids()) if (alive(p)) process.kill(p, "SIGKILL");
    if (fixture.dir) fs.rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
