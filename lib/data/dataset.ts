/**
 * From bytes to batches: the train/validation split, normalization and
 * shuffled minibatches.
 *
 * Images stay as bytes (47 MB for all of MNIST) and are turned into floats
 * one batch at a time, so f64 training costs no extra memory for the data.
 *
 * @module
 */

import type { Kernels } from "../kernels/kernel_set.ts";
import type { LabeledImages } from "./mnist.ts";
import type { Rng } from "../base/rng.ts";
import { allocate, type DType, Tensor, zeros } from "../base/tensor.ts";

/**
 * A contiguous slice of a {@link LabeledImages} (views, no copies).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const last = sliceImages(set, 2, 4);
 * assert(last.count === 2 && last.labels[0] === 2);
 * ```
 */
export function sliceImages(
  set: LabeledImages,
  start: number,
  end: number,
): LabeledImages {
  const pixels = set.rows * set.cols;
  return {
    images: set.images.subarray(start * pixels, end * pixels),
    labels: set.labels.subarray(start, end),
    count: end - start,
    rows: set.rows,
    cols: set.cols,
  };
}

/**
 * The original project's split: the first `count - validationCount`
 * training images train, the last `validationCount` (10,000) validate.
 *
 * @param train The full training set.
 * @param validationCount How many to hold out; default 10,000.
 * @returns Both parts, as views.
 * @throws {RangeError} When there are not enough images.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const { train, validation } = splitTrainValidation(set, 1);
 * assert(train.count === 3 && validation.labels[0] === 3);
 * ```
 */
export function splitTrainValidation(
  train: LabeledImages,
  validationCount = 10000,
): { train: LabeledImages; validation: LabeledImages } {
  if (!(validationCount >= 0 && validationCount < train.count)) {
    throw new RangeError(
      `cannot hold out ${validationCount} of ${train.count} images for validation`,
    );
  }
  const cut = train.count - validationCount;
  return {
    train: sliceImages(train, 0, cut),
    validation: sliceImages(train, cut, train.count),
  };
}

/**
 * How pixels become network inputs: `x = byte × scale`.
 *
 * `scale` makes the mean of x² over the training images equal 1. That is
 * the quantity He initialization assumes (a layer's output variance is
 * `fanIn · Var(w) · E[x²]`), and unlike subtracting the mean it keeps blank
 * pixels at exactly 0, which the fast kernels skip.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const normalizer: Normalizer = { scale: 1 / 255 };
 * assert(255 * normalizer.scale === 1);
 * ```
 */
export interface Normalizer {
  /** Multiplies each byte. */
  scale: number;
}

/**
 * Fits a {@link Normalizer} on training images only: statistics from
 * validation or test images would leak them into training.
 *
 * @param train The training split.
 * @returns The scale that gives the training pixels a mean square of 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const { scale } = fitNormalizer(set); // mean of (byte · scale)² is 1
 * const meanSquare = set.images.reduce((sum, b) => sum + (b * scale) ** 2, 0) / 16;
 * assert(Math.abs(meanSquare - 1) < 1e-12);
 * ```
 */
export function fitNormalizer(
  train: Pick<LabeledImages, "images">,
): Normalizer {
  let sumSquares = 0;
  const images = train.images;
  for (let i = 0; i < images.length; i++) sumSquares += images[i] * images[i];
  const meanSquare = sumSquares / train.images.length;
  return { scale: meanSquare > 0 ? 1 / Math.sqrt(meanSquare) : 1 };
}

/**
 * Writes normalized images into a batch tensor.
 *
 * @param set Where the images come from.
 * @param indices Which images, in order; `count` of them starting at `from`.
 * @param from The first position in `indices`.
 * @param normalizer The byte → float scale.
 * @param out `[count, pixels]` receives the images.
 * @param labels `[count]` receives their labels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeros } from "@mnist-from-scratch/kit";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const images = zeros([2, 4]);
 * const labels = new Uint8Array(2);
 * fillBatch(set, [3, 1], 0, { scale: 1 }, images, labels);
 * assert(labels.join() === "3,1" && images.data[0] === 12 * 16);
 * ```
 */
export function fillBatch(
  set: LabeledImages,
  indices: ArrayLike<number>,
  from: number,
  normalizer: Normalizer,
  out: Tensor,
  labels: Uint8Array,
): void {
  const pixels = set.rows * set.cols;
  const x = out.data;
  const images = set.images;
  const { scale } = normalizer;
  for (let r = 0; r < out.rows; r++) {
    const image = indices[from + r];
    const src = image * pixels;
    const dst = r * pixels;
    for (let p = 0; p < pixels; p++) x[dst + p] = images[src + p] * scale;
    labels[r] = set.labels[image];
  }
}

/**
 * Converts images `[start, end)` of a set to a tensor, e.g. for evaluation.
 *
 * @returns `[end - start, pixels]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const images = toTensor(set, 1, 3, { scale: 1 / 16 }, "f64");
 * assert(images.rows === 2 && images.data[0] === 4);
 * ```
 */
