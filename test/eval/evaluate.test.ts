import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import "@tensorflow/tfjs-node";
import { ConfigError, resolveConfig } from "../../src/config/resolve";
import type { PretrainConfigOverrides } from "../../src/config/pretrain-config";
import { deriveSeed, SEED_STREAMS } from "../../src/config/seeds";
import { baselineInputs, randomInitBaseline } from "../../src/eval/baseline-cache";
import { configHash } from "../../src/track/hash";
import { evaluateRepresentations } from "../../src/eval/evaluate";
import { extractFeatures } from "../../src/eval/features";
import { knnEval } from "../../src/eval/knn";
import { linearEval } from "../../src/eval/linear";
import { budgetFacts, evaluationAsRun, SMALL_PROBE_DATA } from "../../src/evidence/budget";
import { planStudy } from "../../src/grid/study-grid";
import { createHead } from "../../src/models/head";
import { createEncoderPart } from "../../src/parts/resolve";
import { studies } from "../../src/studies";
import { lossStudy } from "../../src/studies/loss-temperature";
import { pretrain } from "../../src/train/pretrain";
import { prepareSplits } from "../../src/train/splits";
import { recordingLogger, small, syntheticDataset } from "../train/support";
import { tempDir } from "../support/tmp";

const dataset = syntheticDataset(240, 90);

/** The training tests' 6-step run with a subset to pre-train on and a short linear probe. */
const evaluated: PretrainConfigOverrides = {
  data: { trainLimit: 80 },
  eval: { linear: true, linearEpochs: 5, randomInit: true },
};

test("every `small` study cell scores the whole test split with the decided probe data", () => {
  for (const study of studies) {
    for (const plan of planStudy(study, { preset: "small", resolveConfig, seeds: 1 })) {
      const where = `${study.name} / ${plan.label}`;
      assert.equal(plan.config.data.testLimit, 0, `${where}: data.testLimit`);
      assert.equal(plan.config.eval.probeData, SMALL_PROBE_DATA, `${where}: eval.probeData`);
    }
  }
});

test("the budget prose says what the probe fits and what is scored", () => {
  const fitted = SMALL_PROBE_DATA === "full-train" ? "the whole training split" : "that subset";
  assert.equal(
    budgetFacts(lossStudy, "small").text,
    `6 epochs on a 5000-image training subset (probe and kNN fitted on ${fitted}, scored on the whole test split)`,
  );
  const other = {
    ...lossStudy,
    presets: {
      small: {
        overrides: {
          train: { epochs: 4 },
          data: { trainLimit: 8000, testLimit: 2000 },
          eval: { probeData: "full-train" as const },
        },
      },
    },
  };
  assert.equal(
    budgetFacts(other, "small").text,
    "4 epochs on an 8000-image training subset (probe and kNN fitted on the whole training split, scored on 2000 test images)",
  );
});

test("prose built from archived runs says what those runs scored, not what the study declares now", () => {
  const old = [{ params: { "data.testLimit": "2000" } }, { params: { "data.testLimit": "2000" } }];
  assert.equal(
    budgetFacts(evaluationAsRun(lossStudy, "small", old), "small").text,
    "6 epochs on a 5000-image training subset (probe and kNN fitted on that subset, scored on 2000 test images)",
  );
  const now = [{ params: { "data.testLimit": "0", "eval.probeData": "full-train" } }];
  const subsetStudy = {
    ...lossStudy,
    presets: { small: { overrides: { data: { trainLimit: 5000 }, train: { epochs: 6 } } } },
  };
  assert.match(budgetFacts(subsetStudy, "small").text, /fitted on that subset/);
  assert.equal(
    budgetFacts(evaluationAsRun(subsetStudy, "small", now), "small").text,
    "6 epochs on a 5000-image training subset (probe and kNN fitted on the whole training split, scored on the whole test split)",
  );
  const mixed = [...old, ...now];
  assert.equal(
    budgetFacts(evaluationAsRun(lossStudy, "small", mixed), "small").text,
    budgetFacts(lossStudy, "small").text,
    "runs that disagree leave the declared budget",
  );
});

