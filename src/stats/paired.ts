/**
 * The paired t test: a one-sample t test on per-pair differences (df = pairs - 1). Valid when the
 * two sides of each pair share their randomness: the same run evaluated twice (h against g(h)), or
 * two cells run with the same seed where the seed fixes the same initialisation and data order
 * (see src/evidence/pairing.ts for when cells qualify).
 */
import { tTest, type TTest } from "./t-test";

/** Paired t test of mean(differences) > 0; needs at least 2 pairs. */
export function pairedTest(differences: readonly number[]): TTest {
  const d = differences.filter((x) => Number.isFinite(x));
  if (d.length < 2) throw new Error(`a paired test needs at least 2 pairs, got ${d.length}`);
  const n = d.length;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return tTest("paired", mean, sd / Math.sqrt(n), n - 1);
}

/** Differences a - b over the keys present on both sides (e.g. seeds), in key order. */
export function pairDifferences(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
): number[] {
  return [...a.keys()]
    .filter((k) => b.has(k))
    .sort((x, y) => x - y)
    .map((k) => (a.get(k) as number) - (b.get(k) as number));
}
