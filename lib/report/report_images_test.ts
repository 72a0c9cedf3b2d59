import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { canDraw, drawText, FONT_HEIGHT, textWidth } from "./bitmap_font.ts";
import {
  confidenceText,
  digitGrid,
  digitRaster,
  type MissedDigit,
  missLabel,
  mostConfidentFirst,
} from "./digit_grid.ts";
import { encodePng } from "./png.ts";
import { createRaster, type Raster } from "./raster.ts";
import { divergingColor, weightTiles } from "./weights_image.ts";
import { syntheticDigits } from "../../tests/helpers/synthetic.ts";

function pixel(raster: Raster, x: number, y: number): number[] {
  const at = (y * raster.width + x) * raster.channels;
  return [...raster.data.subarray(at, at + raster.channels)];
}

function misses(count: number): MissedDigit[] {
  const { images } = syntheticDigits(count, 5);
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    label: i % 10,
    predicted: (i + 3) % 10,
    confidence: 0.5 + i / 100,
    image: images.subarray(i * 784, (i + 1) * 784),
  }));
}

Deno.test("missLabel() writes true→predicted and the confidence rounded down", () => {
  assert.equal(
    missLabel({ label: 7, predicted: 2, confidence: 0.987 }),
    "7→2 98%",
  );
  assert.equal(
    missLabel({ label: 4, predicted: 9, confidence: 0.9999 }),
    "4→9 99%",
  );
  assert.equal(
    missLabel({ label: 1, predicted: 0, confidence: 1 }),
    "1→0 100%",
  );
  assert.equal(
    missLabel({ label: 3, predicted: 5, confidence: 0.29 }),
    "3→5 29%",
  );
});

Deno.test("mostConfidentFirst() orders by confidence, then by index, without changing its input", () => {
  const list = [
    { index: 4, confidence: 0.5 },
    { index: 1, confidence: 0.9 },
    { index: 0, confidence: 0.5 },
  ];
  assert.deepEqual(mostConfidentFirst(list).map((m) => m.index), [1, 0, 4]);
  assert.deepEqual(list.map((m) => m.index), [4, 1, 0]);
});

Deno.test("digitRaster() is the digit ink-dark on white, and its PNG decodes to 255 - input", () => {
  const [miss] = misses(1);
  const raster = digitRaster(miss.image, 28, 28);
  const png = PNG.sync.read(Buffer.from(encodePng(raster)));
  assert.deepEqual([png.width, png.height], [28, 28]);
  const decoded = [...png.data].filter((_, i) => i % 4 === 0);
  assert.deepEqual(decoded, [...miss.image].map((v) => 255 - v));
});

Deno.test("digitGrid() draws each digit at 2x in its cell with its label below", () => {
  const list = misses(12);
  const grid = digitGrid(list, { rows: 28, cols: 28, columns: 5, scale: 2 });
  const pad = 8;
  const cellWidth = 56 + 2 * pad;
  const cellHeight = 56 + (FONT_HEIGHT + 2) * 2 + 2 * pad;
  assert.equal(grid.channels, 1);
  assert.equal(grid.width, 5 * cellWidth);
  assert.equal(grid.height, 3 * cellHeight);
  for (const i of [0, 6, 11]) {
    const left = (i % 5) * cellWidth + pad;
    const top = Math.floor(i / 5) * cellHeight + pad;
    for (let p = 0; p < 784; p++) {
      const x = left + (p % 28) * 2;
      const y = top + Math.floor(p / 28) * 2;
      for (const [dx, dy] of [[0, 0], [1, 1]]) {
        assert.equal(
          pixel(grid, x + dx, y + dy)[0],
          255 - list[i].image[p],
          `cell ${i} pixel ${p}`,
        );
      }
    }
    let ink = 0;
    for (let y = top + 60; y < top + 60 + FONT_HEIGHT * 2; y++) {
      for (let x = left - pad; x < left - pad + cellWidth; x++) {
        if (pixel(grid, x, y)[0] === 0) ink++;
      }
    }
    assert.ok(ink > 40, `cell ${i}: label has ${ink} dark pixels`);
  }
});

