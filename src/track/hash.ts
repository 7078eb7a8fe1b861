/**
 * Config hashing: a sha256 over a canonical JSON form (object keys sorted at every level), so two
 * resolved configs that are equal as data get the same hash whatever their key order. Sweeps store
 * it as the run tag `simclr.config_hash` to find cells that already finished.
 */
import { createHash } from "node:crypto";

/** JSON with object keys sorted recursively (undefined members dropped, like JSON.stringify). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** sha256 (hex) of the canonical JSON of a config. */
export function configHash(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}
