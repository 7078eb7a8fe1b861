/**
 * `buildReport` / `writeReport`: a shareable, self-contained offline HTML report of the studies in
 * one or more MLflow experiments (what `simclr report` and the report notebook call).
 */
import fs from "node:fs";
import path from "node:path";
import { collectReport, type CollectOptions } from "./collect";
import { renderReport } from "./render";

/** Options for {@link buildReport}: which experiments, plus collection options. */
export type ReportOptions = Partial<CollectOptions> & { experiments: string[] };

/** The report's HTML. */
export async function buildReport(options: ReportOptions): Promise<string> {
  return renderReport(await collectReport(options));
}

/** Writes the report to `file` (folders created); returns the absolute path. */
export async function writeReport(file: string, options: ReportOptions): Promise<string> {
  const data = await collectReport(options);
  if (data.missingExperiments.length === options.experiments.length) {
    throw new Error(
      `none of the experiments exist on ${data.trackingUri}: ${options.experiments.join(", ")}`,
    );
  }
  const html = renderReport(data);
  const out = path.resolve(file);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, html);
  return out;
}
