// deno-lint-ignore-file no-unused-vars verbatim-module-syntax
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 03: the linear (fully connected) layer, forward and backward.
 *
 * Forward: `output = input · weights + bias`, with input `[batch, in]`,
 * weights `[in, out]`, bias `[out]` and output `[batch, out]`.
 *
 * Backward, given `dOutput` = dLoss/dOutput `[batch, out]`:
 * - `dWeights = inputᵀ · dOutput`  `[in, out]`
 * - `dBias = Σ_rows dOutput`      `[out]`
 * - `dInput = dOutput · weightsᵀ` `[batch, in]`
 *
 * @module
 */

import {
  assertShape,
  randomNormal,
  type Rng,
  type Tensor,
  zeros,
} from "../01_tensors/tensors.ts";
import {
  addRowVector,
  matmul,
  sumRows,
  transpose,
} from "../02_matmul/matmul.ts";

/** A linear layer's parameters. */
export interface LinearParams {
  /** `[in, out]` */
  weights: Tensor;
  /** `[out]` */
  bias: Tensor;
}

/** What a linear layer's backward returns. */
export interface LinearGrads {
  /** dLoss/dInput `[batch, in]`, or `null` when it was not asked for. */
  dInput: Tensor | null;
  /** dLoss/dWeights `[in, out]` */
  dWeights: Tensor;
  /** dLoss/dBias `[out]` */
  dBias: Tensor;
}

/**
 * **Task 03.1**: `output = input · weights + bias`.
 *
 * @param input `[batch, in]`.
 * @param params weights `[in, out]`, bias `[out]`.
 * @returns `[batch, out]`.
 * @throws {RangeError} When input's width is not the weights' row count.
 */
export function linearForward(input: Tensor, params: LinearParams): Tensor {
  throw new Error(
    "TODO(03.1): implement linearForward in exercises/03_linear/linear.ts",
  );
}

/**
 * **Task 03.2**: the gradients of the loss with respect to the weights, the
 * bias and (unless told not to) the input.
 *
 * @param dOutput dLoss/dOutput `[batch, out]`.
 * @param input The input the forward pass saw, `[batch, in]`.
 * @param params The layer's parameters.
 * @param inputGradient Whether to compute `dInput`; the first layer's input
 * is the data, whose gradient nobody needs. Default `true`.
 * @returns dInput (or `null`), dWeights, dBias.
 */
export function linearBackward(
  dOutput: Tensor,
  input: Tensor,
  params: LinearParams,
  inputGradient = true,
): LinearGrads {
  throw new Error(
    "TODO(03.2): implement linearBackward in exercises/03_linear/linear.ts",
  );
}

/**
 * **Task 03.3**: He initialization: weights drawn from a normal with std
 * `sqrt(2 / in)`, biases zero, so the signal keeps its scale through ReLU
 * layers.
 *
 * @param inFeatures The input width.
 * @param outFeatures The output width.
 * @param rng The random source.
 * @returns weights `[in, out]`, bias `[out]`.
 */
export function initLinear(
  inFeatures: number,
  outFeatures: number,
  rng: Rng,
): LinearParams {
  throw new Error(
    "TODO(03.3): implement initLinear in exercises/03_linear/linear.ts",
  );
}
