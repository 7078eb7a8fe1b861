/**
 * Metric names at the MLflow boundary (issue 26 item 5). The toolkit keeps its own short metric
 * names (linear_acc, loss, eval_s, ...): results, studies, reports and the committed archives
 * (results/<preset>/runs.jsonl) use them. On the server they carry a group prefix, `train/`,
 * `eval/`, `time/` or `sweep/` (`system/` names are MLflow's own and pass through), because MLflow's
 * run page sections its model-metric charts by the part before the first '/': timings then no
 * longer sit between accuracies. The client (src/track/mlflow.ts) maps every metric it sends with
 * {@link mlflowMetricName} and every metric it reads back with {@link internalMetricName}, so
 * nothing else in the toolkit sees a prefixed name; runs logged before the prefixes (plain names
 * on the server) read back unchanged.
 *
 * Decision: map at this one boundary instead of renaming the internal keys. About twenty modules,
 * the journal of runs not yet sent and every archive read the plain names; renaming them all would
 * break the archives' reading, and a rename in one place could not miss a reader.
 */

/** The groups a toolkit metric belongs to on the server (the prefix before '/'). */
export type MetricGroup = "train" | "eval" | "time" | "sweep";

/** The group of each metric the toolkit logs by name; rules below cover families of names. */
const GROUP_OF: Readonly<Record<string, MetricGroup>> = Object.freeze({
  // per-step training (src/train/pretrain.ts) and the run's final training numbers
  loss: "train",
  contrastive_acc: "train",
  entropy: "train",
  lr: "train",
  epoch: "train",
  epoch_loss: "train",
  epoch_contrastive_acc: "train",
  final_loss: "train",
  steps: "train",
  // evaluation: kNN monitor along training and the final protocol (src/eval/evaluate.ts)
  knn_acc: "eval",
  linear_acc: "eval",
  linear_train_acc: "eval",
  linear_acc_h: "eval",
  linear_acc_gh: "eval",
  supervised_acc: "eval",
  random_init_linear_acc: "eval",
  random_init_knn_acc: "eval",
  // time and throughput
  views_per_s: "time",
  train_s: "time",
  eval_s: "time",
  linear_eval_s: "time",
  feature_s: "time",
  knn_train_s: "time",
  // a sweep's parent run (src/sweep/sweep.ts)
  cells_finished: "sweep",
  cells_skipped: "sweep",
  cells_failed: "sweep",
});

/**
 * Families of names, checked after the table: the Table 3 probes (probe_<task>_h, probe_h, ...) and
 * any other accuracy are evaluation; seconds (`*_s`) are time.
 */
const GROUP_RULES: readonly (readonly [RegExp, MetricGroup])[] = [
  [/^probe_/, "eval"],
  [/_acc(_[a-z0-9]+)*$/, "eval"],
  [/_s$/, "time"],
];

/** The group of a toolkit metric name, or undefined for a name the toolkit does not know. */
export function metricGroup(name: string): MetricGroup | undefined {
  const direct = GROUP_OF[name];
  if (direct) return direct;
  return GROUP_RULES.find(([re]) => re.test(name))?.[1];
}

/**
 * The name a metric is logged under on the server: `<group>/<name>` for a toolkit metric; a name
 * that already has a prefix (`system/...`) or that the toolkit does not know (a user's own metric)
 * is sent as it is.
 */
export function mlflowMetricName(name: string): string {
  if (name.includes("/")) return name;
  const group = metricGroup(name);
  return group ? `${group}/${name}` : name;
}

/**
 * The toolkit's name of a metric read from the server: the prefix this module adds is removed
 * (`eval/linear_acc` -> `linear_acc`); other names, including the plain names of runs logged
 * before the prefixes, are returned unchanged.
 */
export function internalMetricName(serverName: string): string {
  const slash = serverName.indexOf("/");
  if (slash < 0) return serverName;
  const plain = serverName.slice(slash + 1);
  return mlflowMetricName(plain) === serverName ? plain : serverName;
}

/**
 * A run's metrics under the toolkit's names. Where a run has both a prefixed and a plain name for
 * one metric (it cannot, unless logged by hand), the prefixed value wins.
 */
export function internalMetrics(
  list: readonly { key: string; value: number }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of list) {
    const name = internalMetricName(m.key);
    if (name !== m.key || !(name in out)) out[name] = m.value;
  }
  return out;
}
