/**
 * A static SVG picture of a plotly figure spec (src/plot/figures.ts), for places that show images
 * but run no script: MLflow's artifact viewer shows .svg as an image (mlflow 3.17's image
 * extensions: jpg, jpeg, png, gif, bmp, svg) and .html only in a sandboxed frame, where a page
 * with plotly inlined weighs 4.6 MB. The figure kinds the toolkit builds are drawn: bars (grouped,
 * with error bars), scatter traces (lines, markers, a secondary y axis), and a heatmap with its
 * cell text. Other trace types are listed as not drawn. A few kB of text, no browser needed.
 *
 * Decision: drawn here rather than exported by plotly itself, whose image export needs a browser;
 * a sweep must not need one at run time (Chromium is a test dependency only).
 */
import type { Figure, Trace } from "./figures";

const W = 760;
const H = 460;
const M = { l: 72, r: 64, t: 56, b: 96 };
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const FONT = "system-ui, -apple-system, Segoe UI, sans-serif";

/** XML text escape. */
function esc(s: unknown): string {
  return String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function n(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 10) / 10) : "0";
}

function titleOf(x: unknown): string {
  if (typeof x === "string") return x;
  const t = (x as { title?: unknown; text?: unknown } | undefined) ?? {};
  if (typeof t.text === "string") return t.text;
  return t.title === undefined ? "" : titleOf(t.title);
}

function nums(v: unknown): (number | null)[] {
  return Array.isArray(v)
    ? v.map((x) => (typeof x === "number" && Number.isFinite(x) ? x : null))
    : [];
}

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** A linear scale from the values' range (widened to round ticks) onto pixels [p0, p1]. */
interface Scale {
  ticks: number[];
  at(v: number): number;
}
function linearScale(values: number[], p0: number, p1: number, zero: boolean): Scale {
  const vs = values.filter(Number.isFinite);
  let lo = vs.length ? Math.min(...vs, ...(zero ? [0] : [])) : 0;
  let hi = vs.length ? Math.max(...vs, ...(zero ? [0] : [])) : 1;
  if (hi === lo) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const inner = niceTicks(lo, hi);
  const step = inner.length > 1 ? inner[1] - inner[0] : hi - lo;
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = a; v <= b + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, at: (v) => p0 + ((v - a) / (b - a || 1)) * (p1 - p0) };
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}" ${attrs}>${esc(s)}</text>`;
}

/** Axis ticks and labels of a value scale on the left (or right) of the plot area. */
function yAxis(s: Scale, x: number, side: "left" | "right", title: string): string {
  const anchor = side === "left" ? "end" : "start";
  const dx = side === "left" ? -6 : 6;
  const out = s.ticks.map(
    (t) =>
      (side === "left"
        ? `<line x1="${M.l}" x2="${W - M.r}" y1="${n(s.at(t))}" y2="${n(s.at(t))}" stroke="#e5e5e5"/>`
        : "") + text(x + dx, s.at(t) + 4, String(t), `text-anchor="${anchor}"`),
  );
  const tx = side === "left" ? 16 : W - 12;
  const ty = (M.t + H - M.b) / 2;
  out.push(text(tx, ty, title, `text-anchor="middle" transform="rotate(-90 ${n(tx)} ${n(ty)})"`));
  return out.join("");
}

/** Category positions along x: band centre and width of each category. */
function bands(categories: string[]): { at(c: string): number; width: number } {
  const width = (W - M.l - M.r) / Math.max(1, categories.length);
  const index = new Map(categories.map((c, i) => [c, i]));
  return { at: (c) => M.l + width * ((index.get(c) ?? 0) + 0.5), width };
}

function categoryLabels(categories: string[], at: (c: string) => number, y: number): string {
  const rotate = categories.length > 6 || categories.some((c) => c.length > 12);
  return categories
    .map((c) =>
      rotate
        ? text(at(c), y, c, `text-anchor="end" transform="rotate(-30 ${n(at(c))} ${n(y)})"`)
        : text(at(c), y, c, `text-anchor="middle"`),
    )
    .join("");
}

