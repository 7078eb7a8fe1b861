import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuBlock, oneCpuModel, withCpu } from "../../src/evidence/blocks";
import { parseCpuInfo } from "../../src/track/cpu";

const params = (model: string, id?: string): Record<string, string> => ({
  "env.cpu_model": model,
  ...(id !== undefined ? { "env.cpu_id": id } : {}),
});

test("a CPU block is the model's name and its generation: one name on two generations is two blocks, two steppings one", () => {
  const name = "Intel(R) Xeon(R) Processor";
  const spr = withCpu(params(name, "GenuineIntel family 6 model 207 stepping 2"));
  const icx = withCpu(params(name, "GenuineIntel family 6 model 106 stepping 6"));
  assert.equal(spr.cpu, "Intel(R) Xeon(R) Processor [GenuineIntel family 6 model 207]");
  assert.notEqual(spr.cpu, icx.cpu);
  assert.equal(withCpu(params(name, "GenuineIntel family 6 model 207 stepping 8")).cpu, spr.cpu);
  assert.equal(withCpu(params(name)).cpu, name, "runs from before the id was recorded");
  assert.equal(cpuBlock(name, "unknown"), name);
  assert.deepEqual(withCpu({}), {});
  // this machine's record reads as the same block as the params its runs log
  const here = parseCpuInfo(
    "vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\nmodel name\t: Intel(R) Xeon(R) Processor\nstepping\t: 6\n",
  );
  assert.equal(cpuBlock(here.model, here.id), icx.cpu);
  // and the runs of one name on two generations are not paired across them
  const rows = (cpu: string | undefined, seeds: number[]) =>
    seeds.map((seed) => ({ label: "a", seed, metrics: {}, ...(cpu ? { cpu } : {}) }));
  const one = oneCpuModel([[...rows(spr.cpu, [0, 1, 2]), ...rows(icx.cpu, [3])]]);
  assert.deepEqual([one.cpu, one.left], [spr.cpu, 1]);
});
