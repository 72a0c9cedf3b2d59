/**
 * A 5-pixel-high bitmap font for the labels drawn into PNG figures
 * (`7→2 98%`): digits, the arrow, `%`, `.` and space. Tiny and exact, so a
 * PNG file needs no font installed to carry its labels.
 *
 * @module
 */

import { type Raster, setPixel } from "./raster.ts";

/** Each glyph: 5 rows of `#` (ink) and `.` (paper), all rows equally wide. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  "0": ["###", "#.#", "#.#", "#.#", "###"],
  "1": [".#.", "##.", ".#.", ".#.", "###"],
  "2": ["###", "..#", "###", "#..", "###"],
  "3": ["###", "..#", "###", "..#", "###"],
  "4": ["#.#", "#.#", "###", "..#", "..#"],
  "5": ["###", "#..", "###", "..#", "###"],
  "6": ["###", "#..", "###", "#.#", "###"],
  "7": ["###", "..#", ".#.", ".#.", ".#."],
  "8": ["###", "#.#", "###", "#.#", "###"],
  "9": ["###", "#.#", "###", "..#", "###"],
  "→": ["..#..", "...#.", "#####", "...#.", "..#.."],
  "%": ["#.#", "..#", ".#.", "#..", "#.#"],
  ".": [".", ".", ".", ".", "#"],
  " ": ["..", "..", "..", "..", ".."],
};

/** Glyph height in font pixels. */
export const FONT_HEIGHT = 5;

/**
 * Tells whether the font can draw a text.
 *
 * @returns Whether every character of `text` has a glyph.
 */
export function canDraw(text: string): boolean {
  return [...text].every((ch) => Object.hasOwn(GLYPHS, ch));
}

/**
 * Measures a text drawn with {@link drawText}.
 *
 * @param text The label.
 * @param scale Raster pixels per font pixel.
 * @returns Its width in raster pixels, one font pixel between glyphs.
 */
export function textWidth(text: string, scale = 1): number {
  const chars = [...text];
  const sum = chars.reduce((n, ch) => n + (GLYPHS[ch]?.[0].length ?? 0), 0);
  return (sum + Math.max(0, chars.length - 1)) * scale;
}

/**
 * Draws `text` with its top-left corner at (`x`, `y`).
 *
 * @param raster Where to draw.
 * @param text Digits, `→`, `%`, `.` and spaces.
 * @param options Position, `scale` (default 1) and `color` (default black).
 * @throws {RangeError} On a character the font lacks.
 */
export function drawText(
  raster: Raster,
  text: string,
  options: {
    x: number;
    y: number;
    scale?: number;
    color?: number | readonly number[];
  },
): void {
  const { y, scale = 1, color = 0 } = options;
  let x = options.x;
  for (const ch of text) {
    const glyph = GLYPHS[ch];
    if (!glyph) {
      throw new RangeError(
        `drawText: no glyph for ${JSON.stringify(ch)} in ${
          JSON.stringify(text)
        }`,
      );
    }
    glyph.forEach((row, gy) => {
      [...row].forEach((cell, gx) => {
        if (cell !== "#") return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            setPixel(raster, x + gx * scale + dx, y + gy * scale + dy, color);
          }
        }
      });
    });
    x += (glyph[0].length + 1) * scale;
  }
}
