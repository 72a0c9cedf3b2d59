// deno-lint-ignore-file no-unused-vars verbatim-module-syntax
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 02: matrix products, transposes, and broadcasting a bias.
 *
 * A network layer is one matrix product: a batch of inputs `[batch, in]`
 * times a weight matrix `[in, out]` gives `[batch, out]`.
 *
 * @module
 */

import {
  assertShape,
  shapeString,
  type Tensor,
  zeros,
} from "../01_tensors/tensors.ts";

/**
 * **Task 02.1**: the matrix product `c = a · b`, with
 * `c[i, j] = Σ_k a[i, k] · b[k, j]`.
 *
 * @param a `[n, k]`.
 * @param b `[k, m]`.
 * @returns A new `[n, m]` tensor.
 * @throws {RangeError} When either is not 2-D, or when a's columns differ
 * from b's rows; the message names both shapes.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  throw new Error(
    "TODO(02.1): implement matmul in exercises/02_matmul/matmul.ts",
  );
}

/**
 * **Task 02.2**: the transpose: `t[j, i] = a[i, j]`.
 *
 * @param a `[n, m]`.
 * @returns A new `[m, n]` tensor.
 */
export function transpose(a: Tensor): Tensor {
  throw new Error(
    "TODO(02.2): implement transpose in exercises/02_matmul/matmul.ts",
  );
}

/**
 * **Task 02.3**: add a vector to every row ("broadcasting"), as a layer
 * adds its bias to each image's output.
 *
 * @param a `[n, m]`.
 * @param v `[m]`.
 * @returns A new `[n, m]` tensor, `a[i, j] + v[j]`.
 * @throws {RangeError} When `v`'s length is not a's column count.
 */
export function addRowVector(a: Tensor, v: Tensor): Tensor {
  throw new Error(
    "TODO(02.3): implement addRowVector in exercises/02_matmul/matmul.ts",
  );
}

/**
 * **Task 02.3**: sum over the rows, the reverse of broadcasting: the
 * gradient of a broadcast bias is the sum of the rows' gradients.
 *
 * @param a `[n, m]`.
 * @returns A new `[m]` tensor, `Σ_i a[i, j]`.
 */
export function sumRows(a: Tensor): Tensor {
  throw new Error(
    "TODO(02.3): implement sumRows in exercises/02_matmul/matmul.ts",
  );
}
