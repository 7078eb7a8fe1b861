/**
 * Spearman's rank correlation: Pearson's correlation of the two samples' ranks, ties given their
 * average rank (as scipy.stats.spearmanr), so it is defined with tied values too. Used as the
 * fidelity score of a reproduced table against the paper's numbers (src/evidence/fidelity.ts).
 */

/** Ranks 1..n of the values, tied values sharing their average rank. */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const ranks = new Array<number>(x.length).fill(0);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1] as number] === x[order[i] as number]) j++;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Pearson's correlation; NaN when either side has no spread. */
function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/**
 * Spearman's rho of paired samples x and y (equal length >= 2, finite); NaN when either sample
 * is constant (no ranking to correlate).
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length)
    throw new Error(`spearman: samples differ in length (${x.length} and ${y.length})`);
  if (x.length < 2) throw new Error(`spearman: needs at least 2 pairs, got ${x.length}`);
  if (![...x, ...y].every(Number.isFinite))
    throw new Error("spearman: every value must be a finite number");
  return pearson(averageRanks(x), averageRanks(y));
}
