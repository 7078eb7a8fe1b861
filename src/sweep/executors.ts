/**
 * Choosing an executor by name (`simclr sweep --executor local|slurm|ray`, `runStudy(name,
 * { executor: "slurm" })`), with its options in one place.
 */
import { createLocalExecutor, type Executor, type LocalExecutorOptions } from "./executor";
import { createRayExecutor, type RayExecutorOptions } from "./ray";
import { createSlurmExecutor, type SlurmExecutorOptions } from "./slurm";

/** The executors a sweep can run on. */
export const EXECUTOR_NAMES = Object.freeze(["local", "slurm", "ray"] as const);

/** One of {@link EXECUTOR_NAMES}. */
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

/** Options for {@link createExecutor}, per executor. */
export interface ExecutorChoice {
  local?: Partial<LocalExecutorOptions>;
  slurm?: Partial<SlurmExecutorOptions>;
  /** `address` is required for Ray (the dashboard, e.g. http://head:8265). */
  ray?: Partial<RayExecutorOptions>;
}

/** An executor by name; throws naming the expected values for an unknown name. */
export function createExecutor(name: string, options: ExecutorChoice = {}): Executor {
  switch (name) {
    case "local":
      return createLocalExecutor(options.local);
    case "slurm":
      return createSlurmExecutor(options.slurm);
    case "ray": {
      const address = options.ray?.address;
      if (!address)
        throw new Error(
          "executor 'ray' needs the dashboard address (--ray-address http://HEAD:8265, or ray.address)",
        );
      return createRayExecutor({ ...options.ray, address });
    }
    default:
      throw new Error(`executor must be one of ${EXECUTOR_NAMES.join(", ")}, got '${name}'`);
  }
}
