/**
 * A small generated image-folder data set for the end-to-end tests on a machine without CIFAR-10:
 * `<dir>/train/<class>/<i>.png` and `<dir>/test/<class>/<i>.png`, the layout src/data/imagefolder.ts
 * reads. Each class is a texture pattern (stripes in three orientations, a checkerboard, rings,
 * dots) drawn in two random colours with random period, phase and pixel noise, so colour and
 * position carry no class information and a `tiny` SimCLR run (crop + color distortion, section 3)
 * has a shape signal to learn that random encoder weights do not separate as well.
 */
import fs from "node:fs";
import path from "node:path";
import { encodePng } from "../../src/data/decode";
import { createRng, type Rng } from "../../src/util/random";

/** Options of {@link writePatternFolder}. */
export interface PatternFolderOptions {
  /** Training images per class. */
  trainPerClass: number;
  /** Test images per class. */
  testPerClass: number;
  /** Image side in pixels (CIFAR-10's 32 by default). */
  side: number;
  seed: number;
}

/** Defaults of {@link PatternFolderOptions}: 6 classes x (128 + 50) images, about 1 s to write. */
export const PATTERN_FOLDER_DEFAULTS: Readonly<PatternFolderOptions> = Object.freeze({
  trainPerClass: 128,
  testPerClass: 50,
  side: 32,
  seed: 14,
});

type Pattern = (x: number, y: number, p: PatternParams) => number;
interface PatternParams {
  period: number;
  phase: number;
  cx: number;
  cy: number;
}

const wave = (t: number, p: PatternParams): number =>
  Math.sin((2 * Math.PI * t) / p.period + p.phase) > 0 ? 1 : 0;

/** The classes, by name: a foreground mask in {0, 1} per pixel. */
export const PATTERNS: Readonly<Record<string, Pattern>> = Object.freeze({
  horizontal: (_x, y, p) => wave(y, p),
  vertical: (x, _y, p) => wave(x, p),
  diagonal: (x, y, p) => wave((x + y) / Math.SQRT2, p),
  checker: (x, y, p) => wave(x, p) ^ wave(y, p),
  rings: (x, y, p) => wave(Math.hypot(x - p.cx, y - p.cy), p),
  dots: (x, y, p) =>
    Math.hypot(
      ((x + p.phase * 4) % p.period) - p.period / 2,
      ((y + p.phase * 4) % p.period) - p.period / 2,
    ) <
    p.period / 4
      ? 1
      : 0,
});

/** Two grey levels at least 90 apart with one faint common tint (colour carries almost no identity). */
function colours(rng: Rng): [number[], number[]] {
  const a = rng.int(256);
  let b = rng.int(256);
  while (Math.abs(a - b) < 90) b = rng.int(256);
  const tint = [rng.uniform(-12, 12), rng.uniform(-12, 12), rng.uniform(-12, 12)];
  return [tint.map((t) => a + t), tint.map((t) => b + t)];
}

/** One image of a pattern with random grey levels, geometry and noise. */
function drawImage(pattern: Pattern, side: number, rng: Rng): Uint8Array {
  const [fg, bg] = colours(rng);
  const p: PatternParams = {
    period: rng.uniform(side / 5, side / 3),
    phase: rng.uniform(0, 2 * Math.PI),
    cx: rng.uniform(0, side),
    cy: rng.uniform(0, side),
  };
  const rgb = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const c = pattern(x, y, p) ? fg : bg;
      const o = (y * side + x) * 3;
      for (let k = 0; k < 3; k++)
        rgb[o + k] = Math.max(0, Math.min(255, Math.round(c[k] + 12 * rng.normal())));
    }
  }
  return rgb;
}

/**
 * Writes the pattern data set into `dir` (created) and returns the class names. Deterministic for
 * a seed.
 */
export function writePatternFolder(
  dir: string,
  options: Partial<PatternFolderOptions> = {},
): string[] {
  const o: PatternFolderOptions = { ...PATTERN_FOLDER_DEFAULTS, ...options };
  const rng = createRng(o.seed);
  const classes = Object.keys(PATTERNS);
  for (const [split, n] of [
    ["train", o.trainPerClass],
    ["test", o.testPerClass],
  ] as const) {
    for (const c of classes) {
      const d = path.join(dir, split, c);
      fs.mkdirSync(d, { recursive: true });
      for (let i = 0; i < n; i++) {
        fs.writeFileSync(
          path.join(d, `${String(i).padStart(4, "0")}.png`),
          encodePng(drawImage(PATTERNS[c], o.side, rng), o.side, o.side),
        );
      }
    }
  }
  return classes;
}
