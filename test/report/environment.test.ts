import { test } from "node:test";
import assert from "node:assert/strict";
import { distinctEnvironments, runEnvironment } from "../../src/report/environment";

test("a run's environment is its environment tags and its env.* params, named in words", () => {
  const env = runEnvironment({
    tags: { "simclr.code_version": "0123456789ab", "simclr.backend": "tensorflow", other: "x" },
    params: { "env.cpu_model": "AMD EPYC", "env.threads": "2", "env.cpu_isa": "", seed: "0" },
  });
  assert.deepEqual(env, {
    backend: "tensorflow",
    "code version": "0123456789ab",
    "CPU model": "AMD EPYC",
    threads: "2",
  });
});

test("distinct environments keep one record per environment, none for runs that recorded nothing", () => {
  const amd = { tags: {}, params: { "env.cpu_model": "AMD EPYC" } };
  const intel = { tags: {}, params: { "env.cpu_model": "Intel Xeon" } };
  const none = { tags: {}, params: { seed: "1" } };
  assert.deepEqual(distinctEnvironments([amd, none, intel, amd]), [
    { "CPU model": "AMD EPYC" },
    { "CPU model": "Intel Xeon" },
  ]);
  assert.deepEqual(distinctEnvironments([none]), []);
});
