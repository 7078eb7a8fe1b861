/**
 * A plugin augmentation as the toolkit's batched {@link Kernel}, checking on every batch that it
 * returned a finite batch of its input's shape (errors name the plugin file). No TensorFlow here:
 * this runs on the view worker thread.
 */
import type { ImageBatch } from "../data/types";
import type { Kernel } from "../augment/op";
import type { Registered } from "./registry";
import { PluginError, type AugmentationPlugin, type PluginOptions } from "./types";

function fail(name: string, file: string, message: string): never {
  throw new PluginError(`plugin ${file}: augmentation '${name}' ${message}`, file);
}

/** The first index of a non-finite value, or -1. */
function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** A plugin augmentation as a {@link Kernel}, checking shape and finiteness of every result. */
export function pluginKernel(r: Registered<AugmentationPlugin>, options: PluginOptions): Kernel {
  const { part, from } = r;
  const o = { ...(part.defaults ?? {}), ...options };
  return {
    inPlace: false,
    run(src: ImageBatch, out: Float32Array, rng) {
      const copy: ImageBatch = { ...src, data: Float32Array.from(src.data) };
      const res = part.apply(copy, rng, o) as ImageBatch | undefined;
      const want = `[${src.n}, ${src.height}, ${src.width}, 3]`;
      if (!res || !(res.data instanceof Float32Array))
        fail(
          part.name,
          from.path,
          `returned ${res === undefined ? "nothing" : typeof res}; expected an ImageBatch {n, height, width, channels, data: Float32Array} of shape ${want}`,
        );
      if (
        res.n !== src.n ||
        res.height !== src.height ||
        res.width !== src.width ||
        res.data.length !== out.length
      )
        fail(
          part.name,
          from.path,
          `returned shape [${res.n}, ${res.height}, ${res.width}, 3] with ${res.data.length} values; expected ${want} (${out.length} values)`,
        );
      const bad = firstNonFinite(res.data);
      if (bad >= 0)
        fail(
          part.name,
          from.path,
          `returned ${res.data[bad]} at value ${bad} (image ${Math.floor(bad / (out.length / src.n))}); expected finite pixels`,
        );
      out.set(res.data);
    },
  };
}
