/**
 * A count with its noun, singular for one ("1 seed", "4 seeds"): the one home for the plural of
 * the findings' prose (seeds, runs).
 */

/** `n` and `noun`, with an "s" unless n is 1. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