export function toTensor(
  set: LabeledImages,
  start: number,
  end: number,
  normalizer: Normalizer,
  dtype: DType,
): Tensor {
  const pixels = set.rows * set.cols;
  const out = zeros([end - start, pixels], dtype);
  const { scale } = normalizer;
  const bytes = set.images.subarray(start * pixels, end * pixels);
  for (let i = 0; i < bytes.length; i++) out.data[i] = bytes[i] * scale;
  return out;
}

/**
 * A minibatch: images and labels, in buffers reused from batch to batch.
 * Read-only: a batch of the whole set is gathered once and handed out every
 * epoch, so a change to it would carry into the epochs after.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@mnist-from-scratch/kit";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const batcher = new Batcher(set, 3, { scale: 1 / 255 }, "f32");
 * const sizes = [...batcher.epoch(new Rng(1))].map((batch: Batch) => batch.labels.length);
 * assert(sizes.join() === "3,1");
 * ```
 */
export interface Batch {
  /** `[batchSize, pixels]`, normalized. */
  images: Tensor;
  /** `[batchSize]` */
  labels: Uint8Array;
}

/**
 * Shuffled minibatches over a set: each epoch visits every image once, in
 * an order drawn from the RNG; the last batch of an epoch may be smaller.
 * A batch as large as the set (full-batch training) is the set itself, in
 * the order it has: the order of one batch's images changes only the
 * rounding of its sums, so it is not shuffled, and it is gathered once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@mnist-from-scratch/kit";
 *
 * const set = {
 *   images: Uint8Array.from({ length: 16 }, (_, i) => i * 16),
 *   labels: new Uint8Array([0, 1, 2, 3]),
 *   count: 4,
 *   rows: 2,
 *   cols: 2,
 * };
 * const batcher = new Batcher(set, 2, { scale: 1 / 255 }, "f32");
 * const seen: number[] = [];
 * // Batch buffers are reused by later batches: read them as they come.
 * for (const batch of batcher.epoch(new Rng(1))) seen.push(...batch.labels);
 * assert(batcher.batchesPerEpoch === 2 && seen.sort().join() === "0,1,2,3");
 * ```
 */
export class Batcher {
  readonly #order: Int32Array;
  /** Two full-size batches, used in turn (see `prefetch`). */
  readonly #full: Batch[] = [];
  /** Which of `#full` the next full-size batch goes to. */
  #turn = 0;
  #last: Batch | null = null;
  /** Where the batch after the one last yielded starts, or -1. */
  #next = -1;
  /** A batch `prefetch` is gathering: where it starts, and its wait. */
  #ahead: { from: number; batch: Batch; wait: () => void } | null = null;
  /** Whether `#full[0]` holds the whole set (a batch as large as the set). */
  #wholeGathered = false;
  readonly #kernels: Kernels | undefined;
  /** The set's images in the kernels' memory, for `kernels.gatherScaled`. */
  readonly #placedImages: Uint8Array | null;

  /**
   * Prepares batches over `set`; buffers are allocated once here.
   *
   * @param batchSize Images per batch.
   * @param normalizer The byte → float scale.
   * @param dtype The batch tensors' dtype.
   * @param kernels The kernels the batches are for: batches live where
   * `kernels.allocate` puts them, and when the kernels can
   * (`placeBytes`, `gatherScaled`) they hold a copy of the images and
   * gather each batch from it. Optional.
   */
  constructor(
    readonly set: LabeledImages,
    readonly batchSize: number,
    readonly normalizer: Normalizer,
    readonly dtype: DType,
    kernels?: Kernels,
  ) {
    this.#kernels = kernels;
    this.#order = Int32Array.from({ length: set.count }, (_, i) => i);
    this.#full.push(this.#makeBatch(Math.min(batchSize, set.count)));
    this.#placedImages = kernels?.gatherScaled
      ? kernels.placeBytes?.(set.images) ?? null
      : null;
  }

