/**
 * Welch's t test on a linear contrast of independent cell means, with Welch-Satterthwaite degrees
 * of freedom: two cells (better - worse) give Welch's two-sample test; four cells with weights
 * +1, -1, -1, +1 give an interaction (Table 1: color strength x method; Figure 9: batch x epochs).
 * Cells are independent when they share no run (different cells, or different seeds).
 */
import { tTest, type TTest } from "./t-test";

/** One cell's summary over seeds and its weight in the contrast. */
export interface ContrastPart {
  mean: number;
  /** Sample standard deviation (n - 1). */
  std: number;
  n: number;
  weight: number;
}

/**
 * Welch-Satterthwaite t test of sum(weight * mean). Every part needs n >= 2 (a part of one value
 * has no variance estimate): the caller reports "too few seeds" instead.
 */
export function welchContrast(parts: readonly ContrastPart[]): TTest {
  if (parts.length < 2) throw new Error(`a contrast needs at least 2 cells, got ${parts.length}`);
  for (const [i, p] of parts.entries())
    if (!(p.n >= 2) || !Number.isFinite(p.mean) || !(p.std >= 0))
      throw new Error(
        `contrast cell ${i}: need n >= 2 and a finite mean and std, got n=${p.n}, mean=${p.mean}, std=${p.std}`,
      );
  const v = parts.map((p) => (p.weight * p.weight * p.std * p.std) / p.n);
  const variance = v.reduce((a, b) => a + b, 0);
  const denom = v.reduce((a, x, i) => a + (x * x) / ((parts[i] as ContrastPart).n - 1), 0);
  // With no spread at all the df is undefined; tTest then decides from the sign alone.
  const df = denom > 0 ? (variance * variance) / denom : NaN;
  const estimate = parts.reduce((a, p) => a + p.weight * p.mean, 0);
  return tTest(parts.length === 2 ? "welch" : "contrast", estimate, Math.sqrt(variance), df);
}

/** Welch's two-sample t test of better - worse. */
export function welchTest(
  better: { mean: number; std: number; n: number },
  worse: { mean: number; std: number; n: number },
): TTest {
  return welchContrast([
    { ...better, weight: 1 },
    { ...worse, weight: -1 },
  ]);
}
