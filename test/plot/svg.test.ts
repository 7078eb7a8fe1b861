import { test } from "node:test";
import assert from "node:assert/strict";
import { barsFromRows, heatmap, lineChart } from "../../src/plot/figures";
import { figureSvg, niceTicks } from "../../src/plot/svg";

/** Open and close tags balance (the picture is well-formed enough for an <img>). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (!m[1]) stack.push(m[2]);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}

test("bars with error bars, a reference line and the paper's numbers as outlined bars", () => {
  const rows = [0.3, 0.32, 0.4, 0.44].map((value, i) => ({
    x: i < 2 ? "a" : "b<&>",
    group: "",
    value,
  }));
  const fig = barsFromRows(rows, {
    title: "t <1> & 2",
    yTitle: "linear_acc",
    baseline: { name: "random init", y: 0.2 },
    paper: [{ name: "paper top-1", values: [0.6, 0.7] }],
  });
  const svg = figureSvg(fig);
  assert.ok(balanced(svg), svg);
  assert.match(svg, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(
    svg.includes("t &lt;1&gt; &amp; 2") && svg.includes("b&lt;&amp;&gt;"),
    "text is escaped",
  );
  assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 2);
  assert.equal((svg.match(/<path d="M[\d. ]+V/g) ?? []).length, 2, "an error bar on each bar");
  assert.equal((svg.match(/<rect class="outline"/g) ?? []).length, 2, "two outlined paper bars");
  assert.equal((svg.match(/<line class="reference"/g) ?? []).length, 1, "the baseline line");
  assert.ok(svg.includes("paper top-1") && svg.includes("random init"));
  assert.ok(!svg.includes("not drawn"));
});

test("a heatmap draws every cell with its text, an empty cell grey", () => {
  const fig = heatmap({
    title: "grid",
    x: ["crop", "color"],
    y: ["crop", "color"],
    z: [
      [0.2, 0.4],
      [null, 0.6],
    ],
    zTitle: "linear_acc",
    digits: 2,
  });
  const svg = figureSvg(fig);
  assert.ok(balanced(svg));
  assert.equal((svg.match(/fill="#f4f4f4"/g) ?? []).length, 1);
  for (const v of ["0.20", "0.40", "0.60"]) assert.ok(svg.includes(`>${v}<`), v);
});

test("a heatmap with zmid is white at zmid, red below and blue above, as plotly draws it", () => {
  const fig = heatmap({
    title: "grid",
    x: ["a", "b", "c"],
    y: ["r"],
    z: [[0.2, 0.4, 0.6]],
    zTitle: "linear_acc",
    digits: 2,
    zmid: 0.4,
  });
  const fills = [
    ...figureSvg(fig).matchAll(
      /<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="rgb\((\d+),(\d+),(\d+)\)"/g,
    ),
  ].map((m) => m.slice(1, 4).map(Number));
  assert.equal(fills.length, 3);
  assert.deepEqual(fills[1], [247, 247, 247], "white at the baseline");
  assert.ok(fills[0][0] > fills[0][2], "red below");
  assert.ok(fills[2][2] > fills[2][0], "blue above");
});

test("asymmetric error bars are drawn to their own lower end", () => {
  const fig = barsFromRows(
    [0.01, 0.02, 0.5].map((value) => ({ x: "a", group: "", value })),
    { title: "t", yTitle: "acc", valueRange: [0, 1] },
  );
  const svg = figureSvg(fig);
  const bar = /<rect class="bar" x="[^"]+" y="([\d.]+)" width="[^"]+" height="([\d.]+)"/.exec(svg);
  const err = /<path d="M[\d.]+ ([\d.]+)V([\d.]+)/.exec(svg);
  assert.ok(bar && err, svg);
  const zeroY = Number(bar[1]) + Number(bar[2]);
  assert.ok(Number(err[1]) <= zeroY + 1e-9, "the lower end does not go below 0");
});

test("line charts draw one path per series and name trace types they cannot draw", () => {
  const fig = lineChart({
    title: "curves",
    series: [
      { name: "a", x: [1, 2, 3], y: [0.1, 0.2, 0.3] },
      { name: "b", x: [1, 2, 3], y: [0.2, 0.1, 0.4], dash: "dash" },
    ],
    xTitle: "epoch",
    yTitle: "knn_acc",
  });
  fig.data.push({ type: "violin", y: [1, 2] });
  const svg = figureSvg(fig);
  assert.ok(balanced(svg));
  assert.equal((svg.match(/stroke-width="2"/g) ?? []).length, 2);
  assert.match(svg, /not drawn: violin traces/);
});

test("ticks are round numbers covering the range", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.31, 0.47), [0.35, 0.4, 0.45]);
  assert.deepEqual(niceTicks(2, 2), [2]);
});
