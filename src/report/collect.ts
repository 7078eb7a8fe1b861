/**
 * Gathers what a report shows from MLflow: per study and preset in an experiment, the finished
 * cell runs (metrics per seed, params, notes), the study definition (from the registry, else the
 * `study.json` artifact the sweep stored on its parent run), training curves, and the environment
 * the runs recorded.
 */
import { evaluationAsRun } from "../evidence/budget";
import { MlflowClient, type Run } from "../track/mlflow";
import { getStudy } from "../sweep/registry";
import type { SeedResult, Study } from "../evidence/study";
import { withCpu } from "../evidence/blocks";
import { evaluateClaims } from "../evidence/claims";
import {
  codeVersionsOf,
  latestFinished,
  type ReportCurve,
  type ReportData,
  type ReportRun,
  type ReportSection,
} from "../evidence/runs";
import { pluginProvenance, provenanceNotes } from "../plugins/provenance";
import { distinctEnvironments } from "./environment";

/** Options for {@link collectReport}. */
export interface CollectOptions {
  /** Experiments to include. */
  experiments: string[];
  title?: string;
  /** Tracking URI (default $MLFLOW_TRACKING_URI, else the local server). */
  trackingUri?: string;
  /** Metrics tried, in order, for training curves (plotted against steps). */
  curveMetrics: string[];
  /** Accuracy-like metrics plotted against wall-clock time when the runs logged them per step. */
  timeMetrics: string[];
  /** At most this many curves per section (first seed of each cell first). */
  maxCurves: number;
  /** Studies to use instead of the registry / stored study.json. */
  studies?: Study[];
  /** Only sections of this preset (the `small` report lists only `small` studies). */
  preset?: string;
}

/** Defaults for {@link CollectOptions}. */
export const COLLECT_DEFAULTS: Readonly<Omit<CollectOptions, "experiments">> = Object.freeze({
  curveMetrics: ["loss", "train_loss", "train/loss"],
  timeMetrics: ["knn_acc", "monitor_knn_acc", "contrastive_acc"],
  maxCurves: 12,
});

async function studyFor(
  client: MlflowClient,
  name: string,
  parent: Run | undefined,
  given: Study[] | undefined,
): Promise<Study | undefined> {
  const g = given?.find((s) => s.name === name);
  if (g) return g;
  try {
    return getStudy(name);
  } catch {
    /* not registered here: use the definition the sweep stored */
  }
  if (!parent) return undefined;
  try {
    return JSON.parse(await client.downloadArtifactText(parent.info.runId, "study.json")) as Study;
  } catch {
    return undefined;
  }
}

/** Collects the report's data from MLflow. */
export async function collectReport(
  options: Partial<CollectOptions> & { experiments: string[] },
): Promise<ReportData> {
  const o: CollectOptions = { ...COLLECT_DEFAULTS, ...options };
  const client = new MlflowClient(o.trackingUri);
  const uri = await client.uri();
  let mlflowVersion: string | undefined;
  try {
    const r = await fetch(`${uri}/version`, { signal: AbortSignal.timeout(5000) });
    if (r.ok) mlflowVersion = (await r.text()).trim();
  } catch {
    /* older servers have no /version */
  }
  const sections: ReportSection[] = [];
  const missing: string[] = [];
  const envs = new Map<string, Record<string, string>>();
  for (const experiment of o.experiments) {
    const exp = await client.getExperimentByName(experiment);
    if (!exp) {
      missing.push(experiment); // a study not run yet
      continue;
    }
    const runs = await client.searchAllRuns({
      experimentIds: [exp.experimentId],
      orderBy: ["attributes.start_time ASC"],
    });
    const keys = new Set<string>();
    for (const r of runs)
      if (r.tags["simclr.study"])
        keys.add(`${r.tags["simclr.study"]}\u0000${r.tags["simclr.preset"] ?? ""}`);
    for (const key of [...keys].sort()) {
      const [studyName, preset] = key.split("\u0000");
      if (o.preset !== undefined && preset !== o.preset) continue;
      const mine = runs.filter(
        (r) => r.tags["simclr.study"] === studyName && (r.tags["simclr.preset"] ?? "") === preset,
      );
      const parentRuns = mine.filter((r) => r.tags["simclr.role"] === "sweep");
      const parent = parentRuns[parentRuns.length - 1];
      const study = await studyFor(client, studyName, parent, o.studies);
      if (!study) continue;
      const children: ReportRun[] = mine
        .filter((r) => r.tags["simclr.role"] !== "sweep" && r.tags["simclr.cell"] !== undefined)
        .map((r) => {
          const rr: ReportRun = {
            runId: r.info.runId,
            runName: r.info.runName,
            label: r.tags["simclr.cell"],
            seed: Number(r.tags["simclr.seed"] ?? r.params.seed ?? 0),
            status: r.info.status,
            startTime: r.info.startTime,
            params: r.params,
            tags: r.tags,
            metrics: r.metrics,
          };
          if (r.info.endTime !== undefined) rr.endTime = r.info.endTime;
          if (r.tags["mlflow.note.content"]) rr.note = r.tags["mlflow.note.content"];
          return rr;
        });
      const latest = latestFinished(children);
      const results: SeedResult[] = latest.map((r) => ({
        label: r.label,
        seed: r.seed,
        metrics: r.metrics,
        ...withCpu(r.params),
      }));
      for (const env of distinctEnvironments(latest)) envs.set(JSON.stringify(env), env);
      const curves: ReportCurve[] = [];
      const bySeed = [...latest].sort((a, b) => a.seed - b.seed);
      for (const r of bySeed.slice(0, o.maxCurves)) {
        for (const list of [o.curveMetrics, o.timeMetrics]) {
          // the first candidate logged at more than one step (final-only values make no curve)
          for (const metric of list.filter((m) => m in r.metrics)) {
            const points = await client.getMetricHistory(r.runId, metric);
            if (points.length > 1) {
              curves.push({ label: r.label, seed: r.seed, metric, points });
              break;
            }
          }
        }
      }
      const section: ReportSection = {
        experiment,
        study: evaluationAsRun(study, preset, children),
        preset,
        runs: children,
        results,
        verdicts: evaluateClaims(study, results, { preset }),
        curves,
        codeVersions: codeVersionsOf(latest),
      };
      const pluginNotes = provenanceNotes(pluginProvenance(latest));
      if (pluginNotes.length) section.pluginNotes = pluginNotes;
      if (parent) {
        section.parent = { runId: parent.info.runId, status: parent.info.status };
        if (parent.tags["mlflow.note.content"])
          section.parent.note = parent.tags["mlflow.note.content"];
      }
      sections.push(section);
    }
  }
  const data: ReportData = {
    title: o.title ?? `SimCLR reproduction: ${o.experiments.join(", ")}`,
    generatedAt: new Date().toISOString(),
    trackingUri: uri,
    sections,
    environments: [...envs.values()],
    missingExperiments: missing,
  };
  if (mlflowVersion) data.mlflowVersion = mlflowVersion;
  return data;
}
