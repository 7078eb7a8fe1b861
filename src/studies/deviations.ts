/**
 * Where every study's `small` protocol departs from the paper's (Chen et al. 2020, section 2.3 and
 * appendix B), shared by all the studies of src/studies/; each study adds its own (its
 * `deviations`). The findings README and the report list them (src/evidence/protocol-text.ts).
 * `paper` (appendix B.9's CIFAR-10 setup) removes the first four; the evaluation's stays.
 */
import type { Deviation } from "../evidence/study";

const BELOW_PAPER = ["tiny", "small"];

/** The deviations of every study below the `paper` preset, and of linear evaluation at any. */
const SHARED = {
  encoder: {
    what: "CIFAR-10 at 32 x 32 with a small ConvNet encoder, where the paper's tables are ImageNet with ResNet-50",
    why: "CPU: ResNet-18 alone costs 16x the ConvNet's FLOPs and ran about 30x slower on 2 cores (results/small/pretrain.md); the claims compare cells at one budget, so they are relative",
    presets: BELOW_PAPER,
  },
  training: {
    what: "each cell pre-trains a few epochs on a stratified subset of the training split (the budget table gives epochs and images), where the paper trains 100 epochs or more on all of ImageNet",
    why: "budget: a study of dozens of runs must finish in a few hours on a 2-core CPU, not in weeks",
    presets: BELOW_PAPER,
  },
  batch: {
    what: "batch 256 with LARS and square-root learning-rate scaling, where the paper uses batch 4096 with linear scaling (0.3 x B/256)",
    why: "budget and CPU: appendix B.1 recommends square-root scaling for small batches and short training; 4096 views do not fit a 2-core CPU's step time",
    presets: BELOW_PAPER,
  },
  temperature: {
    what: "NT-Xent temperature 0.2, where the paper uses 0.1 on ImageNet and 0.5 on CIFAR-10 (appendix B.9)",
    why: "measured: 0.2 learns faster than 0.5 in runs this short (src/config/presets.ts, results/small/pretrain.md)",
    presets: BELOW_PAPER,
  },
  evaluation: {
    what: "linear evaluation is a logistic regression trained with Adam on cached, un-augmented features of h, where the paper trains with Nesterov momentum for 90 epochs on augmented images",
    why: "budget: caching the features once makes each evaluation seconds instead of a training run; the protocol is the same for every cell",
  },
} satisfies Record<string, Deviation>;

/**
 * The shared deviations, less those a study replaces with its own (the batch-size study varies
 * the batch, the loss studies the temperature).
 */
export function sharedDeviations(...except: (keyof typeof SHARED)[]): Deviation[] {
  return Object.entries(SHARED)
    .filter(([k]) => !except.includes(k as keyof typeof SHARED))
    .map(([, d]) => d);
}
