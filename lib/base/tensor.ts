/**
 * Tensors: a flat typed array plus a shape, row-major.
 *
 * A `[batch, 784]` tensor holds image `i`, pixel `j` at `data[i * 784 + j]`.
 * The network only needs 1-D and 2-D tensors; the math lives in flat loops
 * over `data`, which is where JavaScript is fast.
 *
 * @module
 */

/**
 * The two float types the kit computes in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const dtype: DType = "f64";
 * assert(zeros([2], dtype).data instanceof Float64Array);
 * ```
 */
export type DType = "f32" | "f64";

/**
 * The storage behind a tensor of either dtype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const values: FloatArray = new Float32Array([1, 2]);
 * assert(new Tensor(values, [1, 2]).cols === 2);
 * ```
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * A flat typed array viewed with a shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const t = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * assert(t.rows === 2 && t.cols === 3 && t.dtype === "f64");
 * ```
 */
export class Tensor {
  /** The values, row-major; `data.length` equals the product of `shape`. */
  readonly data: FloatArray;
  /** The size of each dimension, e.g. `[64, 784]`. */
  readonly shape: readonly number[];

  /**
   * Views `data` with `shape` (no copy).
   *
   * @param data The values, row-major.
   * @param shape The dimensions; their product must equal `data.length`.
   * @throws {RangeError} When the shape does not match the data's length.
   */
  constructor(data: FloatArray, shape: readonly number[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new RangeError(
        `shape [${shape}] holds ${size} values but the data has ${data.length}`,
      );
    }
    this.data = data;
    this.shape = shape;
  }

  /** `"f32"` or `"f64"`, read from the storage. */
  get dtype(): DType {
    return this.data instanceof Float32Array ? "f32" : "f64";
  }

  /** The number of rows (the first dimension). */
  get rows(): number {
    return this.shape[0];
  }

  /** The number of columns (the last dimension; 1 for a 1-D tensor). */
  get cols(): number {
    return this.shape.length > 1 ? this.shape[this.shape.length - 1] : 1;
  }

  /** For debugging: `Tensor(f32 [64, 10])`. */
  toString(): string {
    return `Tensor(${this.dtype} [${this.shape.join(", ")}])`;
  }
}

/**
 * Allocates a zero-filled typed array of a dtype.
 *
 * @param dtype `"f32"` or `"f64"`.
 * @returns A zero-filled array of that dtype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(allocate("f32", 3) instanceof Float32Array);
 * ```
 */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === "f32" ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Creates a tensor of zeros.
 *
 * @param shape The dimensions, e.g. `[128, 64]`.
 * @param dtype `"f32"` (the default) or `"f64"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const t = zeros([2, 3], "f64");
 * assert(t.data.length === 6 && t.data.every((x) => x === 0));
 * ```
 */
export function zeros(shape: readonly number[], dtype: DType = "f32"): Tensor {
  return new Tensor(allocate(dtype, shape.reduce((a, b) => a * b, 1)), shape);
}

/**
 * Creates a tensor from a list of numbers.
 *
 * @param values The values, row-major.
 * @param dtype `"f32"` (the default) or `"f64"`.
 * @returns A tensor holding a copy of `values`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "./tensor.ts";
 * const t = fromValues([1, 2, 3, 4, 5, 6], [2, 3]);
 * assert(t.data[1 * 3 + 2] === 6);
 * ```
 */
export function fromValues(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType = "f32",
): Tensor {
  const data = allocate(dtype, values.length);
  data.set(values);
  return new Tensor(data, shape);
}

/**
 * Throws unless `tensor` has exactly the expected shape.
 *
 * @param expected The shape it must have; `-1` accepts any size there.
 * @param what Which argument this is, named in the error.
 * @throws {RangeError} Naming the argument, the expected and the actual shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assertShape(zeros([4, 784]), [-1, 784], "images"); // -1: any batch size
 * let threw = false;
 * try {
 *   assertShape(zeros([4, 10]), [-1, 784], "images");
 * } catch {
 *   threw = true;
 * }
 * assert(threw);
 * ```
 */
export function assertShape(
  tensor: Tensor,
  expected: readonly number[],
  what: string,
): void {
  const ok = tensor.shape.length === expected.length &&
    expected.every((size, i) => size === -1 || size === tensor.shape[i]);
  if (!ok) {
    const want = expected.map((s) => (s === -1 ? "any" : s)).join(", ");
    throw new RangeError(
      `${what}: expected shape [${want}], got [${tensor.shape.join(", ")}]`,
    );
  }
}

/**
 * The index of the largest value in each row.
 *
 * @param matrix A `[rows, cols]` tensor, e.g. logits `[batch, 10]`.
 * @param out Where to write, `[rows]`; a new array when omitted.
 * @returns `out`, holding each row's argmax (the first one on ties).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const logits = fromValues([0.1, 2, -1, 3, 0, 0], [2, 3]);
 * assert(argmaxRows(logits).join() === "1,0");
 * ```
 */
export function argmaxRows(
  matrix: Tensor,
  out: Int32Array = new Int32Array(matrix.rows),
): Int32Array {
  const { data } = matrix;
  const cols = matrix.cols;
  for (let r = 0; r < matrix.rows; r++) {
    const row = r * cols;
    let best = 0;
    for (let c = 1; c < cols; c++) {
      if (data[row + c] > data[row + best]) best = c;
    }
    out[r] = best;
  }
  return out;
}
