/**
 * Seeded random source: the only randomness in the toolkit flows through one of these, passed
 * explicitly (no module-level state), so every augmentation, shuffle and initialisation is
 * reproducible from a seed. Generator: sfc32 seeded through splitmix32.
 */

/** A seeded pseudo-random source. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** A 32-bit integer seed for a child source (for independent streams, e.g. per worker or per op). */
  seed(): number;
  /** An independent child source derived from this one. */
  fork(): Rng;
}

function splitmix32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** Creates a seeded random source. Equal seeds give equal streams. */
export function createRng(seed: number): Rng {
  const sm = splitmix32(seed >>> 0);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  let spare: number | null = null;
  const rng: Rng = {
    next: () => u32() / 4294967296,
    uniform: (lo, hi) => lo + (hi - lo) * (u32() / 4294967296),
    int: (n) => Math.floor((u32() / 4294967296) * n),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = u32() / 4294967296;
      const v = u32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    seed: () => u32(),
    fork: () => createRng(u32()),
  };
  return rng;
}

/** Fisher-Yates shuffle of [0, n) with the given source; returns a new index array. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