function marker(x: number, y: number, color: string, symbol: unknown): string {
  return symbol === "diamond"
    ? `<path d="M${n(x)} ${n(y - 6)}L${n(x + 6)} ${n(y)}L${n(x)} ${n(y + 6)}L${n(x - 6)} ${n(y)}Z" fill="${color}" stroke="#fff"/>`
    : `<circle cx="${n(x)}" cy="${n(y)}" r="3.5" fill="${color}"/>`;
}

function traceColor(t: Trace, i: number): string {
  const own = (t.marker as { color?: unknown } | undefined)?.color;
  const line = (t.line as { color?: unknown } | undefined)?.color;
  const c = typeof line === "string" ? line : typeof own === "string" ? own : undefined;
  return c ?? COLORS[i % COLORS.length];
}

/** The error-bar half widths of a trace (error_y.array), null where none. */
function errs(t: Trace): (number | null)[] {
  return nums((t.error_y as { array?: unknown } | undefined)?.array);
}

/** The lower error-bar lengths (error_y.arrayminus when asymmetric, else the upper ones). */
function errsMinus(t: Trace): (number | null)[] {
  const e = t.error_y as { arrayminus?: unknown; symmetric?: boolean } | undefined;
  return e?.symmetric === false && Array.isArray(e.arrayminus) ? nums(e.arrayminus) : errs(t);
}

/** A bar trace drawn as an outline only (a paper overlay: transparent fill, coloured line). */
function outlineColor(t: Trace): string | undefined {
  const m = t.marker as { color?: unknown; line?: { color?: unknown } } | undefined;
  const transparent = typeof m?.color === "string" && /rgba\([^)]*,\s*0\)/.test(m.color);
  return transparent && typeof m?.line?.color === "string" ? m.line.color : undefined;
}

/** One bar trace: its bars in their slot of each category's band, with error bars. */
function barMarks(
  t: Trace,
  color: string,
  sy: Scale,
  xAt: (x: unknown) => number,
  slot: { index: number; count: number; band: number },
): string {
  const ys = nums(t.y);
  const barW = (slot.band * 0.8) / Math.max(1, slot.count);
  const out: string[] = [];
  (Array.isArray(t.x) ? (t.x as unknown[]) : []).forEach((x, j) => {
    const y = ys[j];
    if (y === null) return;
    const cx = xAt(x) - (slot.band * 0.8) / 2 + barW * (slot.index + 0.5);
    const top = Math.min(sy.at(y), sy.at(0));
    const h = Math.abs(sy.at(y) - sy.at(0));
    const outline = outlineColor(t);
    out.push(
      outline
        ? `<rect class="outline" x="${n(cx - barW / 2)}" y="${n(top)}" width="${n(barW * 0.92)}" height="${n(h)}" fill="none" stroke="${outline}" stroke-width="2.5"/>`
        : `<rect class="bar" x="${n(cx - barW / 2)}" y="${n(top)}" width="${n(barW * 0.92)}" height="${n(h)}" fill="${color}"/>`,
    );
    const up = errs(t)[j] ?? 0;
    const down = errsMinus(t)[j] ?? 0;
    if (up || down) {
      const [lo, hi] = [sy.at(y - down), sy.at(y + up)];
      out.push(
        `<path d="M${n(cx)} ${n(lo)}V${n(hi)}M${n(cx - 5)} ${n(lo)}H${n(cx + 5)}M${n(cx - 5)} ${n(hi)}H${n(cx + 5)}" stroke="#222" fill="none"/>`,
      );
    }
  });
  return out.join("");
}

