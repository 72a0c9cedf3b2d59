/**
 * A raster: the in-memory picture every PNG figure is drawn into before it
 * is encoded.
 *
 * @module
 */

/** 1 channel: gray; 3 channels: red, green, blue. */
export type Channels = 1 | 3;

/** Bytes, row-major, `channels` per pixel: `[height, width, channels]`. */
export interface Raster {
  /** Pixels per row. */
  width: number;
  /** Rows. */
  height: number;
  /** Bytes per pixel. */
  channels: Channels;
  /** `[height * width * channels]`, 0 dark to 255 bright. */
  data: Uint8Array;
}

/**
 * Allocates a raster of one colour.
 *
 * @param width Pixels per row.
 * @param height Rows.
 * @param channels 1 (gray) or 3 (RGB).
 * @param background The value every byte starts at; default 255 (white).
 * @returns A raster filled with `background`.
 * @throws {RangeError} When a size is not a positive integer.
 */
export function createRaster(
  width: number,
  height: number,
  channels: Channels,
  background = 255,
): Raster {
  for (const [name, n] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(
        `createRaster: ${name} ${n} is not a positive integer`,
      );
    }
  }
  const data = new Uint8Array(width * height * channels).fill(background);
  return { width, height, channels, data };
}

/**
 * Sets one pixel; coordinates outside the raster are ignored.
 *
 * @param raster Where to draw.
 * @param x Column.
 * @param y Row.
 * @param color One value per channel (a gray value is repeated).
 */
export function setPixel(
  raster: Raster,
  x: number,
  y: number,
  color: number | readonly number[],
): void {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height) return;
  const at = (y * raster.width + x) * raster.channels;
  for (let c = 0; c < raster.channels; c++) {
    raster.data[at + c] = typeof color === "number" ? color : color[c];
  }
}

/**
 * Copies a gray image into a raster, each pixel as a `scale` × `scale`
 * square.
 *
 * @param raster Where to draw.
 * @param image `[rows * cols]` bytes, 0 background to 255 ink.
 * @param options `cols` and `rows` of the image, the top-left corner `x`,
 * `y`, the `scale`, and `invert` to draw ink dark on white.
 */
export function blitGray(
  raster: Raster,
  image: ArrayLike<number>,
  options: {
    rows: number;
    cols: number;
    x: number;
    y: number;
    scale?: number;
    invert?: boolean;
  },
): void {
  const { rows, cols, x, y, scale = 1, invert = false } = options;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = image[r * cols + c];
      const shade = invert ? 255 - value : value;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          setPixel(raster, x + c * scale + dx, y + r * scale + dy, shade);
        }
      }
    }
  }
}
