/**
 * A plugin augmentation the SimCLR paper did not test: solarisation as BYOL uses it (Grill et al.
 * 2020, appendix B: with probability p, every channel value above the threshold is inverted,
 * x -> 1 - x). Used by notebooks/06-your-idea.ipynb, named in a config as `plugins:
 * ["notebooks/solarize.ts"]` and `augment.ops: [..., "solarize"]`.
 */
import type { AugmentationPlugin, ImageBatch, Plugin, Rng } from "simclr-workbook";

type SolarizeOptions = {
  /** Probability per image (BYOL: 0.2 on its second view). */
  p: number;
  /** Values above it are inverted (BYOL: 128/255 on 8-bit images, 0.5 here). */
  threshold: number;
};

const solarize: AugmentationPlugin<SolarizeOptions> = {
  name: "solarize",
  description: "BYOL solarisation: invert the values above a threshold, per image with probability p",
  defaults: { p: 0.2, threshold: 0.5 },
  // The whole batch at once; one draw per image, in image order, from the Rng passed in.
  apply(batch: ImageBatch, rng: Rng, o: SolarizeOptions): ImageBatch {
    const size = batch.height * batch.width * 3;
    const d = batch.data; // the caller hands us a copy: changing it in place is allowed
    for (let i = 0; i < batch.n; i++) {
      if (rng.next() >= o.p) continue;
      for (let k = i * size; k < (i + 1) * size; k++) if (d[k] > o.threshold) d[k] = 1 - d[k];
    }
    return batch;
  },
};

const plugin: Plugin = { augmentations: [solarize] };
export default plugin;