/** One scatter trace: its line (solid, dashed or dotted) and markers, as its mode says. */
function scatterMarks(t: Trace, color: string, sy: Scale, xAt: (x: unknown) => number): string {
  const ys = nums(t.y);
  const mode = typeof t.mode === "string" ? t.mode : "lines+markers";
  const pts = (Array.isArray(t.x) ? (t.x as unknown[]) : []).flatMap((x, j) => {
    const y = ys[j];
    return y === null ? [] : [[xAt(x), sy.at(y)]];
  });
  const dash = (t.line as { dash?: string } | undefined)?.dash;
  const dashes =
    dash && dash !== "solid" ? ` stroke-dasharray="${dash === "dot" ? "2 4" : "7 4"}"` : "";
  const out: string[] = [];
  if (mode.includes("lines") && pts.length > 1)
    out.push(
      `<path d="M${pts.map(([a, b]) => `${n(a)} ${n(b)}`).join("L")}" fill="none" stroke="${color}" stroke-width="2"${dashes}/>`,
    );
  if (mode.includes("markers"))
    for (const [a, b] of pts)
      out.push(marker(a, b, color, (t.marker as { symbol?: unknown } | undefined)?.symbol));
  return out.join("");
}

/** Bars and scatter traces over categories or numbers, with a legend below. */
function cartesian(fig: Figure): string {
  const traces = fig.data.filter((t) => t.type === "bar" || t.type === "scatter");
  const xs = traces.flatMap((t) => (Array.isArray(t.x) ? (t.x as unknown[]) : []));
  const categorical = xs.some((x) => typeof x === "string");
  const layout = fig.layout as Record<string, { title?: unknown; type?: string } | undefined>;
  const logX = !categorical && layout.xaxis?.type === "log";
  const fx = (v: number): number => (logX ? Math.log10(v) : v);
  const primary = traces.filter((t) => t.yaxis !== "y2");
  const secondary = traces.filter((t) => t.yaxis === "y2");
  const yValues = (ts: Trace[]): number[] =>
    ts.flatMap((t) =>
      nums(t.y).flatMap((y, i) =>
        y === null ? [] : [y - (errsMinus(t)[i] ?? 0), y + (errs(t)[i] ?? 0)],
      ),
    );
  const hasBars = primary.some((t) => t.type === "bar");
  const lines = referenceLines(fig);
  const range = (layout.yaxis as { range?: unknown } | undefined)?.range;
  const y1 = linearScale(
    [
      ...yValues(primary),
      ...lines.map((l) => l.y),
      ...(Array.isArray(range) ? nums(range).filter((v): v is number => v !== null) : []),
    ],
    H - M.b,
    M.t,
    hasBars,
  );
  const y2 = secondary.length ? linearScale(yValues(secondary), H - M.b, M.t, true) : undefined;
  const cats = [...new Set(xs.map(String))];
  const band = bands(cats);
  const numX = linearScale(
    xs.map((x) => fx(Number(x))),
    M.l,
    W - M.r,
    false,
  );
  const xAt = (x: unknown): number => (categorical ? band.at(String(x)) : numX.at(fx(Number(x))));
  // bars share a slot by offsetgroup (a paper overlay sits in its series' slot), else by trace
  const slotOf = (t: Trace): string =>
    typeof t.offsetgroup === "string" ? t.offsetgroup : `#${traces.indexOf(t)}`;
  const slots = [...new Set(primary.filter((t) => t.type === "bar").map(slotOf))];
  const out: string[] = [yAxis(y1, M.l, "left", titleOf(layout.yaxis?.title))];
  if (y2) out.push(yAxis(y2, W - M.r, "right", titleOf(layout.yaxis2?.title)));
  traces.forEach((t, i) => {
    const sy = t.yaxis === "y2" && y2 ? y2 : y1;
    const slot = { index: slots.indexOf(slotOf(t)), count: slots.length, band: band.width };
    out.push(
      t.type === "bar"
        ? barMarks(t, traceColor(t, i), sy, xAt, slot)
        : scatterMarks(t, traceColor(t, i), sy, xAt),
    );
  });
  if (categorical) out.push(categoryLabels(cats, band.at, H - M.b + 18));
  else
    for (const t of numX.ticks)
      out.push(
        text(numX.at(t), H - M.b + 18, logX ? `${10 ** t}` : String(t), `text-anchor="middle"`),
      );
  out.push(text((M.l + W - M.r) / 2, H - 52, titleOf(layout.xaxis?.title), `text-anchor="middle"`));
  for (const l of lines)
    out.push(
      `<line class="reference" x1="${M.l}" x2="${W - M.r}" y1="${n(y1.at(l.y))}" y2="${n(y1.at(l.y))}" stroke="${l.color}" stroke-width="2" stroke-dasharray="6 4"/>`,
    );
  out.push(
    legend([
      ...traces,
      ...lines.map((l) => ({ type: "scatter", name: l.name, line: { color: l.color } })),
    ]),
  );
  return out.join("");
}

