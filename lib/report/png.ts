/**
 * PNG files from rasters, with the `pngjs` encoder (see the README for why a
 * library and not a hand-written encoder).
 *
 * @module
 */

// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { Buffer } from "node:buffer";
import type { Raster } from "./raster.ts";

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE: Uint8Array = Uint8Array.of(
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
);

/**
 * Encodes a raster as an 8-bit PNG: gray (color type 0) for one channel,
 * RGB (color type 2) for three.
 *
 * @param raster `[height, width, channels]` bytes.
 * @returns The PNG file's bytes.
 * @throws {RangeError} When `data` does not hold `width × height × channels`
 * bytes.
 */
export function encodePng(raster: Raster): Uint8Array {
  const { width, height, channels, data } = raster;
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `encodePng: a ${width}x${height} raster with ${channels} channel(s) needs ${
        width * height * channels
      } bytes, got ${data.length}`,
    );
  }
  const colorType = channels === 1 ? 0 : 2;
  const png = { width, height, data: Buffer.from(data) } as unknown as PNG;
  const bytes = PNG.sync.write(png, {
    colorType,
    inputColorType: colorType,
    inputHasAlpha: false,
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Embeds a PNG in a page.
 *
 * @param png A PNG file's bytes.
 * @returns A `data:` URL that embeds it, for a self-contained page.
 */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
}
