import { test } from "node:test";
import assert from "node:assert/strict";
import {
  barsFromRows,
  clippedInterval,
  heatmapFromRows,
  lineChart,
  summarize,
  trainingCurves,
} from "../../src/plot/figures";
import { escapeHtml, figureHtml, jsonForScript } from "../../src/plot/html";
import { display, mimeBundle, PLOTLY_MIME } from "../../src/plot/display";

test("summarize gives the mean and the sample standard deviation of finite values", () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9, NaN]);
  assert.equal(s.n, 8);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.deepEqual(summarize([3]), { mean: 3, std: 0, n: 1 });
  assert.equal(summarize([]).n, 0);
});

test("grouped bars carry the mean and a 95% CI error bar over seeds clipped to the metric's range, and the paper's numbers as outlined bars on the same axis", () => {
  const rows = [
    { x: "32", group: "linear", value: 0.5 },
    { x: "32", group: "linear", value: 0.7 },
    { x: "128", group: "linear", value: 0.6 },
    { x: "32", group: "nonlinear", value: 0.8 },
  ];
  const fig = barsFromRows(rows, {
    title: "t",
    yTitle: "acc",
    valueRange: [0, 1],
    paper: [
      { name: "paper", values: [0.6, null], series: "nonlinear" },
      { name: "paper, none", values: [null, null] },
    ],
    baseline: { name: "random-init encoder", y: 0.2 },
  });
  assert.equal(fig.data.length, 3, "the overlay with no value is left off");
  assert.deepEqual(fig.data[0].x, ["32", "128"]);
  assert.deepEqual(fig.data[0].y, [0.6, 0.6]);
  const err = fig.data[0].error_y as {
    array: (number | null)[];
    arrayminus: (number | null)[];
  };
  // half-width = scipy.stats.t.ppf(0.975, 1) (scipy 1.17.1) x std / sqrt(2), std = sqrt(0.02):
  // 1.27 above 0.6 is clipped to 1 (0.4), 1.27 below it to 0 (0.6)
  const half = (12.7062047361747 * Math.sqrt(0.02)) / Math.sqrt(2);
  assert.ok(half > 0.6, "the interval reaches past both ends of [0, 1]");
  assert.ok(Math.abs((err.array[0] ?? 0) - 0.4) < 1e-9);
  assert.ok(Math.abs((err.arrayminus[0] ?? 0) - 0.6) < 1e-9);
  assert.equal(err.array[1], null); // one seed: no interval
  assert.deepEqual(fig.data[1].y, [0.8, null]);
  // the paper's numbers share the data's axis, in the slot of the series they belong to
  assert.equal(fig.data[2].yaxis, undefined);
  assert.equal(fig.layout.yaxis2, undefined);
  assert.equal(fig.data[2].offsetgroup, fig.data[1].offsetgroup);
  assert.deepEqual(fig.data[2].y, [0.6, null]);
  assert.match(
    (fig.layout.yaxis as { title: { text: string } }).title.text,
    /95% t-interval of the mean over seeds/,
  );
  const line = (fig.layout.shapes as { y0: number; name: string; showlegend: boolean }[])[0];
  assert.deepEqual([line?.y0, line?.name, line?.showlegend], [0.2, "random-init encoder", true]);
});

test("clippedInterval keeps the t interval inside the metric's range", () => {
  // 0.1, 0.3: mean 0.2, half-width t.ppf(0.975, 1) x 0.1 = 1.2706
  const b = clippedInterval([0.1, 0.3], [0, 1]);
  assert.ok(b && Math.abs(b.minus - 0.2) < 1e-12 && Math.abs(b.plus - 0.8) < 1e-12);
  const open = clippedInterval([0.1, 0.3]);
  assert.ok(open && Math.abs(open.minus - 1.27062047361747) < 1e-9);
  assert.equal(clippedInterval([0.5]), null);
});

