/**
 * The IDX format MNIST ships in: a big-endian header, then raw bytes.
 *
 * | bytes | what                                                         |
 * |-------|--------------------------------------------------------------|
 * | 2     | zero                                                         |
 * | 1     | element type: `0x08` = unsigned byte (the only one MNIST uses)|
 * | 1     | number of dimensions: 3 for images, 1 for labels             |
 * | 4 × d | each dimension, uint32 big-endian: `[count, 28, 28]`, `[count]`|
 * | rest  | the values, row-major                                        |
 *
 * So images start with the magic number `0x00000803`, labels with
 * `0x00000801`. Files may also be gzip-compressed (`.gz`, as LeCun's site
 * served them); {@link readIdxFile} inflates them.
 *
 * @module
 */

import { KitError } from "../base/errors.ts";

/**
 * A parsed IDX file of unsigned bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const labels: IdxArray = parseIdx(encodeIdx([3], [7, 2, 1]), "labels", 1);
 * assert(labels.dims[0] === 3 && labels.data[0] === 7);
 * ```
 */
export interface IdxArray {
  /** The dimensions, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values, row-major: `data.length` is the product of `dims`. */
  data: Uint8Array;
}

/**
 * The magic number of an IDX file of unsigned bytes with `dims` dimensions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(idxMagic(3) === 0x0803); // unsigned bytes, 3 dimensions
 * ```
 */
export function idxMagic(dimensions: number): number {
  return 0x0800 + dimensions;
}

/**
 * Parses an IDX file of unsigned bytes, checking magic number and length.
 *
 * @param bytes The file's (uncompressed) contents.
 * @param source The file's name, for error messages.
 * @param dimensions How many dimensions the file must have (3 for images,
 * 1 for labels).
 * @returns The dimensions and a view of the values (no copy).
 * @throws {KitError} On a wrong magic number or a length that does not match
 * the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const images = parseIdx(encodeIdx([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]), "images", 3);
 * assert(images.dims.join() === "2,2,2" && images.data[7] === 7);
 * ```
 */
