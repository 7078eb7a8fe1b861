/**
 * The view worker of runs with plugin augmentations: loads the spec's plugin files (the parent
 * resolved them; the same content is loaded here, sha256 checked) before any batch, then serves
 * batches through augment/viewWorker.ts's body with the plugins' augmentations.
 */
import { parentPort, workerData } from "node:worker_threads";
import { twoViewAugmenter } from "../augment/views";
import { isViewWorkerFor, serveViews, type ViewWorkerInit } from "../augment/viewWorker";
import { loadPlugins } from "../plugins/load";
import { pluginAugmentations } from "./resolve";

if (parentPort && isViewWorkerFor(__filename))
  serveViews(parentPort, workerData as ViewWorkerInit, (init) => {
    loadPlugins(init.spec.plugins ?? []);
    return twoViewAugmenter(init.spec, pluginAugmentations());
  });
