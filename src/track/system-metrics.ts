/**
 * System metrics of a training run, sampled every few seconds as MLflow's Python client samples
 * them (its `system/` names, so the UI's "System metrics" section shows them): CPU utilisation of
 * the machine and of this process, the process's resident memory, the machine's memory in use, and
 * for each NVIDIA GPU (when `nvidia-smi` answers) its utilisation and memory.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";

/** One sample: metric name (with the `system/` prefix) to value. */
export type SystemSample = Record<string, number>;

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** GPU metrics from nvidia-smi, or {} where there is none (checked once per sampler). */
function gpuSample(): SystemSample {
  const r = spawnSync(
    "nvidia-smi",
    ["--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"],
    { encoding: "utf8", timeout: 3000 },
  );
  if (r.status !== 0 || !r.stdout) return {};
  const out: SystemSample = {};
  r.stdout
    .trim()
    .split("\n")
    .forEach((line, i) => {
      const [util, mem] = line.split(",").map((x) => Number(x.trim()));
      if (Number.isFinite(util)) out[`system/gpu_${i}_utilization_percentage`] = util;
      if (Number.isFinite(mem)) out[`system/gpu_${i}_memory_usage_megabytes`] = mem;
    });
  return out;
}

/** A sampler: each call returns the utilisation since the previous call and current memory. */
export function createSystemSampler(): () => SystemSample {
  let cpu = cpuTimes();
  let proc = process.cpuUsage();
  let at = performance.now();
  let gpu = Object.keys(gpuSample()).length > 0;
  return () => {
    const nowCpu = cpuTimes();
    const nowProc = process.cpuUsage();
    const now = performance.now();
    const total = nowCpu.total - cpu.total;
    const busy = total - (nowCpu.idle - cpu.idle);
    const procUs = nowProc.user - proc.user + nowProc.system - proc.system;
    const wallUs = (now - at) * 1000 * os.cpus().length;
    [cpu, proc, at] = [nowCpu, nowProc, now];
    const sample: SystemSample = {
      "system/cpu_utilization_percentage": total > 0 ? (100 * busy) / total : 0,
      "system/process_cpu_utilization_percentage": wallUs > 0 ? (100 * procUs) / wallUs : 0,
      "system/process_memory_megabytes": process.memoryUsage().rss / 2 ** 20,
      "system/system_memory_usage_megabytes": (os.totalmem() - os.freemem()) / 2 ** 20,
    };
    if (gpu) {
      const g = gpuSample();
      gpu = Object.keys(g).length > 0;
      Object.assign(sample, g);
    }
    return sample;
  };
}
