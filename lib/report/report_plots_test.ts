import assert from "node:assert/strict";
import { confusionChart, confusionSpec, lineChart } from "./charts.ts";
import { confusionMatrix } from "./confusion.ts";
import { KitError } from "../base/errors.ts";

/** The `d` attribute of each line mark, in drawing order. */
function linePaths(svg: string): string[] {
  return [...svg.matchAll(/aria-roledescription="line mark" d="([^"]+)"/g)]
    .map((m) => m[1]);
}

/** `[x, y]` vertices of an SVG path made of M and L commands. */
function vertices(d: string): number[][] {
  return d.split(/[ML]/).filter(Boolean).map((p) => p.split(",").map(Number));
}

Deno.test("lineChart() renders a standalone SVG with its title, axis titles and legend", async () => {
  const svg = await lineChart([
    { name: "per batch", style: "thin", points: [[0.5, 0.2], [1, 0.6]] },
    { name: "validation", style: "marked", points: [[1, 0.7]] },
  ], { title: "Accuracy", x: "epoch", y: "accuracy", width: 300, height: 100 });
  assert.match(
    svg,
    /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* width="\d+" height="\d+"/,
  );
  assert.ok(svg.endsWith("</svg>"));
  for (
    const text of ["Accuracy", "epoch", "accuracy", "per batch", "validation"]
  ) {
    assert.ok(svg.includes(`>${text}</text>`), `missing text ${text}`);
  }
});

Deno.test("lineChart() draws one vertex per point, in x order, higher values higher up", async () => {
  const ys = [0.1, 0.5, 0.4, 0.9, 0.95];
  const svg = await lineChart(
    [{ name: "a", style: "thin", points: ys.map((y, i) => [i + 1, y]) }],
    { title: "T", x: "x", y: "y" },
  );
  const [path] = linePaths(svg);
  const points = vertices(path);
  assert.equal(points.length, ys.length);
  for (let i = 1; i < points.length; i++) {
    assert.ok(points[i][0] > points[i - 1][0], `x of vertex ${i} grows`);
    assert.equal(
      Math.sign(points[i - 1][1] - points[i][1]),
      Math.sign(ys[i] - ys[i - 1]),
      `vertex ${i} moves with its value`,
    );
  }
});

Deno.test("lineChart() skips null values and draws a log scale", async () => {
  const svg = await lineChart(
    [{
      name: "loss",
      style: "thin",
      points: [[1, 1], [2, null], [3, 0.1], [4, 0.01]],
    }],
    { title: "Loss", x: "step", y: "loss", yScale: "log" },
  );
  const points = vertices(linePaths(svg)[0]);
  assert.equal(points.length, 3);
  const drop1 = points[1][1] - points[0][1];
  const drop2 = points[2][1] - points[1][1];
  assert.ok(
    Math.abs(drop1 - drop2) < 0.01,
    `equal steps per decade: ${drop1} vs ${drop2}`,
  );
});

Deno.test("confusionMatrix() counts right answers on the diagonal and each mistake off it", () => {
  const labels = [0, 1, 1, 2, 2, 2, 9];
  const counts = confusionMatrix(labels, [
    { index: 2, label: 1, predicted: 7 },
    { index: 5, label: 2, predicted: 0 },
  ], "m.json");
  assert.equal(counts.length, 10);
  assert.deepEqual([counts[0][0], counts[1][1], counts[2][2], counts[9][9]], [
    1,
    1,
    2,
    1,
  ]);
  assert.equal(counts[1][7], 1);
  assert.equal(counts[2][0], 1);
  assert.equal(counts.flat().reduce((a, b) => a + b), labels.length);
});

Deno.test("confusionMatrix() refuses mistakes that do not fit the labels", () => {
  const labels = [3, 4];
  const bad = [
    [{ index: 2, label: 3, predicted: 1 }, /index 2 is out of range \[0, 2\)/],
    [
      { index: 0, label: 5, predicted: 1 },
      /image 0 is labelled 5 there but 3 in the data/,
    ],
    [
      { index: 1, label: 4, predicted: 4 },
      /image 1 is listed as missed but predicted 4/,
    ],
  ] as const;
  for (const [miss, message] of bad) {
    assert.throws(
      () => confusionMatrix(labels, [miss], "m.json"),
      (e) =>
        e instanceof KitError && message.test(e.message) &&
        e.message.startsWith("m.json: "),
    );
  }
  const twice = { index: 0, label: 3, predicted: 1 };
  assert.throws(
    () => confusionMatrix(labels, [twice, twice], "m.json"),
    /listed twice/,
  );
});

Deno.test("confusionChart() draws 100 cells, each with its count", async () => {
  const counts = Array.from(
    { length: 10 },
    (_, r) =>
      Array.from({ length: 10 }, (_, c) => r === c ? 900 + r : r * 10 + c),
  );
  const spec = JSON.stringify(confusionSpec(counts, "Confusion"));
  assert.ok(spec.includes('"count":907'));
  const svg = await confusionChart(counts, "Confusion");
  assert.equal(svg.match(/aria-roledescription="rect mark"/g)?.length, 100);
  const texts = [
    ...svg.matchAll(/aria-roledescription="text mark"[^>]*>([^<]*)</g),
  ]
    .map((m) => Number(m[1]));
  assert.deepEqual(
    texts.sort((a, b) => a - b),
    counts.flat().sort((a, b) => a - b),
  );
});
