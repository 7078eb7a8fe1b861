/**
 * Per-channel pixel statistics of a split, in [0, 1] (what `simclr data --check` reports and what
 * input normalisation would use).
 */
import type { ImageSplit } from "./types";

/** Per-channel mean and (population) standard deviation of a split's pixels, in [0, 1], RGB order. */
export function channelStats(split: ImageSplit): { mean: [number, number, number]; std: [number, number, number] } {
  // Exact integer histograms per channel: no floating-point drift over 150 M values.
  const hist = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  const px = split.pixels;
  const h0 = new Uint32Array(256);
  const h1 = new Uint32Array(256);
  const h2 = new Uint32Array(256);
  const flush = (): void => {
    for (let v = 0; v < 256; v++) {
      hist[0][v] += h0[v];
      hist[1][v] += h1[v];
      hist[2][v] += h2[v];
    }
    h0.fill(0);
    h1.fill(0);
    h2.fill(0);
  };
  const block = 3 * (1 << 30); // flush before a Uint32 bin could overflow
  for (let start = 0; start < px.length; start += block) {
    const end = Math.min(px.length, start + block);
    for (let i = start; i < end; i += 3) {
      h0[px[i]]++;
      h1[px[i + 1]]++;
      h2[px[i + 2]]++;
    }
    flush();
  }
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let n = 0;
    let s = 0;
    for (let v = 0; v < 256; v++) {
      n += hist[c][v];
      s += hist[c][v] * v;
    }
    const m = n > 0 ? s / n : 0;
    let q = 0;
    for (let v = 0; v < 256; v++) q += hist[c][v] * (v - m) * (v - m);
    mean[c] = m / 255;
    std[c] = n > 0 ? Math.sqrt(q / n) / 255 : 0;
  }
  return { mean, std };
}
