import assert from "node:assert/strict";
import { digitLines, QUADRANTS, sideBySide } from "./terminal_digits.ts";

/** A `rows x cols` image with ink where `pattern` has `#`. */
function image(pattern: string[]): Uint8Array {
  return Uint8Array.from(pattern.join(""), (ch) => ch === "#" ? 255 : 0);
}

Deno.test("digitLines() turns each 2x2 block of pixels into its quadrant character", () => {
  const pattern = [
    "#..##.",
    "..#.##",
  ];
  const lines = digitLines(image(pattern), { rows: 2, cols: 6, margin: 0 });
  assert.deepEqual(lines, ["▘▞▙"]);
  for (let bits = 0; bits < 16; bits++) {
    const img = [bits & 1, bits & 2, bits & 4, bits & 8].map((b) =>
      b ? 255 : 0
    );
    assert.equal(
      digitLines(img, { rows: 2, cols: 2, margin: 0 })[0],
      QUADRANTS[bits],
      `pattern ${bits}`,
    );
  }
});

Deno.test("digitLines() drops the margin, thresholds the ink and pads odd sizes", () => {
  const rows = 28, cols = 28;
  const img = new Uint8Array(rows * cols);
  img.fill(255, 0, 28); // the first row is margin: dropped
  img[5 * 28 + 5] = 95; // below the threshold
  img[6 * 28 + 6] = 96;
  const lines = digitLines(img, { rows, cols });
  assert.equal(lines.length, 12);
  assert.ok(lines.every((l) => [...l].length === 12));
  assert.equal(lines.join("").replaceAll(" ", ""), "▘");
  assert.deepEqual(
    digitLines(new Uint8Array(9).fill(255), { rows: 3, cols: 3, margin: 0 }),
    ["█▌", "▀▘"],
  );
});

Deno.test("sideBySide() puts each digit under its true→predicted label, in columns", () => {
  const full = new Uint8Array(784).fill(255);
  const text = sideBySide([
    { label: 7, predicted: 2, confidence: 0.981, image: full },
    { label: 4, predicted: 9, confidence: 0.5, image: new Uint8Array(784) },
  ], { rows: 28, cols: 28 });
  const lines = text.split("\n");
  assert.equal(lines.length, 13);
  assert.equal(lines[0], "7→2 98%" + " ".repeat(5) + "   " + "4→9 50%");
  assert.equal(lines[1], "█".repeat(12));
  assert.equal(sideBySide([], { rows: 28, cols: 28 }), "");
});

Deno.test("digitLines() shrinks the margin so a 1x1 or 3x5 image still draws", () => {
  assert.deepEqual(digitLines([255], { rows: 1, cols: 1 }), ["▘"]);
  const lines = digitLines(new Uint8Array(15).fill(255), { rows: 3, cols: 5 });
  assert.deepEqual(lines, ["▀▘"]); // margin 1: row 1, columns 1-3
});

Deno.test("sideBySide() draws 1x1 digits and 0x28 ones without throwing", () => {
  const miss = { label: 1, predicted: 2, confidence: 0.5, image: [255] };
  assert.equal(sideBySide([miss], { rows: 1, cols: 1 }), "1→2 50%\n▘");
  const empty = { ...miss, image: [] };
  assert.equal(sideBySide([empty], { rows: 0, cols: 28 }), "1→2 50%");
});
