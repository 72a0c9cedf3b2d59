/**
 * The elementwise kernels a training step needs besides the products: the
 * bias add and its gradient, ReLU and its gradient, a batch gathered from
 * the images and scaled to floats, and a large batch's loss. They compute
 * exactly what the layers', the batcher's and the loss's own loops
 * compute; they exist because those loops run faster as WebAssembly SIMD,
 * on the kernels' own memory, or on two threads.
 *
 * Each returns `false` when it cannot run on the arrays it is given (not in
 * its memory, the wrong float type); the caller then runs its own loop.
 *
 * @module
 */

import type { FloatArray } from "../base/tensor.ts";

/**
 * Fast paths for the elementwise loops of a step; see the module doc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * import { kernelsByName } from "@mnist-from-scratch/kit";
 *
 * const kernels = kernelsByName("wasm");
 * // A kernel set carries these helpers where it can run them.
 * const helpers: Partial<ElementwiseKernels> = kernels;
 * const matrix = kernels.allocate!("f32", 6);
 * matrix.set([1, 2, 3, 4, 5, 6]);
 * const bias = kernels.allocate!("f32", 3);
 * bias.set([10, 20, 30]);
 * // false would mean "cannot run here": the caller runs its own loop.
 * assert.ok(helpers.addRowVector!(matrix, bias, 2, 3));
 * assert.deepEqual([...matrix], [11, 22, 33, 14, 25, 36]);
 * ```
 */
export interface ElementwiseKernels {
  /**
   * `matrix[r,:] += vector` for every row (adding a bias); `matrix` is
   * `[rows, cols]`, `vector` `[cols]`.
   *
   * @returns `false` when it cannot.
   */
  addRowVector(
    matrix: FloatArray,
    vector: FloatArray,
    rows: number,
    cols: number,
  ): boolean;
  /**
   * `out[j] = Σ_r matrix[r,j]`, rows added in order (a bias gradient):
   * `[rows, cols]` to `[cols]`.
   *
   * @returns `false` when it cannot.
   */
  sumRows(
    matrix: FloatArray,
    out: FloatArray,
    rows: number,
    cols: number,
  ): boolean;
  /**
   * `output = max(input, 0)` elementwise, NaN passing through.
   *
   * @returns `false` when it cannot.
   */
  relu(input: FloatArray, output: FloatArray): boolean;
  /**
   * `dInput = dOutput · (output > 0 ? 1 : 0)` elementwise (a multiply, so a
   * NaN gradient stays NaN).
   *
   * @returns `false` when it cannot.
   */
  reluBackward(
    output: FloatArray,
    dOutput: FloatArray,
    dInput: FloatArray,
  ): boolean;
  /**
   * A copy of `bytes` (a training set's images) in the kernels' memory, where
   * {@link ElementwiseKernels.gatherScaled} reads it without copying. The
   * copy is made on first use and returned again for the same bytes, so they
   * must not change.
   *
   * @returns The copy, or `null` when there is no room.
   */
  placeBytes(bytes: Uint8Array): Uint8Array | null;
  /**
   * `out[r,:] = images[order[from + r],:] · scale` for `count` rows of
   * `pixels` bytes: a batch `[count, pixels]` in shuffled order, as
   * normalized floats, rounded to `out`'s type exactly as
   * `images[i] * scale` is in TypeScript.
   *
   * @returns `false` when it cannot (`images` not from `placeBytes`).
   */
  gatherScaled(
    images: Uint8Array,
    pixels: number,
    order: Int32Array,
    from: number,
    count: number,
    scale: number,
    out: FloatArray,
  ): boolean;
  /**
   * Starts {@link ElementwiseKernels.gatherScaled} on a second thread and
   * returns at once, so that the next batch is gathered while this thread
   * computes something else. `out` holds the batch once the returned
   * function has been called (it waits for the gather); other kernels may
   * run meanwhile, but nothing may read or write `out`.
   *
   * @returns The wait, or `null` when it cannot (no second thread, `images`
   * not from `placeBytes`): nothing was started.
   */
  gatherScaledLater(
    ...args: Parameters<ElementwiseKernels["gatherScaled"]>
  ): (() => void) | null;
  /**
   * The mean softmax cross-entropy of `[rows, classes]` logits and its
   * gradient into `dLogits`, the same bits as `softmaxCrossEntropy`
   * (nn/loss.ts), which calls it: a set with two threads shares the rows of
   * a large batch between them (a full batch's loss took 18 ms a step on
   * one).
   *
   * @returns The loss, or `null` when it cannot (a batch too small to
   * share, arrays outside the memory): the caller runs its own loop.
   * @throws {RangeError} For a label out of range, as the caller would.
   */
  softmaxCrossEntropy(
    logits: FloatArray,
    labels: ArrayLike<number>,
    dLogits: FloatArray,
    rows: number,
    classes: number,
  ): number | null;
}
