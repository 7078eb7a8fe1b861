/**
 * A run's data as an MLflow dataset input: the name, a digest of the exact images and labels used
 * (the subset and resolution the run trained or evaluated on, not just the folder), where they came
 * from, and a profile (image count, classes, resolution). Two runs on the same subset share a digest.
 */
import { createHash } from "node:crypto";
import type { Dataset, ImageSplit } from "../data/types";
import type { DatasetInput } from "./types";

/** Hex characters of the sha256 kept as the digest (MLflow allows 36). */
const DIGEST_CHARS = 16;

/** sha256 of a split's shape, pixels and labels, shortened to {@link DIGEST_CHARS}. */
export function splitDigest(split: ImageSplit): string {
  const h = createHash("sha256");
  h.update(`${split.n}x${split.height}x${split.width}x3;`);
  h.update(split.pixels);
  h.update(new Uint8Array(split.labels.buffer, split.labels.byteOffset, split.labels.byteLength));
  return h.digest("hex").slice(0, DIGEST_CHARS);
}

/** The dataset input for one split a run uses (`role`: "train" or "test" of `dataset`). */
export function datasetInput(
  dataset: Pick<Dataset, "name" | "source" | "classes">,
  split: ImageSplit,
  role: "train" | "test",
  context: DatasetInput["context"],
): DatasetInput {
  const counts = new Map<number, number>();
  for (const l of split.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const labelled = [...counts.keys()].filter((l) => l >= 0).length;
  return {
    name: `${dataset.name}/${role}`,
    digest: splitDigest(split),
    sourceType: /^https?:/.test(dataset.source) ? "http" : "local",
    source: JSON.stringify({ uri: dataset.source }),
    profile: JSON.stringify({
      num_images: split.n,
      num_classes: labelled,
      classes: dataset.classes,
      resolution: `${split.height}x${split.width}`,
    }),
    context,
  };
}
