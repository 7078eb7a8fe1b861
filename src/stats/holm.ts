/**
 * Holm-Bonferroni step-down adjustment: controls the family-wise error rate over a family of
 * tests (every claim of a findings table) without assuming they are independent.
 */

/**
 * Holm-adjusted p-values, in the input order: sort ascending, multiply the i-th smallest (from 0)
 * by (m - i), make them non-decreasing, cap at 1. Entries that are not numbers (claims without a
 * test) stay NaN and do not count in m.
 */
export function holmAdjust(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => Number.isFinite(p[i] as number));
  for (const i of idx)
    if ((p[i] as number) < 0 || (p[i] as number) > 1)
      throw new Error(`holm: p-values must be in [0, 1], got ${p[i]} at ${i}`);
  idx.sort((a, b) => (p[a] as number) - (p[b] as number));
  const out = p.map(() => NaN);
  const m = idx.length;
  let running = 0;
  idx.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (p[i] as number)));
    out[i] = running;
  });
  return out;
}
