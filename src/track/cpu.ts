/**
 * The CPU a figure was measured on (issue 16): its model, the ISA features that decide which
 * kernels TensorFlow and PyTorch run (AVX2, AVX-512, VNNI, BF16, AMX), whether TensorFlow's oneDNN
 * kernels were on, and the threads. One record, written by the benchmark (JSON), every training
 * run (MLflow params `env.*`), `npm run reproduce` (runs.json) and so the findings table.
 *
 * Linux: parsed from /proc/cpuinfo. Elsewhere: the model from os.cpus(), no ISA flags.
 */
import fs from "node:fs";
import os from "node:os";

/** What a CPU is, as far as kernel choice goes. */
export interface CpuInfo {
  /** The marketing name ("model name" in /proc/cpuinfo), e.g. "AMD EPYC 7B13". */
  model: string;
  /** Vendor, family, model number and stepping, which name a generation when `model` does not. */
  id: string;
  /** ISA features present, in the order of {@link ISA_FEATURES} (labels, e.g. "AVX-512"). */
  isa: string[];
}

/** ISA labels and the /proc/cpuinfo flags that show each (any of them). */
export const ISA_FEATURES: readonly { label: string; flags: readonly string[] }[] = Object.freeze([
  { label: "AVX2", flags: ["avx2"] },
  { label: "AVX-512", flags: ["avx512f"] },
  { label: "AVX512-VNNI", flags: ["avx512_vnni"] },
  { label: "AVX-VNNI", flags: ["avx_vnni"] },
  { label: "AVX512-BF16", flags: ["avx512_bf16"] },
  { label: "AMX", flags: ["amx_tile", "amx_bf16", "amx_int8"] },
]);

/**
 * ISA labels on which TensorFlow 2.21 turns oneDNN on by itself on Linux x86
 * (tensorflow/core/util/util.cc DefaultOneDnnPolicy: AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX).
 */
const ONEDNN_BY_DEFAULT = ["AVX512-VNNI", "AVX-VNNI", "AVX512-BF16", "AMX"];

/** The first value of `key` in /proc/cpuinfo text (the first processor's block). */
function field(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}\\s*:\\s*(.*)$`, "m").exec(text);
  return m?.[1].trim();
}

/** Parses /proc/cpuinfo text (x86 or ARM); fields it lacks become "unknown" or an empty ISA list. */
export function parseCpuInfo(text: string): CpuInfo {
  const flags = new Set((field(text, "flags") ?? field(text, "Features") ?? "").split(/\s+/));
  const vendor = field(text, "vendor_id") ?? field(text, "CPU implementer");
  const parts = [
    vendor,
    field(text, "cpu family") && `family ${field(text, "cpu family")}`,
    field(text, "model") && `model ${field(text, "model")}`,
    field(text, "stepping") && `stepping ${field(text, "stepping")}`,
  ].filter((p): p is string => Boolean(p));
  return {
    model: field(text, "model name") ?? field(text, "Model") ?? "unknown",
    id: parts.join(" ") || "unknown",
    isa: ISA_FEATURES.filter((f) => f.flags.some((x) => flags.has(x))).map((f) => f.label),
  };
}

/** This machine's CPU: /proc/cpuinfo when readable, else os.cpus() (model only). */
export function cpuInfo(): CpuInfo {
  try {
    const info = parseCpuInfo(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (info.model !== "unknown") return info;
  } catch {
    // not Linux: fall through
  }
  return { model: os.cpus()[0]?.model?.trim() || os.arch(), id: os.arch(), isa: [] };
}

/** Whether TensorFlow turns its oneDNN kernels on by itself on this CPU (no TF_ENABLE_ONEDNN_OPTS). */
export function oneDnnByDefault(cpu: CpuInfo): boolean {
  return cpu.isa.some((f) => ONEDNN_BY_DEFAULT.includes(f));
}

/** The flat record every figure carries (see the header). */
export interface CpuRecord {
  cpu_model: string;
  cpu_id: string;
  /** Space-separated ISA labels, "none" when the CPU shows none of them. */
  cpu_isa: string;
  /** TensorFlow's oneDNN kernels on; false on backends that are not native TensorFlow. */
  onednn: boolean;
  threads: number;
}

/** The record for a backend's run ({@link BackendInfo} fields `onednn` and `threads`). */
export function cpuRecord(
  backend: { onednn?: boolean; threads: number },
  cpu: CpuInfo = cpuInfo(),
): CpuRecord {
  return {
    cpu_model: cpu.model,
    cpu_id: cpu.id,
    cpu_isa: cpu.isa.join(" ") || "none",
    onednn: backend.onednn ?? false,
    threads: backend.threads,
  };
}

/** One line for tables and logs: "Intel(R) Xeon(R) Processor (AVX2 AVX-512 ...), oneDNN on, 2 threads". */
export function describeCpu(r: CpuRecord): string {
  return `${r.cpu_model} [${r.cpu_id}] (${r.cpu_isa}), oneDNN ${r.onednn ? "on" : "off"}, ${r.threads} thread${r.threads === 1 ? "" : "s"}`;
}
