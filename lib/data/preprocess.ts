/**
 * Turns any picture of a digit into the 28x28 input MNIST's digits are, the
 * way MNIST was made (LeCun et al.): the ink's bounding box is scaled so its
 * longer side is 20 pixels (aspect ratio kept, grey levels kept by area
 * averaging), then placed in a 28x28 field so that its centre of mass sits
 * at the centre. Dark-on-light pictures are detected (by their border) and
 * inverted, so ink is always bright, as in MNIST. `deno task predict` and
 * the lab's drawing pad both go through {@link toMnistDigit}.
 *
 * Runs in the browser too: no Deno or Node API here.
 *
 * @module
 */

import { KitError } from "../base/errors.ts";

/**
 * A picture as decoded: row-major pixels with 1 (grey) or 4 (RGBA) channels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const picture: Picture = { width: 2, height: 1, channels: 1, pixels: Uint8Array.of(0, 255) };
 * assert(picture.pixels.length === picture.width * picture.height * picture.channels);
 * ```
 */
export interface Picture {
  /** Pixels per row. */
  width: number;
  /** Rows. */
  height: number;
  /** 1: grey bytes; 4: RGBA bytes (transparent counts as white paper). */
  channels: 1 | 4;
  /** `[height, width, channels]` bytes. */
  pixels: Uint8Array | Uint8ClampedArray;
}

/**
 * The side of an MNIST image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(MNIST_SIDE * MNIST_SIDE === 784);
 * ```
 */
export const MNIST_SIDE = 28;
/**
 * The longer side of the digit's box inside the 28x28 field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(DIGIT_BOX === 20);
 * ```
 */
export const DIGIT_BOX = 20;
/** Ink below this share of the brightest ink is ignored for the bounding box. */
const INK_THRESHOLD = 0.1;

/**
 * Preprocesses a picture as MNIST's digits were.
 *
 * @param picture Any size, grey or RGBA, dark-on-light or light-on-dark.
 * @param source Names the picture in messages.
 * @returns `[784]` bytes, 0 background to 255 ink, centred by mass.
 * @throws {KitError} When the picture is empty or holds no ink.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // A 10x40 bar of ink on a 100x100 white page, dark on light.
 * const pixels = new Uint8Array(100 * 100).fill(255);
 * for (let y = 30; y < 70; y++) for (let x = 5; x < 15; x++) pixels[y * 100 + x] = 0;
 * const digit = toMnistDigit({ width: 100, height: 100, channels: 1, pixels }, "bar");
 * assert(digit.length === 784);
 * assert(digit.filter((v) => v === 255).length === 5 * 20); // 20 tall, 5 wide, bright
 * ```
 */
export function toMnistDigit(picture: Picture, source: string): Uint8Array {
  if (picture.width < 1 || picture.height < 1) {
    throw new KitError(`${source}: the image has no pixels`);
  }
  const ink = inkOf(picture);
  const box = inkBox(ink, picture.width, picture.height);
  if (box === null) {
    throw new KitError(
      `${source}: no ink found (the image is one flat colour)`,
      "draw or photograph a digit with clear contrast to its background",
    );
  }
  const longer = Math.max(box.width, box.height);
  const width = Math.max(1, Math.round(box.width * DIGIT_BOX / longer));
  const height = Math.max(1, Math.round(box.height * DIGIT_BOX / longer));
  const scaled = resample(ink, picture.width, box, width, height);
  return centreByMass(scaled, width, height);
}

/**
 * Grey ink levels: 0 for paper, up to 255 for the darkest ink, whichever of
 * dark or light the paper is (the border's mean decides).
 *
 * @returns `[height * width]` ink levels as floats.
 */
function inkOf(picture: Picture): Float32Array {
  const { width, height, channels, pixels } = picture;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    if (channels === 1) grey[i] = pixels[i];
    else {
      const p = i * 4;
      const alpha = pixels[p + 3] / 255;
      const luma = 0.299 * pixels[p] + 0.587 * pixels[p + 1] +
        0.114 * pixels[p + 2];
      grey[i] = luma * alpha + 255 * (1 - alpha);
    }
  }
  let borderSum = 0;
  let borderCount = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y > 0 && y < height - 1 && x > 0 && x < width - 1) continue;
      borderSum += grey[y * width + x];
      borderCount++;
    }
  }
  const paperIsLight = borderSum / borderCount > 127.5;
  const paper = paperIsLight
    ? Math.max(...sampleBorder(grey, width, height))
    : Math.min(...sampleBorder(grey, width, height));
  const range = paperIsLight ? paper : 255 - paper;
  for (let i = 0; i < grey.length; i++) {
    const level = paperIsLight ? paper - grey[i] : grey[i] - paper;
    grey[i] = range > 0 ? Math.max(0, level) * 255 / range : 0;
  }
  return grey;
}

/** The four corners: the paper's level, robust to a digit touching an edge. */
function sampleBorder(grey: Float32Array, width: number, height: number) {
  const corners = [
    grey[0],
    grey[width - 1],
    grey[(height - 1) * width],
    grey[height * width - 1],
  ];
  return corners.sort((a, b) => a - b).slice(1, 3);
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest box holding every pixel of clear ink, or null when none is. */
function inkBox(ink: Float32Array, width: number, height: number): Box | null {
  let max = 0;
  for (const v of ink) max = Math.max(max, v);
  if (max < 1) return null;
  const threshold = max * INK_THRESHOLD;
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] < threshold) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * Area-averaging resample of a box of `ink` to `width` x `height`: each
 * output pixel is the mean of the source area it covers (fractions
 * weighted), so thin strokes keep their grey instead of vanishing.
 *
 * @returns `[height * width]` levels.
 */
function resample(
  ink: Float32Array,
  stride: number,
  box: Box,
  width: number,
  height: number,
): Float32Array {
  const rows = new Float32Array(box.height * width);
  for (let y = 0; y < box.height; y++) {
    const line = (x: number) => ink[(box.y + y) * stride + box.x + x];
    averageLine(line, box.width, width, (x, v) => rows[y * width + x] = v);
  }
  const out = new Float32Array(height * width);
  for (let x = 0; x < width; x++) {
    averageLine(
      (y) => rows[y * width + x],
      box.height,
      height,
      (y, v) => out[y * width + x] = v,
    );
  }
  return out;
}

/** One dimension of {@link resample}: `from` values averaged into `to`. */
function averageLine(
  read: (i: number) => number,
  from: number,
  to: number,
  write: (i: number, value: number) => void,
): void {
  const step = from / to;
  for (let o = 0; o < to; o++) {
    const start = o * step;
    const end = start + step;
    let sum = 0;
    for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      sum += read(i) * overlap;
    }
    write(o, sum / step);
  }
}

/**
 * Places a digit in the 28x28 field with its centre of mass at the centre
 * (rounded to whole pixels; ink pushed past the edge is dropped).
 *
 * @returns `[784]` bytes.
 */
function centreByMass(
  digit: Float32Array,
  width: number,
  height: number,
): Uint8Array {
  let mass = 0, sumX = 0, sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = digit[y * width + x];
      mass += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  const centre = (MNIST_SIDE - 1) / 2;
  const left = Math.round(centre - sumX / mass);
  const top = Math.round(centre - sumY / mass);
  const out = new Uint8Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const tx = x + left, ty = y + top;
      if (tx < 0 || ty < 0 || tx >= MNIST_SIDE || ty >= MNIST_SIDE) continue;
      out[ty * MNIST_SIDE + tx] = Math.min(
        255,
        Math.round(digit[y * width + x]),
      );
    }
  }
  return out;
}
