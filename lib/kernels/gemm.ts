/**
 * Matrix products on flat row-major arrays: the three a training step needs.
 *
 * | product | name | where it appears              | shapes                     |
 * |---------|------|-------------------------------|----------------------------|
 * | A·B     | `ab` | forward: `input · weights`    | `[m,k]·[k,n] → [m,n]`      |
 * | Aᵀ·B    | `atb`| weight gradient `inputᵀ · dY` | `[k,m]ᵀ·[k,n] → [m,n]`     |
 * | A·Bᵀ    | `abt`| input gradient `dY · weightsᵀ`| `[m,k]·[n,k]ᵀ → [m,n]`     |
 *
 * Each kernel overwrites `out`. A {@link MatrixKernels} set bundles the three
 * so the layers can switch implementations in one place: `reference` is the textbook
 * triple loop (the ground truth in tests); `fast` gathers the nonzero entries
 * of A (about 19% of an MNIST image) and computes eight outputs at a time in
 * registers, reading memory contiguously.
 *
 * @module
 */

import type { DType, FloatArray } from "../base/tensor.ts";

/**
 * Overwrites `out` with a product; the dims are described per kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const kernel: GemmKernel = abReference;
 * const out = new Float64Array(1);
 * kernel(new Float64Array([1, 2]), new Float64Array([3, 4]), out, 1, 2, 1);
 * assert.equal(out[0], 11);
 * ```
 */
export type GemmKernel = (
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
) => void;

/**
 * One implementation of the three products, and where their operands
 * should live.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const kernels: MatrixKernels = referenceKernels;
 * const out = new Float64Array(4);
 * kernels.ab(new Float64Array([1, 2]), new Float64Array([3, 4]), out, 2, 1, 2);
 * assert.deepEqual([...out], [3, 4, 6, 8]);
 * ```
 */
export interface MatrixKernels {
  /** A short name for reports and benchmarks. */
  readonly name: string;
  /** `out[m,n] = a[m,k] · b[k,n]` */
  readonly ab: GemmKernel;
  /** `out[m,n] = a[k,m]ᵀ · b[k,n]` */
  readonly atb: GemmKernel;
  /** `out[m,n] = a[m,k] · b[n,k]ᵀ` */
  readonly abt: GemmKernel;
  /**
   * A linear layer's two backward products at once, `dW = xᵀ · dY` (`atb`:
   * `[in,batch]ᵀ·[batch,out]` to `[in,out]`) and `dX = dY · wᵀ` (`abt`:
   * `[batch,out]·[in,out]ᵀ` to `[batch,in]`). Neither reads what the other
   * writes, so a set with two threads can run one on each; `dW` and `dX`
   * are exactly what `atb` and `abt` give. Optional.
   *
   * @returns `false` when it cannot (the caller then calls `atb` and `abt`).
   */
  atbAbt?(
    x: FloatArray,
    dY: FloatArray,
    w: FloatArray,
    dW: FloatArray,
    dX: FloatArray,
    batch: number,
    inFeatures: number,
    outFeatures: number,
  ): boolean;
  /**
   * Declares that `a` (`[rows, cols]`) keeps its values from now on, for as
   * long as these kernels live: a batch of the whole set, gathered once
   * and read on every step of a full-batch run. A set may then find a's
   * nonzeros once and reuse them in every `ab` with a on the left and
   * every `atb` with a as its transposed operand, where it would find them
   * again in each. The products give the same bits either way; writing to
   * a afterwards would make them wrong. Optional.
   */
  freeze?(a: FloatArray, rows: number, cols: number): void;
  /**
   * Where tensors that these kernels will multiply should live, when that
   * matters (WebAssembly kernels read their own memory without copying).
   * Absent: ordinary typed arrays.
   */
  allocate?(dtype: DType, length: number): FloatArray;
}

/**
 * `out[m,n] = a[m,k] · b[k,n]`, one dot product per output (textbook order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // [2, 3] · [3, 1]: a non-square product catches a swapped width.
 * const out = new Float64Array(2);
 * abReference(
 *   new Float64Array([1, 2, 3, 4, 5, 6]),
 *   new Float64Array([1, 0, -1]),
 *   out,
 *   2,
 *   3,
 *   1,
 * );
 * assert.deepEqual([...out], [-2, -2]);
 * ```
 */
export function abReference(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
      out[i * n + j] = sum;
    }
  }
}

/**
 * `out[m,n] = a[k,m]ᵀ · b[k,n]`, one dot product per output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // a is [k=2, m=3]; aᵀ · b with b [2, 1] gives [3, 1].
 * const out = new Float64Array(3);
 * atbReference(
 *   new Float64Array([1, 2, 3, 4, 5, 6]),
 *   new Float64Array([1, -1]),
 *   out,
 *   3,
 *   2,
 *   1,
 * );
 * assert.deepEqual([...out], [-3, -3, -3]);
 * ```
 */
export function atbReference(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[p * m + i] * b[p * n + j];
      out[i * n + j] = sum;
    }
  }
}

/**
 * `out[m,n] = a[m,k] · b[n,k]ᵀ`, one dot product per output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // a [1, 3] · b [2, 3]ᵀ gives [1, 2].
 * const out = new Float64Array(2);
 * abtReference(
 *   new Float64Array([1, 2, 3]),
 *   new Float64Array([1, 0, 0, 0, 1, 1]),
 *   out,
 *   1,
 *   3,
 *   2,
 * );
 * assert.deepEqual([...out], [1, 5]);
 * ```
 */
export function abtReference(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p] * b[j * k + p];
      out[i * n + j] = sum;
    }
  }
}

