/**
 * The first layer's weights as pictures: unit `j`'s 784 incoming weights
 * (column `j` of `weights`) drawn as a 28x28 tile, blue where the weight is
 * negative, red where positive, white at zero. Each tile is scaled by its
 * own largest |weight|, so it shows the pattern the unit looks for.
 *
 * @module
 */

import { createRaster, type Raster, setPixel } from "./raster.ts";

/**
 * Maps a signed value to a colour.
 *
 * @param value A weight divided by its tile's largest |weight|, in [-1, 1].
 * @returns `[red, green, blue]`: blue (-1) through white (0) to red (+1).
 */
export function divergingColor(value: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, value));
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/** How {@link weightTiles} lays out the tiles. */
export interface WeightTilesOptions {
  /** Tile height: the image's rows (28). */
  rows: number;
  /** Tile width: the image's cols (28). */
  cols: number;
  /** Tiles per grid row; default 16. */
  columns?: number;
  /** Raster pixels per weight; default 2. */
  scale?: number;
  /** Draw at most this many units; default all. */
  limit?: number;
}

/**
 * Draws every first-layer unit's weights as a tile.
 *
 * @param weights `[rows * cols, units]` row-major: the first layer's weights.
 * @param units How many hidden units (columns of `weights`).
 * @param options Tile size, columns, scale and limit.
 * @returns An RGB raster of `min(units, limit)` tiles with a 2-pixel gray gap.
 * @throws {RangeError} When `weights` does not hold `rows × cols × units`
 * values.
 */
export function weightTiles(
  weights: ArrayLike<number>,
  units: number,
  options: WeightTilesOptions,
): Raster {
  const { rows, cols, columns = 16, scale = 2, limit = units } = options;
  const pixels = rows * cols;
  if (weights.length !== pixels * units) {
    throw new RangeError(
      `weightTiles: expected [${pixels}, ${units}] = ${
        pixels * units
      } weights, got ${weights.length}`,
    );
  }
  const shown = Math.min(units, limit);
  const gap = 2;
  const across = Math.min(columns, shown);
  const down = Math.ceil(shown / columns);
  const tileW = cols * scale;
  const tileH = rows * scale;
  const raster = createRaster(
    across * (tileW + gap) + gap,
    down * (tileH + gap) + gap,
    3,
    160,
  );
  for (let unit = 0; unit < shown; unit++) {
    let largest = 0;
    for (let p = 0; p < pixels; p++) {
      largest = Math.max(largest, Math.abs(weights[p * units + unit]));
    }
    const left = gap + (unit % columns) * (tileW + gap);
    const top = gap + Math.floor(unit / columns) * (tileH + gap);
    for (let p = 0; p < pixels; p++) {
      const color = divergingColor(
        largest > 0 ? weights[p * units + unit] / largest : 0,
      );
      const x = left + (p % cols) * scale;
      const y = top + Math.floor(p / cols) * scale;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          setPixel(raster, x + dx, y + dy, color);
        }
      }
    }
  }
  return raster;
}