export function parseIdx(
  bytes: Uint8Array,
  source: string,
  dimensions: number,
): IdxArray {
  const headerLength = 4 + 4 * dimensions;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.length >= 4 ? view.getUint32(0, false) : -1;
  if (magic !== idxMagic(dimensions)) {
    const found = magic < 0
      ? `only ${bytes.length} bytes`
      : `0x${magic.toString(16).padStart(8, "0")}`;
    throw new KitError(
      `${source}: not an IDX file of ${dimensions}-D unsigned bytes: expected magic ` +
        `0x${
          idxMagic(dimensions).toString(16).padStart(8, "0")
        }, found ${found}`,
    );
  }
  if (bytes.length < headerLength) {
    throw new KitError(
      `${source}: truncated IDX header: ${bytes.length} bytes, expected at least ${headerLength}`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < dimensions; d++) {
    dims.push(view.getUint32(4 + 4 * d, false));
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerLength + count) {
    throw new KitError(
      `${source}: dimensions [${dims.join(", ")}] need ${
        headerLength + count
      } bytes, ` +
        `the file has ${bytes.length}${
          bytes.length < headerLength + count ? " (truncated)" : ""
        }`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/**
 * Builds IDX bytes: how tests make small MNIST-like files of their own.
 *
 * @param dims The dimensions, e.g. `[2, 28, 28]`.
 * @param data The values; its length must be the product of `dims`.
 * @returns The file's contents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeIdx([2], [5, 9]);
 * assert(bytes.length === 4 + 4 + 2); // magic, one dimension, data
 * ```
 */
export function encodeIdx(
  dims: readonly number[],
  data: ArrayLike<number>,
): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(
      `encodeIdx: dims [${dims}] need ${count} values, got ${data.length}`,
    );
  }
  const bytes = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, idxMagic(dims.length), false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

/**
 * Inflates gzip data; passes anything else through.
 *
 * @param bytes Possibly gzip-compressed bytes.
 * @returns The bytes, inflated if they started with the gzip signature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const plain = new Uint8Array([1, 2, 3]);
 * assert((await gunzipIfNeeded(plain)) === plain); // not gzip: as is
 * ```
 */
export async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The largest IDX file the kit reads, uncompressed: 512 MiB, ten times the
 * MNIST training images. A header claiming more is refused before anything
 * that size is read or inflated.
 */
export const MAX_IDX_BYTES = 512 * 2 ** 20;

/**
 * Inflates a gzip-compressed IDX file no further than its own header
 * allows: once the header's dimensions are in, the output buffer is sized
 * from them, and inflating stops with an error as soon as the data would
 * overflow it. A small file that inflates to gigabytes costs at most the
 * header's size.
 *
 * @param gzipped The compressed file.
 * @param source The file's name, for error messages.
 * @param dimensions 3 for images, 1 for labels.
 * @returns The inflated bytes (shorter than the header says when the
 * stream ends early, only the header when its magic number is wrong:
 * {@link parseIdx} then reports either).
 * @throws {KitError} When the header claims more than {@link MAX_IDX_BYTES}
 * or the data runs past what the header claims.
 * @throws {TypeError} When the gzip framing is broken.
 */
export async function gunzipIdx(
  gzipped: Uint8Array,
  source: string,
  dimensions: number,
): Promise<Uint8Array> {
  const headerLength = 4 + 4 * dimensions;
  const reader = inflateInPieces(gzipped);
  let out: Uint8Array = new Uint8Array(headerLength);
  let length = 0;
  let sized = false;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      let chunk: Uint8Array = r.value;
      if (!sized) {
        const head = Math.min(chunk.length, headerLength - length);
        out.set(chunk.subarray(0, head), length);
        length += head;
        chunk = chunk.subarray(head);
        if (length < headerLength) continue;
        const sizedOut = sizedFromHeader(out, source, dimensions);
        // A wrong magic number: the header is enough for parseIdx to say so.
        if (!sizedOut) return out;
        out = sizedOut;
        sized = true;
      }
      if (length + chunk.length > out.length) {
        throw new KitError(
          `${source}: inflates to more than the ${out.length} bytes its header's dimensions need`,
        );
      }
      out.set(chunk, length);
      length += chunk.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out.subarray(0, length);
}

/** Compressed bytes fed to the inflater at a time: see inflateInPieces. */
const GZIP_PIECE = 4096;

/**
 * A reader of the inflated bytes that feeds the compressed ones in 4 KiB
 * pieces, each only once the previous piece's output was read. The
 * inflater turns a whole input chunk into output at once, and deflate
 * reaches 1032:1, so one 1 MB chunk of a gzip bomb would be a gigabyte
 * before the first read; a 4 KiB piece is at most about 4 MB.
 */
function inflateInPieces(
  gzipped: Uint8Array,
): ReadableStreamDefaultReader<Uint8Array> {
  const inflater = new DecompressionStream("gzip");
  const writer = inflater.writable.getWriter();
  (async () => {
    for (let at = 0; at < gzipped.length; at += GZIP_PIECE) {
      await writer.ready;
      await writer.write(gzipped.subarray(at, at + GZIP_PIECE) as BufferSource);
    }
    await writer.close();
  })().catch(() => {}); // the reader sees the same error, or cancelled
  return inflater.readable.getReader();
}

/**
 * A buffer of the size the header claims, holding the header; `undefined`
 * for a wrong magic number.
 */
function sizedFromHeader(
  header: Uint8Array,
  source: string,
  dimensions: number,
): Uint8Array | undefined {
  const view = new DataView(header.buffer, header.byteOffset);
  if (view.getUint32(0, false) !== idxMagic(dimensions)) return undefined;
  let values = 1;
  for (let d = 0; d < dimensions; d++) {
    values *= view.getUint32(4 + 4 * d, false);
  }
  const total = header.length + values;
  if (total > MAX_IDX_BYTES) {
    throw new KitError(
      `${source}: the header claims ${total} bytes, more than the ${MAX_IDX_BYTES} the kit reads`,
    );
  }
  const sized = new Uint8Array(total);
  sized.set(header);
  return sized;
}

/**
 * Reads and parses an IDX file, plain or gzip-compressed.
 *
 * @param dimensions 3 for images, 1 for labels.
 * @throws {KitError} When the file is missing, unreadable, not valid gzip,
 * or not a valid IDX file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, encodeIdx([3], [7, 2, 1]));
 * assert((await readIdxFile(path, 1)).data.join() === "7,2,1");
 * await Deno.remove(path);
 * ```
 */
export async function readIdxFile(
  path: string,
  dimensions: number,
): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    const { size } = await Deno.stat(path);
    if (size > MAX_IDX_BYTES) {
      throw new KitError(
        `${path}: ${size} bytes, more than the ${MAX_IDX_BYTES} the kit reads`,
      );
    }
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof KitError) throw error;
    throw new KitError(`${path}: cannot read (${(error as Error).message})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipIdx(bytes, path, dimensions);
    } catch (error) {
      if (error instanceof KitError) throw error;
      throw new KitError(
        `${path}: not valid gzip (${(error as Error).message})`,
      );
    }
  }
  return parseIdx(bytes, path, dimensions);
}
