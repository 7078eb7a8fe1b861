/**
 * The CPU record (src/track/cpu.ts) from sample /proc/cpuinfo text: an Intel Xeon with AVX-512
 * and AMX, an AMD EPYC with AVX2 only, an ARM server, and TensorFlow's oneDNN default for each.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { oneDnnEnabled } from "../../src/backend";
import {
  cpuInfo,
  cpuRecord,
  describeCpu,
  oneDnnByDefault,
  parseCpuInfo,
} from "../../src/track/cpu";

const block = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}\t: ${v}`)
    .join("\n");

const XEON = [
  block({
    processor: "0",
    vendor_id: "GenuineIntel",
    "cpu family": "6",
    model: "207",
    "model name": "Intel(R) Xeon(R) Processor",
    stepping: "2",
    flags:
      "fpu sse sse2 avx f16c fma avx2 avx512f avx512dq avx512bw avx512vl avx_vnni avx512_bf16 avx512_vnni amx_bf16 avx512_fp16 amx_tile amx_int8",
  }),
  block({ processor: "1", vendor_id: "GenuineIntel", "model name": "second block is ignored" }),
].join("\n\n");

const EPYC = block({
  processor: "0",
  vendor_id: "AuthenticAMD",
  "cpu family": "25",
  model: "1",
  "model name": "AMD EPYC 7B13",
  stepping: "0",
  flags: "fpu sse sse2 avx fma avx2 bmi2 sha_ni",
});

const ARM = block({
  processor: "0",
  BogoMIPS: "243.75",
  Features: "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp asimddp",
  "CPU implementer": "0x41",
});

describe("cpu record", () => {
  it("names an Intel Xeon with AVX-512, VNNI, BF16 and AMX; TensorFlow enables oneDNN there by itself", () => {
    const cpu = parseCpuInfo(XEON);
    assert.equal(cpu.model, "Intel(R) Xeon(R) Processor");
    assert.equal(cpu.id, "GenuineIntel family 6 model 207 stepping 2");
    assert.deepEqual(cpu.isa, ["AVX2", "AVX-512", "AVX512-VNNI", "AVX-VNNI", "AVX512-BF16", "AMX"]);
    assert.equal(oneDnnByDefault(cpu), true);
    assert.equal(oneDnnEnabled(undefined, cpu), true);
    assert.equal(oneDnnEnabled("0", cpu), false);
  });

  it("names an AVX2-only EPYC, where TensorFlow leaves oneDNN off unless TF_ENABLE_ONEDNN_OPTS says on", () => {
    const cpu = parseCpuInfo(EPYC);
    assert.equal(cpu.model, "AMD EPYC 7B13");
    assert.equal(cpu.id, "AuthenticAMD family 25 model 1 stepping 0");
    assert.deepEqual(cpu.isa, ["AVX2"]);
    assert.equal(oneDnnByDefault(cpu), false);
    assert.equal(oneDnnEnabled(undefined, cpu), false);
    assert.equal(
      oneDnnEnabled("yes", cpu),
      false,
      "TensorFlow ignores values other than 0/1/true/false",
    );
    assert.equal(oneDnnEnabled("1", cpu), true);
    assert.equal(oneDnnEnabled("TRUE", cpu), true);
    const r = cpuRecord({ onednn: true, threads: 2 }, cpu);
    assert.deepEqual(r, {
      cpu_model: "AMD EPYC 7B13",
      cpu_id: "AuthenticAMD family 25 model 1 stepping 0",
      cpu_isa: "AVX2",
      onednn: true,
      threads: 2,
    });
    assert.equal(
      describeCpu(r),
      "AMD EPYC 7B13 [AuthenticAMD family 25 model 1 stepping 0] (AVX2), oneDNN on, 2 threads",
    );
  });

  it("reads an ARM cpuinfo without x86 features, and a non-native backend as oneDNN off", () => {
    const cpu = parseCpuInfo(ARM);
    assert.equal(cpu.model, "unknown");
    assert.equal(cpu.id, "0x41");
    assert.deepEqual(cpu.isa, []);
    assert.equal(cpuRecord({ threads: 1 }, cpu).cpu_isa, "none");
    assert.equal(cpuRecord({ threads: 1 }, cpu).onednn, false);
  });

  it("describes this machine's CPU with a model name", () => {
    const cpu = cpuInfo();
    assert.ok(cpu.model.length > 0 && cpu.model !== "unknown", JSON.stringify(cpu));
  });
});