  /** Whether one batch holds the whole set (full-batch training). */
  get #whole(): boolean {
    return this.batchSize >= this.set.count;
  }

  /** How many batches an epoch has. */
  get batchesPerEpoch(): number {
    return Math.ceil(this.set.count / this.batchSize);
  }

  /**
   * The order of the epoch in progress (live): a checkpoint saves it, and a
   * resumed run sets it back before continuing an epoch.
   */
  get order(): Int32Array {
    return this.#order;
  }

  /**
   * Yields one epoch of batches. Each batch's buffers are overwritten by a
   * later one: full-size batches take turns between two buffers, so that
   * {@link Batcher.prefetch} can fill one while the other is in use.
   *
   * @param rng Shuffles the order.
   * @param startBatch Continues an interrupted epoch from this batch, in
   * the order it had (no new shuffle); 0 starts a new epoch.
   */
  *epoch(rng: Rng, startBatch = 0): Generator<Batch> {
    this.#dropAhead();
    if (startBatch === 0 && !this.#whole) rng.shuffle(this.#order);
    const start = startBatch * this.batchSize;
    for (let from = start; from < this.set.count; from += this.batchSize) {
      const size = Math.min(this.batchSize, this.set.count - from);
      const batch = this.#ahead?.from === from
        ? this.#takeAhead()
        : this.#gather(from, size);
      this.#next = from + size < this.set.count ? from + size : -1;
      yield batch;
    }
    this.#next = -1;
  }

  /**
   * Starts gathering the epoch's next batch on the kernels' second thread,
   * when they have one (`gatherScaledLater`), into the full-size buffer the
   * batch before this one used: the training loop calls it once the
   * current batch's forward pass is done, and the next batch is then
   * gathered while this thread computes the loss and the gradients. The
   * same floats come out as without. Does nothing past the epoch's last
   * full-size batch.
   */
  prefetch(): void {
    const from = this.#next;
    const images = this.#placedImages;
    if (
      from < 0 || from + this.batchSize > this.set.count ||
      this.#ahead !== null || images === null
    ) return;
    const batch = this.#fullBatch();
    const wait = this.#kernels?.gatherScaledLater?.(
      images,
      this.set.rows * this.set.cols,
      this.#order,
      from,
      this.batchSize,
      this.normalizer.scale,
      batch.images.data,
    );
    if (wait) this.#ahead = { from, batch, wait };
  }

  /** The batch `prefetch` gathered, once it is complete, with its labels. */
  #takeAhead(): Batch {
    const { from, batch, wait } = this.#ahead!;
    this.#ahead = null;
    wait();
    this.#turn ^= 1;
    this.#fillLabels(from, batch);
    return batch;
  }

  /** Waits for a prefetched batch that will not be used (a new epoch). */
  #dropAhead(): void {
    this.#ahead?.wait();
    this.#ahead = null;
  }

  /** @returns The full-size buffer whose turn it is (made on first use). */
  #fullBatch(): Batch {
    this.#full[this.#turn] ??= this.#makeBatch(this.#full[0].labels.length);
    return this.#full[this.#turn];
  }

  /** Gathers the batch of `size` images from `from` in the order. */
  #gather(from: number, size: number): Batch {
    if (this.#whole) return this.#wholeSet();
    let batch: Batch;
    if (size === this.#full[0].labels.length) {
      batch = this.#fullBatch();
      this.#turn ^= 1;
    } else {
      if (this.#last?.labels.length !== size) {
        this.#last = this.#makeBatch(size);
      }
      batch = this.#last;
    }
    this.#fill(from, batch);
    return batch;
  }

  /**
   * The whole set as one batch, in one buffer (a prefetch never needs a
   * second): gathered the first time, then handed out as it is, and frozen
   * (`kernels.freeze`), so that the kernels can index its nonzeros once.
   */
  #wholeSet(): Batch {
    const batch = this.#full[0];
    if (!this.#wholeGathered) {
      this.#fill(0, batch);
      const [rows, cols] = batch.images.shape;
      this.#kernels?.freeze?.(batch.images.data, rows, cols);
    }
    this.#wholeGathered = true;
    return batch;
  }

  /** Fills `batch` with the images and labels from `from` in the order. */
  #fill(from: number, batch: Batch): void {
    if (this.#fillScaled(from, batch)) return;
    fillBatch(
      this.set,
      this.#order,
      from,
      this.normalizer,
      batch.images,
      batch.labels,
    );
  }

  /**
   * What {@link fillBatch} does, by `kernels.gatherScaled` (SIMD, and on two
   * threads for a large batch); the same floats come out.
   *
   * @returns `false` when the kernels cannot (nothing was written).
   */
  #fillScaled(from: number, batch: Batch): boolean {
    const images = this.#placedImages;
    if (images === null) return false;
    const size = batch.labels.length;
    const gathered = this.#kernels!.gatherScaled!(
      images,
      this.set.rows * this.set.cols,
      this.#order,
      from,
      size,
      this.normalizer.scale,
      batch.images.data,
    );
    if (!gathered) return false;
    this.#fillLabels(from, batch);
    return true;
  }

  /** The labels of the batch from `from` in the order. */
  #fillLabels(from: number, batch: Batch): void {
    for (let r = 0; r < batch.labels.length; r++) {
      batch.labels[r] = this.set.labels[this.#order[from + r]];
    }
  }

  #makeBatch(size: number): Batch {
    const pixels = this.set.rows * this.set.cols;
    const length = size * pixels;
    const data = this.#kernels?.allocate?.(this.dtype, length) ??
      allocate(this.dtype, length);
    return {
      images: new Tensor(data, [size, pixels]),
      labels: new Uint8Array(size),
    };
  }
}
