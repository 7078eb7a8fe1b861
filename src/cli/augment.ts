/**
 * `simclr augment --ops crop,color --n 16 --seed 0 --out FILE.png`: writes a gallery grid of
 * original images and two augmented views each (nearest-neighbour upscaled), from a data set's
 * test split (default CIFAR-10, found as `simclr data` finds it).
 */
import fs from "node:fs";
import path from "node:path";
import type { Command } from "./main";
import { UsageError, firstLine, isUsageError, parseCommandLine } from "./usage";
import { loadDataset } from "../data/load";
import { toImageBatch } from "../data/batch";
import { permutation, createRng } from "../util/random";
import { isAugmentName, type AugmentName, type ComposeOptions } from "../augment/compose";
import { asymmetric } from "../augment/views";
import { galleryPng } from "../augment/gallery";

const USAGE = `usage: simclr augment --ops crop,color [--n 16] [--seed 0] --out FILE.png [options]
  --ops LIST       augmentations applied to each view, in order (crop, flip, color, jitter,
                   grayscale, blur, cutout, sobel, noise, rotate)
  --asymmetric     Figure 5 setup: one crop shared by both views, the --ops only on view 2
  --strength S     colour strength (default 1.0; appendix B.9 uses 0.5 on CIFAR-10)
  --n N            number of images (default 16)
  --seed S         seed of the image choice and the augmentations (default 0)
  --scale K        nearest-neighbour upscaling (default 4)
  --data NAME      data set (default cifar10); --root DIR its folder
  --out FILE.png   output file`;

/** The `simclr augment` command. */
export const command: Command = {
  summary: "write a gallery PNG of original images and two augmented views each",
  async run(argv: string[]): Promise<number> {
    let values;
    try {
      values = parseCommandLine({
        args: argv,
        options: {
          ops: { type: "string", default: "crop,flip,color" },
          asymmetric: { type: "boolean", default: false },
          strength: { type: "string" },
          n: { type: "string", default: "16" },
          seed: { type: "string", default: "0" },
          scale: { type: "string", default: "4" },
          data: { type: "string", default: "cifar10" },
          root: { type: "string" },
          out: { type: "string" },
          help: { type: "boolean", short: "h", default: false },
        },
      }).values;
    } catch (e) {
      console.error(`simclr augment: ${firstLine(e)} (simclr augment --help)`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const num = (name: string, v: string | undefined, min: number): number => {
      const x = Number(v);
      if (!Number.isFinite(x) || x < min)
        throw new UsageError(`--${name} ${v}: expected a number >= ${min}`);
      return x;
    };
    try {
      if (!values.out) throw new UsageError("--out FILE.png is required");
      const ops = values.ops
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      for (const op of ops)
        if (!isAugmentName(op))
          throw new UsageError(
            `--ops: unknown augmentation '${op}'; expected some of crop, flip, color, jitter, grayscale, blur, cutout, sobel, noise, rotate`,
          );
      const n = Math.floor(num("n", values.n, 1));
      const seed = Math.floor(num("seed", values.seed, 0));
      const scale = Math.floor(num("scale", values.scale, 1));
      const options: ComposeOptions = {};
      if (values.strength !== undefined) {
        const s = num("strength", values.strength, 0);
        options.color = { strength: s };
        options.jitter = { strength: s };
      }
      const ds = await loadDataset(values.data, { path: values.root });
      const split = ds.test.n > 0 ? ds.test : ds.train;
      const idx = permutation(split.n, createRng(seed)).subarray(0, Math.min(n, split.n));
      const batch = toImageBatch(split, idx);
      const names = ops as AugmentName[];
      const png = galleryPng(batch, {
        ops: values.asymmetric ? asymmetric({ studied: names, options }) : names,
        options,
        seed,
        scale,
      });
      fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
      fs.writeFileSync(values.out, png);
      console.log(
        `wrote ${values.out}: ${batch.n} images from ${ds.name} ${split === ds.test ? "test" : "train"} split, original | view 1 | view 2, ops ${values.asymmetric ? `shared crop, then none | ${ops.join(",")}` : ops.join(",")}`,
      );
      return 0;
    } catch (e) {
      if (isUsageError(e)) throw e; // exit 2 (src/cli/main.ts)
      console.error(`simclr augment: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  },
};
