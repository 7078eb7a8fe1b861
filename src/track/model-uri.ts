/**
 * The `models:/<model_id>` URI of an MLflow 3 logged model (what MLflow's own clients accept for
 * a logged model; the model registry's `models:/<name>/<version>` form is not supported here).
 */

/** The model id of a `models:/<model_id>` URI; an Error naming the URI and the form expected. */
export function modelIdOfUri(uri: string): string {
  const m = /^models:\/([A-Za-z0-9_-]+)\/?$/.exec(uri.trim());
  if (!m) {
    throw new Error(
      `model URI ${JSON.stringify(uri)} is not of the form models:/<model_id> ` +
        "(the logged model's id, e.g. models:/m-0123abcd..., shown on the run page under Logged models)",
    );
  }
  return m[1];
}
