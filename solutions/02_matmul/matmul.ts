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
  assertShape(a, [-1, -1], "matmul a");
  assertShape(b, [-1, -1], "matmul b");
  const [n, k] = a.shape;
  const [kb, m] = b.shape;
  if (k !== kb) {
    throw new RangeError(
      `matmul: a is ${shapeString(a.shape)} and b is ${
        shapeString(b.shape)
      }: a's columns (${k}) must equal b's rows (${kb})`,
    );
  }
  const c = zeros([n, m]);
  // i-k-j order: the inner loop walks one row of b and one row of c,
  // contiguous in memory, instead of striding down a column of b.
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a.data[i * k + p];
      for (let j = 0; j < m; j++) {
        c.data[i * m + j] += aip * b.data[p * m + j];
      }
    }
  }
  return c;
}

/**
 * **Task 02.2**: the transpose: `t[j, i] = a[i, j]`.
 *
 * @param a `[n, m]`.
 * @returns A new `[m, n]` tensor.
 */
export function transpose(a: Tensor): Tensor {
  assertShape(a, [-1, -1], "transpose input");
  const [n, m] = a.shape;
  const t = zeros([m, n]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) t.data[j * n + i] = a.data[i * m + j];
  }
  return t;
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
  assertShape(a, [-1, -1], "addRowVector a");
  const [n, m] = a.shape;
  assertShape(v, [m], "addRowVector v");
  const out = zeros([n, m]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      out.data[i * m + j] = a.data[i * m + j] + v.data[j];
    }
  }
  return out;
}

/**
 * **Task 02.3**: sum over the rows, the reverse of broadcasting: the
 * gradient of a broadcast bias is the sum of the rows' gradients.
 *
 * @param a `[n, m]`.
 * @returns A new `[m]` tensor, `Σ_i a[i, j]`.
 */
export function sumRows(a: Tensor): Tensor {
  assertShape(a, [-1, -1], "sumRows input");
  const [n, m] = a.shape;
  const out = zeros([m]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out.data[j] += a.data[i * m + j];
  }
  return out;
}