// Scratch space the fast kernels reuse between calls, grown on demand, so a
// training step allocates nothing.
let nonzeroOffsets = new Int32Array(1024);
let nonzeroValues = new Float64Array(1024);
const transposed = { f32: new Float32Array(1024), f64: new Float64Array(1024) };

/**
 * Copies the transpose of `src` (`[rows, cols]`) into reusable scratch space
 * of the same float type (mixing types would make the kernels that read it
 * polymorphic, and slower), walking 16x16 tiles so both sides stay in cache.
 *
 * @returns `[cols, rows]`, valid until the next call for that float type.
 */
function transposeToScratch(
  src: FloatArray,
  rows: number,
  cols: number,
): FloatArray {
  const size = rows * cols;
  let dst: FloatArray;
  if (src instanceof Float32Array) {
    if (transposed.f32.length < size) transposed.f32 = new Float32Array(size);
    dst = transposed.f32;
  } else {
    if (transposed.f64.length < size) transposed.f64 = new Float64Array(size);
    dst = transposed.f64;
  }
  const tile = 16;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(r0 + tile, rows);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(c0 + tile, cols);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
      }
    }
  }
  return dst;
}

/**
 * `out[m,n] = a[m,k] · b[k,n]`, fast: for each row of `a` it first gathers
 * the nonzero entries (on MNIST input, about 150 of 784), then computes eight
 * outputs at a time in local variables, which the JIT keeps in registers,
 * streaming only the rows of `b` that meet a nonzero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const [a, b] = [new Float32Array([0, 2, 0, 1, 0, 3]), new Float32Array([1, 2, 3])];
 * const fast = new Float32Array(2);
 * const reference = new Float32Array(2);
 * abFast(a, b, fast, 2, 3, 1); // zeros in a are skipped
 * abReference(a, b, reference, 2, 3, 1);
 * assert.deepEqual(fast, reference);
 * ```
 */
export function abFast(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  if (nonzeroOffsets.length < k) {
    nonzeroOffsets = new Int32Array(k);
    nonzeroValues = new Float64Array(k);
  }
  const offsets = nonzeroOffsets;
  const values = nonzeroValues;
  const n8 = n - (n % 8);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    let count = 0;
    for (let p = 0; p < k; p++) {
      const value = a[aRow + p];
      if (value !== 0) {
        offsets[count] = p * n;
        values[count++] = value;
      }
    }
    const outRow = i * n;
    let j = 0;
    for (; j < n8; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let q = 0; q < count; q++) {
        const v = values[q];
        const o = offsets[q] + j;
        s0 += v * b[o];
        s1 += v * b[o + 1];
        s2 += v * b[o + 2];
        s3 += v * b[o + 3];
        s4 += v * b[o + 4];
        s5 += v * b[o + 5];
        s6 += v * b[o + 6];
        s7 += v * b[o + 7];
      }
      out[outRow + j] = s0;
      out[outRow + j + 1] = s1;
      out[outRow + j + 2] = s2;
      out[outRow + j + 3] = s3;
      out[outRow + j + 4] = s4;
      out[outRow + j + 5] = s5;
      out[outRow + j + 6] = s6;
      out[outRow + j + 7] = s7;
    }
    for (; j < n; j++) {
      let sum = 0;
      for (let q = 0; q < count; q++) sum += values[q] * b[offsets[q] + j];
      out[outRow + j] = sum;
    }
  }
}

/**
 * `out[m,n] = a[k,m]ᵀ · b[k,n]`, fast: transposes `a` into scratch space
 * (cheap: `k·m` copies against `k·m·n` multiply-adds) and runs
 * {@link abFast}, so zero inputs and dead ReLUs skip work here too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const [a, b] = [new Float64Array([1, 2, 3, 4, 5, 6]), new Float64Array([1, -1])];
 * const fast = new Float64Array(3);
 * const reference = new Float64Array(3);
 * atbFast(a, b, fast, 3, 2, 1);
 * atbReference(a, b, reference, 3, 2, 1);
 * assert.deepEqual(fast, reference);
 * ```
 */
export function atbFast(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  abFast(transposeToScratch(a, k, m), b, out, m, k, n);
}

/**
 * `out[m,n] = a[m,k] · b[n,k]ᵀ`, fast: transposes `b` (a weight matrix,
 * small) and runs {@link abFast}, which skips the zeros of `a`: in the
 * backward pass `a` is a gradient that ReLU has zeroed in about half its
 * entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const [a, b] = [new Float64Array([1, 2, 3]), new Float64Array([1, 0, 0, 0, 1, 1])];
 * const fast = new Float64Array(2);
 * abtFast(a, b, fast, 1, 3, 2);
 * assert.deepEqual([...fast], [1, 5]);
 * ```
 */
export function abtFast(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  abFast(a, transposeToScratch(b, n, k), out, m, k, n);
}

/**
 * The textbook kernels: slow, obviously right, the tests' ground truth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(referenceKernels.ab, abReference);
 * assert.equal(referenceKernels.name, "reference");
 * ```
 */
export const referenceKernels: MatrixKernels = {
  name: "reference",
  ab: abReference,
  atb: atbReference,
  abt: abtReference,
};

/**
 * Zero skipping and register blocking: the default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const out = new Float64Array(1);
 * fastKernels.ab(new Float64Array([0, 2]), new Float64Array([5, 3]), out, 1, 2, 1);
 * assert.equal(out[0], 6);
 * ```
 */
export const fastKernels: MatrixKernels = {
  name: "fast",
  ab: abFast,
  atb: atbFast,
  abt: abtFast,
};