Deno.test("digitGrid() refuses an empty list and an image of the wrong size", () => {
  assert.throws(() => digitGrid([], { rows: 28, cols: 28 }), /no digits/);
  const [bad] = misses(1);
  assert.throws(
    () =>
      digitGrid([{ ...bad, image: new Uint8Array(10) }], {
        rows: 28,
        cols: 28,
      }),
    /image 0 has 10 pixels, expected 28x28/,
  );
});

Deno.test("drawText() draws the glyphs it has and refuses the others", () => {
  assert.ok(canDraw("7→2 98%"));
  assert.ok(!canDraw("a"));
  assert.equal(textWidth("1", 1), 3);
  assert.equal(textWidth("7→2", 2), (3 + 1 + 5 + 1 + 3) * 2);
  const raster = createRaster(5, 7, 1);
  drawText(raster, "1", { x: 1, y: 1 });
  const rows = [];
  for (let y = 1; y < 6; y++) {
    let row = "";
    for (let x = 1; x < 4; x++) row += pixel(raster, x, y)[0] === 0 ? "#" : ".";
    rows.push(row);
  }
  assert.deepEqual(rows, [".#.", "##.", ".#.", ".#.", "###"]);
  assert.throws(
    () => drawText(raster, "x", { x: 0, y: 0 }),
    /no glyph for "x"/,
  );
});

Deno.test("divergingColor() is blue below zero, white at zero, red above", () => {
  assert.deepEqual(divergingColor(-1), [0, 0, 255]);
  assert.deepEqual(divergingColor(0), [255, 255, 255]);
  assert.deepEqual(divergingColor(1), [255, 0, 0]);
  assert.deepEqual(divergingColor(0.5), [255, 128, 128]);
  assert.deepEqual(divergingColor(7), [255, 0, 0]);
});

Deno.test("weightTiles() draws column j of [784, units] as tile j, scaled by its largest |weight|", () => {
  const units = 3;
  const weights = new Float32Array(784 * units);
  weights[0 * units + 0] = 2; // unit 0, pixel (0, 0): its largest, positive
  weights[1 * units + 0] = -1; // unit 0, pixel (0, 1): half, negative
  weights[29 * units + 2] = -0.25; // unit 2, pixel (1, 1): its largest, negative
  const tiles = weightTiles(weights, units, {
    rows: 28,
    cols: 28,
    columns: 2,
    scale: 2,
  });
  const gap = 2;
  assert.equal(tiles.channels, 3);
  assert.equal(tiles.width, 2 * (56 + gap) + gap);
  assert.equal(tiles.height, 2 * (56 + gap) + gap);
  assert.deepEqual(pixel(tiles, gap, gap), [255, 0, 0]);
  assert.deepEqual(pixel(tiles, gap + 3, gap + 1), [128, 128, 255]);
  assert.deepEqual(pixel(tiles, gap + 10, gap + 10), [255, 255, 255]);
  const tile2 = gap + 56 + gap; // unit 2 starts the second row
  assert.deepEqual(pixel(tiles, gap + 2, tile2 + 2), [0, 0, 255]);
  assert.deepEqual(pixel(tiles, 0, 0), [160, 160, 160], "the gap is gray");
  assert.throws(
    () => weightTiles(new Float32Array(10), 3, { rows: 28, cols: 28 }),
    /expected \[784, 3\] = 2352 weights, got 10/,
  );
});

Deno.test("confidenceText() rounds down to one decimal, so a near-certain mistake never reads 100.0%", () => {
  assert.equal(confidenceText(0.9996), "99.9%");
  assert.equal(confidenceText(0.5), "50.0%");
  assert.equal(confidenceText(0.12345), "12.3%");
  assert.equal(confidenceText(1), "100.0%");
});
