/**
 * Exercise 09: from files to batches: reading IDX files, normalizing pixels,
 * and cutting shuffled minibatches.
 *
 * The IDX format MNIST ships in: a big-endian header, then raw bytes.
 *
 * | bytes | what                                                       |
 * |-------|------------------------------------------------------------|
 * | 2     | zero                                                       |
 * | 1     | element type: `0x08` = unsigned byte                       |
 * | 1     | number of dimensions `d`: 3 for images, 1 for labels       |
 * | 4 × d | each dimension as a big-endian uint32: `[60000, 28, 28]`   |
 * | rest  | the values, row-major, one byte each                       |
 *
 * @module
 */

import { type Rng, type Tensor, zeros } from "../01_tensors/tensors.ts";

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  /** The dimensions, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values, row-major; `data.length` is the product of `dims`. */
  data: Uint8Array;
}

/** Images and their labels, kept as bytes until a batch needs them. */
export interface LabeledImages {
  /** `[count, pixels]` bytes, 0 (paper) to 255 (ink). */
  images: Uint8Array;
  /** `[count]` digits 0-9. */
  labels: Uint8Array;
  /** How many images. */
  count: number;
  /** Pixels per image (784 for MNIST). */
  pixels: number;
}

/**
 * **Task 09.1**: parse an IDX file of unsigned bytes.
 *
 * @param bytes The file's contents.
 * @param source The file's name, for error messages.
 * @returns The dimensions and the values (a view into `bytes` is fine).
 * @throws {Error} Naming `source` when the file is shorter than its header,
 * the first two bytes are not zero, the type is not `0x08`, or the length
 * is not the header plus the product of the dimensions.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(
      `${source}: ${bytes.length} bytes is too short for an IDX header`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
    const magic = [...bytes.subarray(0, 4)]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    throw new Error(
      `${source}: not an IDX file of unsigned bytes: magic 0x${magic}, expected 0x000008dd`,
    );
  }
  const count = bytes[3];
  const header = 4 + 4 * count;
  if (bytes.length < header) {
    throw new Error(
      `${source}: truncated header: ${bytes.length} bytes, need ${header}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < count; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new Error(
      `${source}: dimensions [${dims.join(", ")}] need ${
        header + size
      } bytes, the file has ${bytes.length}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * **Task 09.2**: the normalizer: the factor that gives the training pixels
 * a mean square of 1, `1 / sqrt(mean(byte²))` (1 if every byte is 0). Fit
 * it on the training images only.
 *
 * @param images Training image bytes.
 * @returns The scale each byte is multiplied by.
 */
export function fitScale(images: Uint8Array): number {
  let sumSquares = 0;
  for (let i = 0; i < images.length; i++) sumSquares += images[i] * images[i];
  const meanSquare = images.length > 0 ? sumSquares / images.length : 0;
  return meanSquare > 0 ? 1 / Math.sqrt(meanSquare) : 1;
}

/**
 * **Task 09.2**: gather images into a network input: row `r` is image
 * `indices[r]`, each byte times `scale`.
 *
 * @param set Where the images come from.
 * @param indices Which images, in order.
 * @param scale From {@link fitScale}.
 * @returns `x` `[indices.length, pixels]` and the matching `labels`.
 * @throws {RangeError} Naming the index when one is not an image of the set.
 */
export function toInputs(
  set: LabeledImages,
  indices: ArrayLike<number>,
  scale: number,
): { x: Tensor; labels: Uint8Array } {
  const { pixels } = set;
  const x = zeros([indices.length, pixels]);
  const labels = new Uint8Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const image = indices[r];
    if (!(image >= 0 && image < set.count)) {
      throw new RangeError(
        `toInputs: index ${image} is not in [0, ${set.count})`,
      );
    }
    for (let p = 0; p < pixels; p++) {
      x.data[r * pixels + p] = set.images[image * pixels + p] * scale;
    }
    labels[r] = set.labels[image];
  }
  return { x, labels };
}

/**
 * **Task 09.3**: one epoch's minibatches: shuffle `0..count-1` with
 * Fisher-Yates (for `i` from the end down to 1, swap entry `i` with entry
 * `floor(rng() · (i + 1))`), then cut it into runs of `batchSize`; the last
 * may be shorter.
 *
 * @param count How many items.
 * @param batchSize Items per batch, ≥ 1.
 * @param rng The random source.
 * @returns The batches; together they hold every index exactly once.
 */
export function batchIndices(
  count: number,
  batchSize: number,
  rng: Rng,
): Int32Array[] {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const held = order[i];
    order[i] = order[j];
    order[j] = held;
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    batches.push(order.subarray(start, start + batchSize));
  }
  return batches;
}
