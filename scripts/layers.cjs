/**
 * The layers of src/ (issue 23): each folder's layer, and the imports up the layers that stay.
 * Read by .dependency-cruiser.cjs (the rules `npm run lint` checks) and scripts/structure.mjs
 * (the numbers: imports up the layers, folders importing each other, circles across folders).
 */
/** Layer of each folder of src/ (src/index.ts is the top; src/version.ts a basic). */
const LAYERS = {
  util: 0,
  paper: 0,
  stats: 0,
  version: 0,
  data: 1,
  backend: 1,
  track: 1,
  augment: 2,
  loss: 2,
  models: 2,
  optim: 2,
  plugins: 3,
  parts: 4,
  config: 5,
  eval: 6,
  train: 7,
  grid: 8,
  plot: 9,
  evidence: 10,
  sweep: 11,
  report: 12,
  studies: 13,
  workbench: 14,
  cli: 14,
  index: 15,
};

/**
 * Imports up the layers that stay, each with its reason (at most 3, issue 23):
 * - data/download.ts -> train/progress.ts: the download bar reuses the notebook display of the
 *   training progress (one home for "how a bar shows in a notebook").
 * - sweep/registry.ts -> studies/index.ts: the registry of studies names the built-in ones (a
 *   static table; it was a require by computed path, which no import graph showed).
 */
const ALLOWED_UP = [
  { from: "^src/data/download\\.ts$", to: "^src/train/progress\\.ts$" },
  { from: "^src/sweep/registry\\.ts$", to: "^src/studies/index\\.ts$" },
];

module.exports = { LAYERS, ALLOWED_UP };
