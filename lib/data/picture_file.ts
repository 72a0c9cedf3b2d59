/**
 * Reads the pictures `deno task predict` and the lab accept: a PNG of any
 * size and colour type, or one image of an IDX file (`FILE#INDEX`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { KitError } from "../base/errors.ts";
import { gunzipIfNeeded, parseIdx } from "./idx.ts";
import type { Picture } from "./preprocess.ts";

/**
 * Decodes a PNG file to RGBA.
 *
 * @param bytes The file's contents.
 * @param source Names the file in messages.
 * @returns The picture.
 * @throws {KitError} When the bytes are not a PNG or decode to no pixels.
 */
export function decodePng(bytes: Uint8Array, source: string): Picture {
  let png: { width: number; height: number; data: Uint8Array };
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (error) {
    throw new KitError(
      `${source}: not a PNG image (${(error as Error).message})`,
      "give a PNG file, or an IDX images file with an index: FILE#INDEX",
    );
  }
  if (png.width < 1 || png.height < 1 || png.data.length === 0) {
    throw new KitError(`${source}: the PNG decodes to no pixels`);
  }
  return {
    width: png.width,
    height: png.height,
    channels: 4,
    pixels: new Uint8Array(
      png.data.buffer,
      png.data.byteOffset,
      png.data.length,
    ),
  };
}

/**
 * Reads a picture: `path` (a PNG) or `path#index` (an image of an IDX file,
 * plain or gzipped).
 *
 * @param spec A path, optionally with `#index`.
 * @returns The picture.
 * @throws {KitError} When the file is missing, not an image, or the index
 * is out of range.
 */
export async function readPicture(spec: string): Promise<Picture> {
  const match = /^(.*)#(\d+)$/.exec(spec);
  const path = match ? match[1] : spec;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new KitError(`${path}: cannot read (${(error as Error).message})`);
  }
  if (!match) return decodePng(bytes, path);
  const idx = parseIdx(await gunzipIfNeeded(bytes), path, 3);
  const [count, height, width] = idx.dims;
  const index = Number(match[2]);
  if (index >= count) {
    throw new KitError(
      `${spec}: index ${index} is out of range (the file holds ${count} images)`,
    );
  }
  return {
    width,
    height,
    channels: 1,
    pixels: idx.data.subarray(
      index * width * height,
      (index + 1) * width * height,
    ),
  };
}
