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

test("bars with error bars, a reference line and paper markers on a second axis", () => {
  const rows = [0.3, 0.32, 0.4, 0.44].map((value, i) => ({
    x: i < 2 ? "a" : "b<&>",
    group: "",
    value,
  }));
  const fig = barsFromRows(rows, {
    title: "t <1> & 2",
    yTitle: "linear_acc",
    baseline: { name: "random init", y: 0.2 },
    paper: { name: "paper", values: [60, 70] },
    paperAxis: "secondary",
    paperAxisTitle: "paper top-1 (%)",
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
  assert.equal((svg.match(/<path d="M[^"]*Z"/g) ?? []).length, 2, "two diamond paper markers");
  assert.ok(svg.includes("paper top-1 (%)") && svg.includes("random init"));
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
