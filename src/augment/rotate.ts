/**
 * Rotation by 90, 180 or 270 degrees (one of the transformations of SimCLR Figure 4; Table 3's
 * rotation task), chosen uniformly per image, counter-clockwise, exact (a pixel permutation).
 * Quarter turns need square images (they swap height and width).
 */
import type { ImageBatch } from "../data/types";
import type { Rng } from "../util/random";
import { applyKernel, checkBatch, withDefaults, type Kernel } from "./op";

/** Rotation angles in degrees (multiples of 90). */
export type QuarterTurn = 0 | 90 | 180 | 270;

/** Options of {@link randomRotate}. */
export interface RotateOptions {
  /** Probability of rotating an image. */
  p: number;
  /** Angles drawn uniformly; SimCLR Figure 4: {90, 180, 270}. */
  angles: QuarterTurn[];
}

/** Defaults of {@link RotateOptions}, SimCLR Figure 4. */
export const ROTATE_DEFAULTS: Readonly<RotateOptions> = Object.freeze({
  p: 1,
  angles: [90, 180, 270] as QuarterTurn[],
});

/** Rotates one square NHWC image counter-clockwise by `angle` from `src` into `out` (must not alias). */
export function rotateImage(
  src: Float32Array,
  out: Float32Array,
  offset: number,
  side: number,
  angle: QuarterTurn,
): void {
  const S = side;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      // destination (y, x) takes source (sy, sx)
      let sy: number;
      let sx: number;
      if (angle === 90) {
        sy = x;
        sx = S - 1 - y;
      } else if (angle === 180) {
        sy = S - 1 - y;
        sx = S - 1 - x;
      } else if (angle === 270) {
        sy = S - 1 - x;
        sx = y;
      } else {
        sy = y;
        sx = x;
      }
      const d = offset + (y * S + x) * 3;
      const s = offset + (sy * S + sx) * 3;
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
  }
}

/** The batched rotation kernel. */
export function rotateKernel(opts?: Partial<RotateOptions>): Kernel {
  const o = withDefaults(ROTATE_DEFAULTS, opts);
  for (const a of o.angles)
    if (![0, 90, 180, 270].includes(a))
      throw new Error(`rotate: angle ${a} is not one of 0, 90, 180, 270`);
  return {
    inPlace: false,
    run(src, out, rng) {
      const size = src.height * src.width * 3;
      if (src.height !== src.width && o.angles.some((a) => a === 90 || a === 270)) {
        throw new Error(
          `rotate: quarter turns need square images, got ${src.width}x${src.height}; use angles [180]`,
        );
      }
      for (let i = 0; i < src.n; i++) {
        if (rng.next() < o.p && o.angles.length > 0) {
          const angle = o.angles[rng.int(o.angles.length)];
          if (angle === 180 && src.height !== src.width) {
            const H = src.height;
            const W = src.width;
            for (let y = 0; y < H; y++)
              for (let x = 0; x < W; x++)
                for (let c = 0; c < 3; c++)
                  out[i * size + (y * W + x) * 3 + c] =
                    src.data[i * size + ((H - 1 - y) * W + (W - 1 - x)) * 3 + c];
          } else {
            rotateImage(src.data, out, i * size, src.height, angle);
          }
        } else {
          out.set(src.data.subarray(i * size, (i + 1) * size), i * size);
        }
      }
    },
  };
}

/** Rotates each image by an angle drawn from `angles` with probability p (new batch). */
export function randomRotate(
  batch: ImageBatch,
  rng: Rng,
  opts?: Partial<RotateOptions>,
): ImageBatch {
  checkBatch(batch, "randomRotate");
  return applyKernel(rotateKernel(opts), batch, rng);
}
