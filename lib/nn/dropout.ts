/**
 * Inverted dropout (Srivastava et al., 2014, "Dropout: A Simple Way to
 * Prevent Neural Networks from Overfitting"): while training, each input
 * is zeroed with probability `rate` and the survivors are scaled by
 * `1 / (1 - rate)`, so the expected output equals the input and evaluation
 * needs no rescaling: in evaluation mode the layer passes its input through.
 *
 * Forward keeps the mask (`1 / (1 - rate)` or 0 per entry); backward
 * multiplies the incoming gradient by the same mask.
 *
 * @module
 */

import { fastKernels } from "../kernels/gemm.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import type { Rng } from "../base/rng.ts";
import {
  allocate as allocateArray,
  assertShape,
  type DType,
  type Tensor,
} from "../base/tensor.ts";
import { type Layer, type Parameter, RowBuffer } from "./layers.ts";

/**
 * Zeroes a random fraction of its inputs while training.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues, Rng } from "@mnist-from-scratch/kit";
 *
 * const dropout = new Dropout(4, 0.5, new Rng(1), "f64");
 * const input = fromValues([1, 1, 1, 1], [1, 4], "f64");
 * const y = dropout.forward(input); // each entry 0 or 2
 * assert(y.data.every((v) => v === 0 || v === 2));
 * dropout.setTraining(false);
 * assert(dropout.forward(input) === input); // evaluation: unchanged
 * ```
 */
export class Dropout implements Layer {
  /** For messages: `"Dropout(0.2)"`. */
  readonly name: string;
  readonly #rng: Rng;
  readonly #output: RowBuffer;
  readonly #mask: RowBuffer;
  readonly #dInput: RowBuffer;
  #training = true;
  /** The last forward's mask `[batch, features]`, or null if it passed through. */
  #lastMask: Tensor | null = null;

  /**
   * Creates the layer in training mode.
   *
   * @param features The width of its input and output.
   * @param rate The probability of dropping each entry, in [0, 1).
   * @param rng Draws the masks; the run's one RNG keeps runs reproducible.
   * @param kernels Where its buffers live (`kernels.allocate`).
   * @throws {RangeError} When `rate` is outside [0, 1).
   */
  constructor(
    readonly features: number,
    readonly rate: number,
    rng: Rng,
    dtype: DType = "f32",
    kernels: Kernels = fastKernels,
  ) {
    if (!(rate >= 0 && rate < 1)) {
      throw new RangeError(`Dropout: rate must be in [0, 1), got ${rate}`);
    }
    this.name = `Dropout(${rate})`;
    this.#rng = rng;
    const allocate = kernels.allocate?.bind(kernels) ?? allocateArray;
    this.#output = new RowBuffer(features, dtype, allocate);
    this.#mask = new RowBuffer(features, dtype, allocate);
    this.#dInput = new RowBuffer(features, dtype, allocate);
  }

  /** Drops only while `training`; evaluation passes inputs through. */
  setTraining(training: boolean): void {
    this.#training = training;
  }

  /**
   * Draws a fresh mask and applies it (training), or returns `input`
   * itself (evaluation).
   *
   * @param input `[batch, features]`.
   * @returns `[batch, features]`.
   */
  forward(input: Tensor): Tensor {
    assertShape(input, [-1, this.features], `${this.name} input`);
    if (!this.#training || this.rate === 0) {
      this.#lastMask = null;
      return input;
    }
    const output = this.#output.get(input.rows);
    const mask = this.#mask.get(input.rows);
    const x = input.data, y = output.data, m = mask.data;
    const rate = this.rate;
    const scale = 1 / (1 - rate);
    for (let i = 0; i < x.length; i++) {
      const kept = this.#rng.uniform() >= rate ? scale : 0;
      m[i] = kept;
      y[i] = x[i] * kept;
    }
    this.#lastMask = mask;
    return output;
  }

  /**
   * `dInput = dOutput ⊙ mask`, with the last forward's mask.
   *
   * @param dOutput `[batch, features]`.
   * @returns dLoss/dInput `[batch, features]` (`dOutput` itself when the
   * last forward passed its input through).
   */
  backward(dOutput: Tensor): Tensor {
    const mask = this.#lastMask;
    if (mask === null) return dOutput;
    assertShape(dOutput, mask.shape, `${this.name} dOutput`);
    const dInput = this.#dInput.get(mask.rows);
    const dy = dOutput.data, dx = dInput.data, m = mask.data;
    for (let i = 0; i < dy.length; i++) dx[i] = dy[i] * m[i];
    return dInput;
  }

  /** Dropout learns nothing. @returns `[]`. */
  parameters(): Parameter[] {
    return [];
  }
}