/** Full-width horizontal lines of the layout's shapes (a figure's baseline), with their names. */
function referenceLines(fig: Figure): { y: number; name: string; color: string }[] {
  const shapes = Array.isArray(fig.layout.shapes) ? (fig.layout.shapes as unknown[]) : [];
  return shapes.flatMap((raw) => {
    const sh = raw as {
      type?: unknown;
      xref?: unknown;
      y0?: unknown;
      y1?: unknown;
      name?: unknown;
      line?: { color?: unknown };
    };
    if (sh.type !== "line" || sh.xref !== "paper" || typeof sh.y0 !== "number" || sh.y0 !== sh.y1)
      return [];
    const color = typeof sh.line?.color === "string" ? sh.line.color : "#555";
    return [{ y: sh.y0, name: typeof sh.name === "string" ? sh.name : "", color }];
  });
}

/** The named traces' colours and names, below the plot, wrapped onto a second row when long. */
function legend(traces: Trace[]): string {
  const items = traces.flatMap((t, i) =>
    typeof t.name === "string" && t.name ? [{ name: t.name, color: traceColor(t, i) }] : [],
  );
  const parts: string[] = [];
  let x = M.l;
  let y = H - 30;
  for (const { name, color } of items) {
    const width = 26 + name.length * 6.4;
    if (x > M.l && x + width > W - 8) [x, y] = [M.l, y + 18];
    parts.push(
      `<rect x="${n(x)}" y="${n(y - 10)}" width="12" height="12" fill="${color}"/>` +
        text(x + 16, y, name, `font-size="11"`),
    );
    x += width;
  }
  return parts.join("");
}