test("a heatmap puts the mean of each (row, column) in z and writes its 95% CI and n in the cell text", () => {
  const rows = [
    { x: "color", group: "crop", value: 0.5 },
    { x: "color", group: "crop", value: 0.7 },
    { x: "blur", group: "crop", value: 0.3 },
  ];
  const fig = heatmapFromRows(rows, {
    title: "Figure 5",
    zTitle: "acc",
    y: ["crop", "rotate"],
    digits: 2,
    zmid: 0.4,
  });
  // a diverging scale centred on the baseline
  assert.equal(fig.data[0].zmid, 0.4);
  assert.equal(fig.data[0].reversescale, undefined);
  assert.deepEqual(fig.data[0].z, [
    [0.6, 0.3],
    [null, null],
  ]);
  assert.deepEqual(fig.data[0].text, [
    // 0.6 -+ 12.706 x 0.1 (t.ppf(0.975, 1) x std / sqrt(n)), not clipped without a value range
    ["0.60<br>[-0.67, 1.87]<br>n=2", "0.30<br>n=1"],
    ["", ""],
  ]);
});

test("a heatmap clips each cell's interval to the metric's range", () => {
  const fig = heatmapFromRows(
    [
      { x: "color", group: "crop", value: 0.5 },
      { x: "color", group: "crop", value: 0.7 },
    ],
    { title: "Figure 5", zTitle: "acc", digits: 2, valueRange: [0, 1] },
  );
  assert.deepEqual(fig.data[0].text, [["0.60<br>[0.00, 1.00]<br>n=2"]]);
});

test("line charts draw reference lines across the data and curves against steps or seconds", () => {
  const fig = lineChart({
    title: "t",
    xTitle: "x",
    yTitle: "y",
    series: [{ name: "a", x: [0, 10], y: [1, 2] }],
    references: [{ name: "paper", y: 1.5 }],
  });
  assert.deepEqual(fig.data[1].x, [0, 10]);
  assert.deepEqual(fig.data[1].y, [1.5, 1.5]);
  const t = trainingCurves(
    [
      {
        name: "r",
        points: [
          { step: 1, value: 2, timestamp: 3000 },
          { step: 0, value: 1, timestamp: 1000 },
        ],
      },
    ],
    { title: "t", metric: "acc", against: "time" },
  );
  assert.deepEqual(t.data[0].x, [0, 2]);
  assert.deepEqual(t.data[0].y, [1, 2]);
});

test("HTML output escapes user strings and script-embedded JSON cannot close its script element", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
  const js = jsonForScript({ name: "</script><script>alert(1)</script>" });
  assert.ok(!js.includes("</script"));
  assert.deepEqual(JSON.parse(js), { name: "</script><script>alert(1)</script>" });
  const html = figureHtml(
    { data: [{ type: "bar", name: "</script>" }], layout: {} },
    { id: 'a"b' },
  );
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1);
  assert.match(html, /id="a&quot;b"/);
});

test("display sends one bundle with the plotly MIME type, HTML and text, and inlines plotly.js only the first time", () => {
  const fig = { data: [{ type: "bar", x: ["a"], y: [1] }], layout: { title: { text: "T" } } };
  const b = mimeBundle(fig, { id: "f1", withPlotlyJs: false });
  assert.deepEqual(b[PLOTLY_MIME], {
    data: fig.data,
    layout: fig.layout,
    config: { responsive: true, displaylogo: false, showLink: false, showSendToCloud: false },
  });
  assert.equal(b["text/plain"], "<plotly figure: T (1 traces)>");
  // stand in for tslab's display writer (set by the kernel while a cell runs)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const sent: { data: Record<string, unknown> }[] = [];
  jupyter.lastWriteDisplayData = (msg: { data: Record<string, unknown> }) => sent.push(msg);
  try {
    display(fig);
    display(fig);
  } finally {
    jupyter.lastWriteDisplayData = null;
  }
  assert.equal(sent.length, 2);
  assert.deepEqual(
    Object.keys(sent[0].data).sort(),
    [PLOTLY_MIME, "text/html", "text/plain"].sort(),
  );
  assert.match(String(sent[0].data["text/html"]), /inlined for offline use/);
  assert.doesNotMatch(String(sent[1].data["text/html"]), /inlined for offline use/);
  assert.ok(String(sent[0].data["text/html"]).length > 1_000_000);
  assert.ok(String(sent[1].data["text/html"]).length < 5_000);
});
