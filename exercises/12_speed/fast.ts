// deno-lint-ignore-file no-unused-vars verbatim-module-syntax
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 12: making it fast, and measuring it. The matrix product is
 * where training spends its time; the same arithmetic can run several times
 * faster just by touching memory in a better order and skipping work whose
 * answer is known.
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
 * **Task 12.1**: the textbook order, `i-j-k`, for comparison: the inner loop
 * walks down a column of `b`, jumping `m` entries at each step.
 *
 * @param a `[n, k]`.
 * @param b `[k, m]`.
 * @returns `a · b`, `[n, m]`.
 */
export function matmulIjk(a: Tensor, b: Tensor): Tensor {
  throw new Error(
    "TODO(12.1): implement matmulIjk in exercises/12_speed/fast.ts",
  );
}

/**
 * **Task 12.2**: `i-k-j` order with the arrays in local variables and a
 * skip of every zero `a[i, k]`: about 80% of MNIST's pixels are 0, so the
 * first layer does a fifth of the work.
 *
 * @param a `[n, k]`.
 * @param b `[k, m]`.
 * @returns `a · b`, `[n, m]`.
 */
export function matmulSkipZeros(a: Tensor, b: Tensor): Tensor {
  throw new Error(
    "TODO(12.2): implement matmulSkipZeros in exercises/12_speed/fast.ts",
  );
}

/**
 * **Task 12.3**: time a function: call it once to warm up, then `repeats`
 * times, each timed with `clock`.
 *
 * @param fn The work to time.
 * @param options `repeats` (default 5), `clock` in milliseconds (default
 * `performance.now`), and `flops`, the arithmetic one call does (for a
 * matrix product, `2 n k m`).
 * @returns The median time of one call in milliseconds, and GFLOPS
 * (`flops / seconds / 1e9`, 0 when `flops` is not given).
 */
export function timeIt(
  fn: () => unknown,
  options: { repeats?: number; clock?: () => number; flops?: number } = {},
): { medianMs: number; gflops: number } {
  throw new Error(
    "TODO(12.3): implement timeIt in exercises/12_speed/fast.ts",
  );
}
