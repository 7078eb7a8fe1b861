/**
 * `simclr bench`: the training-step benchmark of bench/ (same code as `npm run bench`).
 */
import type { Command } from "./main";

export const command: Command = {
  summary: "training-step throughput per backend vs PyTorch, sgemm peak (--quick, --json)",
  run: async (argv) => {
    // require, not import(): bin/simclr.cjs registers only tsx's CommonJS hook
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bench = require("../../bench/main") as typeof import("../../bench/main");
    return bench.benchMain(argv);
  },
};