test("eval.probeData accepts its two values and names the field and the value otherwise", () => {
  assert.equal(resolveConfig("tiny").eval.probeData, "pretrain-subset");
  assert.equal(
    resolveConfig("tiny", { eval: { probeData: "full-train" } }).eval.probeData,
    "full-train",
  );
  for (const bad of ["all", 5, true]) {
    assert.throws(
      () => resolveConfig("tiny", { eval: { probeData: bad as never } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /eval\.probeData/.test(e.message) &&
        e.message.includes(String(bad)) &&
        // a string out of the set is told the set
        (typeof bad !== "string" ||
          (/"pretrain-subset"/.test(e.message) && /"full-train"/.test(e.message))),
    );
  }
});

test("the probe's training images are set apart from the pre-training subset; the test split is whole", () => {
  const sub = prepareSplits(dataset, resolveConfig("tiny", small, evaluated));
  const full = prepareSplits(
    dataset,
    resolveConfig("tiny", small, evaluated, { eval: { probeData: "full-train" } }),
  );
  assert.equal(sub.train.n, 80);
  assert.equal(sub.probeTrain, sub.train, "pretrain-subset: the probe fits the subset itself");
  assert.equal(full.probeTrain.n, dataset.train.n, "full-train: every training image");
  // the choice leaves pre-training's images as they were
  assert.deepEqual(full.train.pixels, sub.train.pixels);
  assert.deepEqual(full.train.labels, sub.train.labels);
  for (const s of [sub, full]) assert.equal(s.test.n, dataset.test.n, "data.testLimit 0: all");
  const limited = prepareSplits(
    dataset,
    resolveConfig("tiny", small, evaluated, { data: { testLimit: 30 } }),
  );
  assert.equal(limited.test.n, 30);
});

test("the kNN and the linear probe fit the same training images and score the same test images", () => {
  const config = resolveConfig("tiny", small, evaluated, {
    eval: { probeData: "full-train", randomInit: false },
  });
  const splits = prepareSplits(dataset, config);
  const encoder = createEncoderPart(config.encoder, 7);
  const head = createHead(encoder.featureDim, config.head, 8);
  try {
    const r = evaluateRepresentations(
      { encoder, head, classifier: null },
      { train: splits.probeTrain, test: splits.test, classes: splits.classes },
      config,
    );
    const fn = (x: Parameters<typeof encoder.apply>[0]) => encoder.apply(x, false);
    const tr = extractFeatures(fn, splits.probeTrain);
    const te = extractFeatures(fn, splits.test);
    const e = config.eval;
    const knn = knnEval(tr, te, { k: e.knnK, temperature: e.knnTemperature, classes: 4 });
    const lin = linearEval(tr, te, {
      epochs: e.linearEpochs,
      batchSize: e.linearBatchSize,
      learningRate: e.linearLearningRate,
      weightDecay: e.linearWeightDecay,
      classes: 4,
      seed: config.seed,
    });
    assert.equal(r.knn_acc, knn, "kNN on (whole training split, whole test split)");
    assert.equal(r.linear_acc, lin.testAccuracy);
    assert.equal(r.linear_train_acc, lin.trainAccuracy);
    // the pre-training subset as memory bank is another classifier
    const knnSub = knnEval(extractFeatures(fn, splits.train), te, {
      k: e.knnK,
      temperature: e.knnTemperature,
      classes: 4,
    });
    assert.notEqual(knnSub, knn, "the bank differs, so does the kNN's score");
  } finally {
    encoder.dispose();
    head.dispose();
  }
});

test("a run logs its probe's training images as an evaluation input when they are not the subset", async () => {
  const logger = recordingLogger();
  await pretrain(resolveConfig("tiny", small, evaluated, { eval: { probeData: "full-train" } }), {
    dataset,
    logger,
    progress: false,
    logModel: false,
  });
  assert.equal(logger.params["eval.probeData"], "full-train");
  const evalTrain = logger.inputs.filter((i) => i.context === "evaluation");
  assert.equal(evalTrain.length, 2, "the probe's training images and the test images");
});

test("two cells of one seed share the random-init baseline: the second reuses the first's", async () => {
  const cache = tempDir("baselines");
  const cell = (loss: "ntxent" | "ntlogistic", seed: number) => {
    const logger = recordingLogger();
    const config = resolveConfig("tiny", small, evaluated, { seed, loss: { kind: loss } });
    return pretrain(config, {
      dataset,
      logger,
      progress: false,
      logModel: false,
      baselineCache: cache,
    }).then((r) => ({ r, logger }));
  };
  const a = await cell("ntxent", 3);
  const b = await cell("ntlogistic", 3);
  assert.equal(a.r.random_init_source, "computed");
  assert.equal(b.r.random_init_source, "reused");
  assert.equal(a.logger.tags["simclr.random_init_source"], "computed");
  assert.equal(b.logger.tags["simclr.random_init_source"], "reused");
  assert.equal(a.r.random_init_key, b.r.random_init_key);
  assert.equal(b.logger.tags["simclr.random_init_key"], a.r.random_init_key);
  assert.ok(Number.isFinite(a.r.random_init_linear_acc));
  assert.equal(b.r.random_init_linear_acc, a.r.random_init_linear_acc);
  assert.equal(b.r.random_init_knn_acc, a.r.random_init_knn_acc);
  // each cell logs the values itself, so its archive is self-contained
  const logged = (l: typeof a.logger, k: string) => l.metrics.find((m) => m.key === k)?.value;
  assert.equal(logged(b.logger, "random_init_linear_acc"), a.r.random_init_linear_acc);
  assert.equal(logged(b.logger, "random_init_knn_acc"), a.r.random_init_knn_acc);
  assert.deepEqual(fs.readdirSync(cache), [`${a.r.random_init_key}.json`]);
  // the cached value is the one a cell measures without a cache
  const alone = await pretrain(
    resolveConfig("tiny", small, evaluated, { seed: 3, loss: { kind: "ntlogistic" } }),
    { dataset, progress: false, logModel: false },
  );
  assert.equal(alone.random_init_source, "computed");
  assert.equal(alone.random_init_linear_acc, a.r.random_init_linear_acc);
  assert.equal(alone.random_init_knn_acc, a.r.random_init_knn_acc);
  // another seed is another encoder initialisation (and another subset): another key
  const c = await cell("ntxent", 4);
  assert.equal(c.r.random_init_source, "computed");
  assert.notEqual(c.r.random_init_key, a.r.random_init_key);
});

test("the baseline key covers the encoder, its seed, the evaluation data and the protocol only", () => {
  const cache = tempDir("baselines");
  const base = resolveConfig("tiny", small, evaluated, { seed: 2 });
  const splits = prepareSplits(dataset, base);
  const ev = { train: splits.probeTrain, test: splits.test, classes: splits.classes };
  let computed = 0;
  const compute = () => {
    computed++;
    return { linear: 0.25, knn: NaN };
  };
  const key = (overrides: PretrainConfigOverrides, s = ev) =>
    randomInitBaseline(
      resolveConfig("tiny", small, evaluated, { seed: 2 }, overrides),
      s,
      compute,
      cache,
    );
  const first = key({});
  assert.equal(first.source, "computed");
  // the studied choices (loss, augmentation, head, training) do not name another baseline
  for (const o of [
    { loss: { kind: "margin" } },
    { augment: { colorStrength: 1 } },
    { head: { kind: "linear" } },
    { train: { epochs: 3 } },
  ] as PretrainConfigOverrides[]) {
    const r = key(o);
    assert.equal(r.key, first.key, JSON.stringify(o));
    assert.equal(r.source, "reused");
    assert.equal(r.linear, 0.25);
    assert.ok(Number.isNaN(r.knn), "a NaN score survives the cache");
  }
  assert.equal(computed, 1);
  // the encoder, the probe and kNN settings and the images do
  for (const o of [
    { encoder: { widthMultiplier: 0.5 } },
    { eval: { linearEpochs: 6 } },
    { eval: { knnK: 11 } },
  ] as PretrainConfigOverrides[])
    assert.notEqual(key(o).key, first.key, JSON.stringify(o));
  const fullTrain = { ...ev, train: dataset.train };
  assert.notEqual(key({}, fullTrain).key, first.key, "other probe images");
  assert.equal(deriveSeed(2, SEED_STREAMS.encoder) !== deriveSeed(5, SEED_STREAMS.encoder), true);
  assert.notEqual(
    randomInitBaseline(resolveConfig("tiny", small, evaluated, { seed: 5 }), ev, compute, cache)
      .key,
    first.key,
    "another initialisation seed",
  );
  // and the CPU model: pairs are formed within one model, so its baseline is never another's
  const cfg = resolveConfig("tiny", small, evaluated, { seed: 2 });
  const here = baselineInputs(cfg, ev);
  assert.equal(configHash(here), first.key);
  const elsewhere = baselineInputs(cfg, ev, { model: "AMD EPYC 7B13", id: "AuthenticAMD 25 1 1" });
  assert.notEqual(configHash(elsewhere), first.key, "another CPU model");
});

test("a torn cache entry is measured again and replaced atomically", () => {
  const cache = tempDir("baselines");
  const config = resolveConfig("tiny", small, evaluated);
  const splits = prepareSplits(dataset, config);
  const ev = { train: splits.probeTrain, test: splits.test, classes: splits.classes };
  const first = randomInitBaseline(config, ev, () => ({ linear: 0.5, knn: 0.4 }), cache);
  const file = path.join(cache, `${first.key}.json`);
  fs.writeFileSync(file, '{"key": "');
  const again = randomInitBaseline(config, ev, () => ({ linear: 0.5, knn: 0.4 }), cache);
  assert.equal(again.source, "computed");
  assert.deepEqual(fs.readdirSync(cache), [`${first.key}.json`], "no temp file left");
  assert.equal(
    randomInitBaseline(config, ev, () => assert.fail("recomputed"), cache).source,
    "reused",
  );
});
