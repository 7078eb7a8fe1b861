/**
 * Links into the MLflow UI that open in its model-training view. The UI of MLflow 3.17 chooses
 * between its GenAI and model-training views per browser, not per experiment: the `workflowType`
 * URL parameter when present, else the sidebar switch's choice kept in the browser's localStorage
 * (key `mlflow.workflowType_v1`), else GenAI. The experiment tag `mlflow.experimentKind` is not read
 * while that switch is enabled, and no server setting changes the default. So every link the
 * workbench prints carries the parameter, and the README and `npm start` tell users to pick
 * "Model training" once in the sidebar switch for links of their own.
 */

/** The URL parameter that selects the model-training view (the UI's `workflowType`). */
export const MODEL_TRAINING_VIEW_PARAM = "workflowType=machine_learning";

/** The one-line advice `npm start` prints and the README repeats. */
export const MODEL_TRAINING_VIEW_HINT =
  "MLflow's UI opens in its GenAI view unless the browser picks 'Model training' in the sidebar " +
  "switch (once per browser); the links printed here open the model-training view.";

function base(trackingUri: string): string {
  return trackingUri.replace(/\/+$/, "");
}

/** The experiments list, in the model-training view. */
export function experimentsUrl(trackingUri: string): string {
  return `${base(trackingUri)}/#/experiments?${MODEL_TRAINING_VIEW_PARAM}`;
}

/** One experiment's runs, in the model-training view. */
export function experimentUrl(trackingUri: string, experimentId: string): string {
  return `${base(trackingUri)}/#/experiments/${encodeURIComponent(experimentId)}/runs?${MODEL_TRAINING_VIEW_PARAM}`;
}

/** One run's page, in the model-training view. */
export function runUrl(trackingUri: string, experimentId: string, runId: string): string {
  return (
    `${base(trackingUri)}/#/experiments/${encodeURIComponent(experimentId)}` +
    `/runs/${encodeURIComponent(runId)}?${MODEL_TRAINING_VIEW_PARAM}`
  );
}
