/**
 * simclr-workbook: the public toolkit API, a flat list of re-exports (one concept per module).
 *
 * Notebooks import it as `import * as sw from "simclr-workbook"`; see environment.md, "Notebooks".
 * Keep this file compatible with tslab's bundled TypeScript 5.0 (checked by `npm run typecheck`).
 */
export { version } from "./version";
export * from "./models/encoder";
export * from "./models/head";
export { isExcludedFromDecay, countParams, type NamedVariable, type ParamRole } from "./models/params";
export { batchNorm, batchNorm2d, BATCH_NORM_DEFAULTS, type BatchNormOptions } from "./models/batchnorm";
export { CONVNET_LAYERS, type ConvNetLayer } from "./models/convnet";
export { RESNET_DEPTHS } from "./models/resnet";
export * from "./loss/contrastive";
export { contrastivePairs, semiHardNegative, l2NormalizeRows, type ContrastivePairs } from "./loss/pairs";
export * from "./optim/optimizer";
export * from "./optim/schedule";
export * from "./track/types";
export * from "./track/mlflow";
export * from "./track/logger";
export * from "./track/journal";
export * from "./track/context";
export * from "./track/hash";
export * from "./track/environment";
export { resolveTrackingUri, ensureLocalMlflow, startMlflowServer, type MlflowServer, type MlflowServerOptions } from "./track/server";
