/**
 * simclr-workbook: the public toolkit API, a flat list of re-exports (one concept per module).
 *
 * Notebooks import it as `import * as sw from "simclr-workbook"`; see environment.md, "Notebooks".
 * Keep this file compatible with tslab's bundled TypeScript 5.0 (checked by `npm run typecheck`).
 */
export { version } from "./version";
export * from "./backend";
export {
  registerWasmGradients,
  conv2dFilterGradient,
  conv2dInputGradient,
} from "./backend/wasm-grads";
export {
  createEncoder,
  ENCODER_DEFAULTS,
  ENCODER_ARCHS,
  wrapModel,
  type Encoder,
  type EncoderArch,
  type EncoderOptions,
} from "./models/encoder";
export * from "./models/head";
export {
  ParamStore,
  isExcludedFromDecay,
  countParams,
  type NamedVariable,
  type ParamRole,
} from "./models/params";
export {
  batchNorm,
  batchNorm2d,
  BATCH_NORM_DEFAULTS,
  type BatchNormOptions,
} from "./models/batchnorm";
export { CONVNET_LAYERS, type ConvNetLayer } from "./models/convnet";
export { RESNET_DEPTHS } from "./models/resnet";
export * from "./loss/contrastive";
export {
  contrastivePairs,
  semiHardNegative,
  l2NormalizeRows,
  type ContrastivePairs,
} from "./loss/pairs";
export * from "./optim/optimizer";
export * from "./optim/schedule";
export * from "./track/types";
export * from "./track/mlflow";
export * from "./track/logger";
export * from "./track/journal";
export * from "./track/context";
export * from "./track/hash";
export * from "./track/environment";
export {
  resolveTrackingUri,
  ensureLocalMlflow,
  startMlflowServer,
  type MlflowServer,
  type MlflowServerOptions,
} from "./track/server";
export * from "./grid/study-grid";
export * from "./evidence/study";
export { registerStudy, getStudy, listStudies } from "./sweep/registry";
export * from "./sweep/executor";
export {
  createExecutor,
  EXECUTOR_NAMES,
  type ExecutorName,
  type ExecutorChoice,
} from "./sweep/executors";
export {
  createSlurmExecutor,
  SLURM_EXECUTOR_DEFAULTS,
  type SlurmExecutorOptions,
} from "./sweep/slurm";
export { createRayExecutor, RAY_EXECUTOR_DEFAULTS, type RayExecutorOptions } from "./sweep/ray";
export {
  runSweep,
  SWEEP_DEFAULTS,
  SWEEP_TAGS,
  type SweepOptions,
  type SweepResult,
  type CellResult,
} from "./sweep/sweep";
export {
  formatProgress,
  terminalProgress,
  notebookProgress,
  type SweepProgress,
} from "./sweep/progress";
export {
  runStudy,
  cellsToTable,
  projectConfigResolver,
  type StudyResults,
} from "./sweep/run-study";
export * from "./plot/figures";
export { studyFigure, overrideValue, type StudyResultRow } from "./plot/study";
export { figurePage, logFigure } from "./plot/artifacts";
export {
  escapeHtml,
  jsonForScript,
  figureHtml,
  plotlyScriptTag,
  plotlySource,
  plotlyVersion,
  PLOTLY_CONFIG,
} from "./plot/html";
export {
  display,
  displayBundle,
  embedPlotly,
  mimeBundle,
  PLOTLY_MIME,
  DISPLAY_DEFAULTS,
  type DisplayOptions,
  type MimeBundle,
} from "./plot/display";
export {
  evaluateClaim,
  evaluateClaims,
  type ClaimVerdict,
  type ClaimOptions,
  type SeedResult,
} from "./evidence/claims";
export { collectReport, COLLECT_DEFAULTS, type CollectOptions } from "./report/collect";
export type { ReportData, ReportSection, ReportRun } from "./evidence/runs";
export { renderReport, type RenderOptions } from "./report/render";
export { buildReport, writeReport, type ReportOptions } from "./report/report";
export {
  configureFromEnv,
  presetFromEnv,
  resultsDir,
  type NotebookPreset,
} from "./workbench/params";
export { studyPresets } from "./evidence/budget";
export { dataFromEnv, type NotebookData } from "./workbench/params";
export type { ImageBatch, ImageSplit, Dataset } from "./data/types";
export {
  loadDataset,
  detectFormat,
  candidateDirs,
  locateDataset,
  LOAD_DEFAULTS,
  type LoadOptions,
} from "./data/load";
export { subset, shuffleSplit, takeSplit } from "./data/subset";
export { toImageBatch, batchToBytes, createImageBatch } from "./data/batch";
export { channelStats } from "./data/stats";
export { dataRoot, cacheDir } from "./data/paths";
export { downloadAllowed, NO_DOWNLOAD_VARIABLE } from "./data/paths";
export { decodeImage, encodePng, sniffFormat, type DecodedImage } from "./data/decode";
export {
  listImageFolder,
  decodeFolder,
  type FolderListing,
  type FolderDecodeOptions,
} from "./data/imagefolder";
export {
  parseCifar10Files,
  encodeCifar10Records,
  CIFAR10_URL,
  CIFAR10_MD5,
  CIFAR10_CLASSES,
} from "./data/cifar10";
export {
  parseStl10Files,
  encodeStl10Images,
  STL10_URL,
  STL10_MD5,
  STL10_CLASSES,
} from "./data/stl10";
export { downloadFile, extractTarGz, md5File, verifyMd5 } from "./data/download";
export { readSplitCache, writeSplitCache, readCacheHeader, type CacheHeader } from "./data/cache";
export * from "./augment/compose";
export * from "./augment/views";
export {
  randomResizedCrop,
  sampleCropBox,
  CROP_DEFAULTS,
  type CropOptions,
  type CropBox,
} from "./augment/crop";
export { randomFlip, FLIP_DEFAULTS, type FlipOptions } from "./augment/flip";
export * from "./augment/color";
export {
  randomGrayscale,
  toGrayscale,
  GRAY_WEIGHTS,
  GRAYSCALE_DEFAULTS,
  type GrayscaleOptions,
} from "./augment/grayscale";
export {
  randomBlur,
  gaussianKernel1d,
  blurRadius,
  BLUR_DEFAULTS,
  type BlurOptions,
} from "./augment/blur";
export { cutout, CUTOUT_DEFAULTS, type CutoutOptions } from "./augment/cutout";
export { sobel, SOBEL_DEFAULTS, type SobelOptions } from "./augment/sobel";
export { gaussianNoise, NOISE_DEFAULTS, type NoiseOptions } from "./augment/noise";
export {
  randomRotate,
  ROTATE_DEFAULTS,
  type RotateOptions,
  type QuarterTurn,
} from "./augment/rotate";
export {
  galleryPng,
  galleryFigure,
  galleryImage,
  GALLERY_DEFAULTS,
  type GalleryOptions,
} from "./augment/gallery";
export { showGallery } from "./workbench/gallery";
export * from "./config/pretrain-config";
export * from "./config/presets";
export {
  ConfigError,
  validateOverrides,
  resolveConfig,
  readConfigFile,
  loadConfigFile,
  flattenConfig,
  type ConfigFile,
} from "./config/resolve";
export { deriveSeed, SEED_STREAMS } from "./config/seeds";
export * from "./train/pretrain";
export * from "./train/metrics";
export { DivergenceError } from "./train/divergence";
export {
  createProgress,
  formatProgressLine,
  formatDuration,
  PROGRESS_DEFAULTS,
  type Progress,
  type ProgressOptions,
} from "./train/progress";
export {
  saveCheckpoint,
  loadCheckpoint,
  hasCheckpoint,
  restoreVariables,
  CHECKPOINT_FILES,
  encodeCheckpoint,
  decodeCheckpoint,
  type EncodedCheckpoint,
  type LoadedCheckpoint,
} from "./train/checkpoint";
export {
  loadEncoder,
  encoderModelFiles,
  rebuildEncoder,
  ENCODER_MODEL_FILES,
  ENCODER_MODEL_TYPE,
  type EncoderParts,
  type LoadedEncoder,
  type LoadEncoderOptions,
} from "./train/logged-model";
export { modelIdOfUri } from "./track/model-uri";
export { createTrainingState, type TrainingState, type Classifier } from "./train/state";
export { contrastiveStep, supervisedStep, type StepResult } from "./train/step";
export { prepareSplits, resizeSplit, type PreparedSplits } from "./train/splits";
export { createViewSource, viewSpec, stepsPerEpoch, type ViewSource } from "./train/views";
export {
  extractFeatures,
  splitToTensor,
  FEATURE_DEFAULTS,
  type FeatureFn,
  type FeatureSet,
  type FeatureOptions,
} from "./eval/features";
export {
  linearEval,
  LINEAR_EVAL_DEFAULTS,
  type LinearEvalOptions,
  type LinearEvalResult,
} from "./eval/linear";
export { knnEval, KNN_DEFAULTS, type KnnOptions } from "./eval/knn";
export {
  evaluateRepresentations,
  type EvaluationResult,
  type EvaluatedModel,
  type EvaluationSplits,
} from "./eval/evaluate";
export * from "./paper/reference";
export { studies, ladderStudies } from "./studies";
// Budget ladders (issue 24): a claim's cells at several budgets, their trend and its figure.
export {
  ladderStudyOf,
  ladderName,
  rungCell,
  multipliersAt,
  type ClaimLadder,
  type LadderPlan,
  type LadderClaimPlan,
  type LadderRung,
} from "./evidence/ladder";
export { ladderTrends, slopeSentence, type LadderTrend } from "./evidence/ladder-trend";
export { trendFigure, rungLines, ladderSentence } from "./evidence/ladder-report";
export { ladderFigure, type LadderFigureOptions } from "./plot/ladder";
export { budgetTrend, type BudgetTrend, type RungDifferences } from "./stats/trend";
export { figure5Cells, FIGURE5_OPS, FIGURE5_TINY_OPS } from "./studies/augmentations";
export {
  transformProbe,
  transformedSplit,
  PROBE_TASKS,
  PROBE_DEFAULTS,
  type ProbeTask,
  type ProbeOptions,
  type ProbeResult,
} from "./eval/probe";
export { runPretrain, RUN_PRETRAIN_DEFAULTS, type RunPretrainOptions } from "./workbench/run";
export { trainingCurveFigure, accuracyFigure, runConclusion } from "./workbench/run-figures";
export { formatFindings, type Finding } from "./evidence/conclusions";
export { studyFindings, studyConclusion } from "./workbench/conclusions";
export { resultsTable, reportFindings, findingsFigure, reportConclusion } from "./evidence/summary";
export {
  applyChoices,
  chooseSettings,
  searchLines,
  searchStatus,
  searchStudyOf,
  SearchNotFinished,
  type SearchAxis,
  type SearchChoice,
  type SearchPreset,
  type SearchRun,
  type SearchStage,
} from "./evidence/search";
export {
  findingsMarkdown,
  studyCompute,
  type FindingsMarkdownOptions,
} from "./evidence/findings-markdown";
export { displayTable, DISPLAY_TABLE_DEFAULTS, type DisplayTableOptions } from "./workbench/table";
export { pretrainRunIdentity, type PretrainRunIdentity } from "./train/run-identity";
// Plugins: your own augmentations, losses, heads and encoders (src/plugins).
export * from "./plugins/types";
export {
  loadPlugin,
  loadPlugins,
  pluginFile,
  pluginDisplayPath,
  builtinNames,
  PluginError,
} from "./plugins/load";
export { loadedPlugins, pluginNames, type LoadedPlugin } from "./plugins/registry";
export { dryRunPlugins } from "./train/dry-run";
export {
  createEncoderPart,
  createHeadPart,
  pluginAugmentations,
  resolveLoss,
  type LossFn,
  type LossSection,
} from "./parts/resolve";
export { createRng, type Rng } from "./util/random";
export { shownPath } from "./util/shown-path";
// Statistics of the findings (issue 12): t tests, Holm, the verdict rule.
export { welchTest, welchContrast, type ContrastPart } from "./stats/welch";
export { pairedTest, pairDifferences } from "./stats/paired";
export { holmAdjust } from "./stats/holm";
export { tCdf, tQuantile } from "./stats/t-distribution";
export { CONFIDENCE, type TTest } from "./stats/t-test";
export { ALPHA, VERDICTS, decideFamily, type Verdict } from "./stats/verdict";
export { decideFindings, formatEvidence } from "./evidence/finding";
