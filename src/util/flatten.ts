/**
 * The one flattener of nested settings (a run config, a params object): dotted keys for MLflow
 * params, CLI flags and a sweep's records. Nested plain objects become `a.b`; an array of values
 * is one value (a param joins it with ","), an array holding objects one key per index
 * (`plugins.0.path`); undefined is left out; any other object is one value.
 */

/** A leaf of a flattened object: what a dotted key holds. */
export type FlatLeaf = string | number | boolean | null | readonly unknown[] | object;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype
  );
}

/** The leaves of `obj` by dotted key, values as they are (arrays of values kept as arrays). */
export function flattenFields(obj: object, prefix = ""): Record<string, FlatLeaf> {
  const out: Record<string, FlatLeaf> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined) continue;
    if (isPlainObject(v)) Object.assign(out, flattenFields(v, key));
    else if (Array.isArray(v) && v.some((x) => isPlainObject(x)))
      Object.assign(out, flattenFields(Object.fromEntries(v.map((x, i) => [String(i), x])), key));
    else out[key] = v as FlatLeaf;
  }
  return out;
}

/** A leaf as an MLflow param value: arrays joined with ",", null as "null", objects as JSON. */
export function paramValue(v: FlatLeaf): string | number | boolean {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return v as string | number | boolean;
}
