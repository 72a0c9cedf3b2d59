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

function checkShapes(
  a: Tensor,
  b: Tensor,
  what: string,
): [number, number, number] {
  assertShape(a, [-1, -1], `${what} a`);
  assertShape(b, [-1, -1], `${what} b`);
  if (a.shape[1] !== b.shape[0]) {
    throw new RangeError(
      `${what}: a is ${shapeString(a.shape)} and b is ${
        shapeString(b.shape)
      }: a's columns must equal b's rows`,
    );
  }
  return [a.shape[0], a.shape[1], b.shape[1]];
}

/**
 * **Task 12.1**: the textbook order, `i-j-k`, for comparison: the inner loop
 * walks down a column of `b`, jumping `m` entries at each step.
 *
 * @param a `[n, k]`.
 * @param b `[k, m]`.
 * @returns `a · b`, `[n, m]`.
 */
export function matmulIjk(a: Tensor, b: Tensor): Tensor {
  const [n, k, m] = checkShapes(a, b, "matmulIjk");
  const c = zeros([n, m]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let total = 0;
      for (let p = 0; p < k; p++) {
        total += a.data[i * k + p] * b.data[p * m + j];
      }
      c.data[i * m + j] = total;
    }
  }
  return c;
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
  const [n, k, m] = checkShapes(a, b, "matmulSkipZeros");
  const c = zeros([n, m]);
  const A = a.data;
  const B = b.data;
  const C = c.data;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      if (aip === 0) continue;
      const bRow = p * m;
      for (let j = 0; j < m; j++) C[row + j] += aip * B[bRow + j];
    }
  }
  return c;
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
  const repeats = options.repeats ?? 5;
  const clock = options.clock ?? (() => performance.now());
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = clock();
    fn();
    times.push(clock() - start);
  }
  times.sort((x, y) => x - y);
  const middle = Math.floor(times.length / 2);
  const medianMs = times.length % 2 === 1
    ? times[middle]
    : (times[middle - 1] + times[middle]) / 2;
  const gflops = options.flops && medianMs > 0
    ? options.flops / (medianMs / 1000) / 1e9
    : 0;
  return { medianMs, gflops };
}
