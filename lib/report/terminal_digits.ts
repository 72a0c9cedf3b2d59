/**
 * Digits drawn in a terminal with Unicode quadrant blocks (`▘▝▖▗▀▄▌▐▚▞▙▛▜▟█`):
 * each character shows a 2x2 block of pixels, so a 28x28 digit (less its
 * blank 2-pixel margin) takes 12 characters by 12 lines.
 *
 * @module
 */

import { missLabel } from "./digit_grid.ts";

/** The block for each 2x2 pattern; bit 1 top-left, 2 top-right, 4 bottom-left, 8 bottom-right. */
export const QUADRANTS: readonly string[] = [
  " ",
  "▘",
  "▝",
  "▀",
  "▖",
  "▌",
  "▞",
  "▛",
  "▗",
  "▚",
  "▐",
  "▜",
  "▄",
  "▙",
  "▟",
  "█",
];

/** How a digit is drawn. */
export interface TerminalDigitOptions {
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
  /** Pixels at or above this byte value are ink; default 96. */
  threshold?: number;
  /** Blank pixels to drop on each side; default 2 (MNIST's margin). */
  margin?: number;
}

/**
 * Draws one digit as lines of quadrant blocks.
 *
 * @param image `[rows * cols]` bytes, 0 background to 255 ink.
 * @param options Size, threshold and margin.
 * @returns `ceil((rows - 2 margin) / 2)` lines, each
 * `ceil((cols - 2 margin) / 2)` characters wide.
 */
export function digitLines(
  image: ArrayLike<number>,
  options: TerminalDigitOptions,
): string[] {
  const { rows, cols, threshold = 96 } = options;
  // A margin never eats the whole image: tiny images still draw a line.
  const margin = Math.max(
    0,
    Math.min(options.margin ?? 2, Math.floor((Math.min(rows, cols) - 1) / 2)),
  );
  const ink = (r: number, c: number) =>
    r < rows - margin && c < cols - margin && image[r * cols + c] >= threshold
      ? 1
      : 0;
  const lines: string[] = [];
  for (let r = margin; r < rows - margin; r += 2) {
    let line = "";
    for (let c = margin; c < cols - margin; c += 2) {
      line += QUADRANTS[
        ink(r, c) | ink(r, c + 1) << 1 | ink(r + 1, c) << 2 |
        ink(r + 1, c + 1) << 3
      ];
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Draws mistakes side by side, each under its `true→predicted confidence%`
 * label.
 *
 * @param misses The mistakes, in the order to show them.
 * @param options Size, threshold and margin.
 * @returns The lines, without a trailing newline; empty for no mistakes.
 */
export function sideBySide(
  misses: readonly {
    label: number;
    predicted: number;
    confidence: number;
    image: ArrayLike<number>;
  }[],
  options: TerminalDigitOptions,
): string {
  if (misses.length === 0) return "";
  const drawn = misses.map((m) => digitLines(m.image, options));
  const width = Math.max(
    drawn[0][0]?.length ?? 0,
    ...misses.map((m) => [...missLabel(m)].length),
  );
  const gap = "   ";
  const pad = (text: string) => text + " ".repeat(width - [...text].length);
  const lines = [misses.map((m) => pad(missLabel(m))).join(gap)];
  for (let i = 0; i < drawn[0].length; i++) {
    lines.push(drawn.map((d) => pad(d[i])).join(gap));
  }
  return lines.map((line) => line.trimEnd()).join("\n");
}
