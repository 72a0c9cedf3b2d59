/**
 * Missed digits as pictures: the most confident mistakes first, each drawn
 * dark on white with its `true→predicted confidence%` label underneath.
 *
 * @module
 */

import { drawText, FONT_HEIGHT, textWidth } from "./bitmap_font.ts";
import { blitGray, createRaster, type Raster } from "./raster.ts";

/** A mistake and its image. */
export interface MissedDigit {
  /** Its index in its set. */
  index: number;
  /** The true digit. */
  label: number;
  /** What the network said. */
  predicted: number;
  /** The softmax probability of `predicted`, in [0, 1]. */
  confidence: number;
  /** `[rows * cols]` bytes, 0 background to 255 ink. */
  image: Uint8Array;
}

/**
 * Orders mistakes the way the report shows them.
 *
 * @param misses Mistakes in any order.
 * @returns A copy, the most confident first (ties: lower index first).
 */
export function mostConfidentFirst<
  T extends { confidence: number; index: number },
>(
  misses: readonly T[],
): T[] {
  return [...misses].sort((a, b) =>
    b.confidence - a.confidence || a.index - b.index
  );
}

/**
 * Labels a mistake for a PNG grid or a terminal.
 *
 * @param miss A mistake.
 * @returns Its short label, e.g. `7→2 98%` (confidence rounded down, so a
 * mistake never shows as 100% unless it was).
 */
export function missLabel(miss: {
  label: number;
  predicted: number;
  confidence: number;
}): string {
  return `${miss.label}→${miss.predicted} ${
    Math.floor(miss.confidence * 100 + 1e-9)
  }%`;
}

/**
 * Formats a confidence for the page.
 *
 * @param confidence A probability in [0, 1].
 * @returns It as a percentage with one decimal, rounded down (so 0.9996
 * shows as 99.9%, not 100.0%).
 */
export function confidenceText(confidence: number): string {
  return `${(Math.floor(confidence * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

/** How {@link digitGrid} lays out its cells. */
export interface DigitGridOptions {
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
  /** Cells per grid row; default 10. */
  columns?: number;
  /** Raster pixels per image pixel (and per font pixel); default 2. */
  scale?: number;
}

/**
 * Draws mistakes in a grid, in the order given, each image above its
 * {@link missLabel}.
 *
 * @param misses The mistakes to draw (at least one).
 * @param options Image size, columns and scale.
 * @returns A gray raster: `ceil(n / columns)` rows of cells, each
 * `cols × scale + 2 × pad` wide, with `pad = 4 × scale`.
 * @throws {RangeError} When `misses` is empty or an image has the wrong size.
 */
export function digitGrid(
  misses: readonly MissedDigit[],
  options: DigitGridOptions,
): Raster {
  const { rows, cols, columns = 10, scale = 2 } = options;
  if (misses.length === 0) throw new RangeError("digitGrid: no digits to draw");
  const pad = 4 * scale;
  const labelWidth = Math.max(
    ...misses.map((m) => textWidth(missLabel(m), scale)),
  );
  const cellWidth = Math.max(cols * scale, labelWidth) + 2 * pad;
  const cellHeight = rows * scale + (FONT_HEIGHT + 2) * scale + 2 * pad;
  const across = Math.min(columns, misses.length);
  const down = Math.ceil(misses.length / columns);
  const raster = createRaster(across * cellWidth, down * cellHeight, 1, 255);
  misses.forEach((miss, i) => {
    if (miss.image.length !== rows * cols) {
      throw new RangeError(
        `digitGrid: image ${miss.index} has ${miss.image.length} pixels, expected ${rows}x${cols}`,
      );
    }
    const left = (i % columns) * cellWidth;
    const top = Math.floor(i / columns) * cellHeight;
    const imageLeft = left + Math.floor((cellWidth - cols * scale) / 2);
    blitGray(raster, miss.image, {
      rows,
      cols,
      x: imageLeft,
      y: top + pad,
      scale,
      invert: true,
    });
    const text = missLabel(miss);
    drawText(raster, text, {
      x: left + Math.floor((cellWidth - textWidth(text, scale)) / 2),
      y: top + pad + (rows + 2) * scale,
      scale,
      color: 0,
    });
  });
  return raster;
}

/**
 * Draws one digit for the page.
 *
 * @param image `[rows * cols]` bytes, 0 background to 255 ink.
 * @param rows Image height.
 * @param cols Image width.
 * @returns The image alone, dark ink on white, one raster pixel per pixel.
 */
export function digitRaster(
  image: Uint8Array,
  rows: number,
  cols: number,
): Raster {
  const raster = createRaster(cols, rows, 1, 255);
  blitGray(raster, image, { rows, cols, x: 0, y: 0, invert: true });
  return raster;
}