/** The colour at f in [0, 1] of a plotly colour scale given as [position, "#rrggbb"] stops. */
function fromStops(stops: [number, string][], f: number): string {
  const x = Math.min(1, Math.max(0, f));
  const i = Math.max(
    1,
    stops.findIndex(([p]) => p >= x),
  );
  const [p0, c0] = stops[i - 1];
  const [p1, c1] = stops[Math.min(i, stops.length - 1)];
  const w = p1 > p0 ? (x - p0) / (p1 - p0) : 0;
  const rgb = (c: string): number[] => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));
  const [a, b] = [rgb(c0), rgb(c1)];
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * w)).join(",")})`;
}

/** Plotly's reversed "Greens" (darker = higher): white-green at the low end, dark green at the high. */
function green(f: number): string {
  const lo = [247, 252, 245];
  const hi = [0, 68, 27];
  const c = lo.map((v, i) => Math.round(v + (hi[i] - v) * Math.min(1, Math.max(0, f))));
  return `rgb(${c.join(",")})`;
}

/** A heatmap: one cell per (row, column), coloured by z, with its text (lines split at <br>). */
function heatmapSvg(t: Trace, layout: Record<string, { title?: unknown } | undefined>): string {
  const xs = (Array.isArray(t.x) ? t.x : []).map(String);
  const ys = (Array.isArray(t.y) ? t.y : []).map(String);
  const z = (Array.isArray(t.z) ? t.z : []).map((row) => nums(row));
  const textRows = Array.isArray(t.text) ? (t.text as unknown[][]) : [];
  const flat = z.flat().filter((v): v is number => v !== null);
  const lo = flat.length ? Math.min(...flat) : 0;
  const hi = flat.length ? Math.max(...flat) : 1;
  const right = W - M.r - 56; // room for the colour key
  // a diverging scale (colorscale stops with zmid) is white at zmid and reaches its ends at the
  // largest distance from it, as plotly draws it; otherwise the reversed greens over [lo, hi]
  const stops = Array.isArray(t.colorscale) ? (t.colorscale as [number, string][]) : null;
  const zmid = typeof t.zmid === "number" ? t.zmid : null;
  const reach = zmid === null ? 0 : Math.max(...flat.map((v) => Math.abs(v - zmid)), 1e-12);
  const shade = (v: number): number =>
    zmid !== null ? 0.5 + (v - zmid) / (2 * reach) : (v - lo) / (hi - lo || 1);
  const colourAt = (f: number): string => (stops ? fromStops(stops, f) : green(f));
  const cw = (right - M.l) / Math.max(1, xs.length);
  const ch = (H - M.t - M.b) / Math.max(1, ys.length);
  const out: string[] = [];
  ys.forEach((_, i) =>
    xs.forEach((_, j) => {
      const v = z[i]?.[j] ?? null;
      const f = v === null ? 0 : shade(v);
      const x = M.l + j * cw;
      const y = M.t + i * ch;
      out.push(
        `<rect x="${n(x + 1)}" y="${n(y + 1)}" width="${n(cw - 2)}" height="${n(ch - 2)}" fill="${v === null ? "#f4f4f4" : colourAt(f)}"/>`,
      );
      const lines = String(textRows[i]?.[j] ?? "")
        .split("<br>")
        .filter(Boolean);
      lines.forEach((line, k) =>
        out.push(
          text(
            x + cw / 2,
            y + ch / 2 + (k - (lines.length - 1) / 2) * 13 + 4,
            line,
            `text-anchor="middle" font-size="11" fill="${(stops ? Math.abs(f - 0.5) > 0.35 : f > 0.55) ? "#fff" : "#111"}"`,
          ),
        ),
      );
    }),
  );
  out.push(categoryLabels(xs, (c) => M.l + (xs.indexOf(c) + 0.5) * cw, H - M.b + 18));
  ys.forEach((y, i) => out.push(text(M.l - 6, M.t + (i + 0.5) * ch + 4, y, `text-anchor="end"`)));
  out.push(text((M.l + right) / 2, H - 52, titleOf(layout.xaxis?.title), `text-anchor="middle"`));
  const ty = (M.t + H - M.b) / 2;
  out.push(
    text(
      14,
      ty,
      titleOf(layout.yaxis?.title),
      `text-anchor="middle" transform="rotate(-90 14 ${n(ty)})"`,
    ),
  );
  const zTitle = titleOf((t.colorbar as { title?: unknown } | undefined)?.title);
  out.push(
    text(right + 8, M.t + 10, `${zTitle}`, `font-size="11"`) +
      text(right + 8, M.t + 26, `max ${hi.toPrecision(3)}`, `font-size="11"`) +
      text(right + 8, M.t + 42, `min ${lo.toPrecision(3)}`, `font-size="11"`) +
      (zmid !== null
        ? text(right + 8, M.t + 58, `white ${zmid.toPrecision(3)}`, `font-size="11"`)
        : ""),
  );
  return out.join("");
}

/**
 * The figure as a standalone SVG document (title, axes, legend). Bars, scatter and heatmap traces
 * are drawn; the types of any others are named in a note on the picture.
 */
export function figureSvg(fig: Figure): string {
  const layout = fig.layout as Record<string, { title?: unknown } | undefined>;
  const heat = fig.data.find((t) => t.type === "heatmap");
  const drawn = new Set(heat ? ["heatmap"] : ["bar", "scatter"]);
  const skipped = [...new Set(fig.data.map((t) => t.type).filter((t) => !drawn.has(t)))];
  const body = heat ? heatmapSvg(heat, layout) : cartesian(fig);
  const note = skipped.length
    ? text(W - 8, 16, `not drawn: ${skipped.join(", ")} traces`, `text-anchor="end" fill="#a00"`)
    : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12">` +
    `<rect width="${W}" height="${H}" fill="#fff"/>` +
    text(W / 2, 28, titleOf(fig.layout.title), `text-anchor="middle" font-size="15"`) +
    body +
    note +
    `</svg>\n`
  );
}
