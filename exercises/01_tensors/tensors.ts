// deno-lint-ignore-file no-unused-vars
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 01: arrays and shapes.
 *
 * A tensor here is a flat `Float64Array` plus a shape, row-major: in a
 * `[rows, cols]` tensor, entry `(r, c)` lives at `data[r * cols + c]`.
 * Everything later in the kit is built on these few functions.
 *
 * @module
 */

/** A flat array of numbers viewed with a shape, row-major. */
export interface Tensor {
  /** The values; `data.length` is the product of `shape`. */
  data: Float64Array;
  /** The size of each dimension, e.g. `[64, 784]`. */
  shape: number[];
}

/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type Rng = () => number;

/**
 * A small seeded generator (mulberry32): the same seed gives the same
 * numbers, so every run of the kit can be repeated exactly. (Given.)
 *
 * @param seed Any integer.
 * @returns A function returning uniform numbers in [0, 1).
 */
export function makeRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `[2, 3]`: how error messages print a shape. (Given.) */
export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Throws unless `t` has the expected shape; `-1` accepts any size. (Given.)
 *
 * @param t The tensor to check.
 * @param expected E.g. `[-1, 784]`.
 * @param what Which argument, named in the error, e.g. `"linearForward input"`.
 */
export function assertShape(
  t: Tensor,
  expected: readonly number[],
  what: string,
): void {
  const ok = t.shape.length === expected.length &&
    expected.every((size, i) => size === -1 || size === t.shape[i]);
  if (!ok) {
    const want = expected.map((s) => (s === -1 ? "any" : s)).join(", ");
    throw new RangeError(
      `${what}: expected shape [${want}], got ${shapeString(t.shape)}`,
    );
  }
}

/**
 * **Task 01.1**: a tensor holding a copy of `values`.
 *
 * @param values The numbers, row-major.
 * @param shape The dimensions; their product must equal `values.length`.
 * @returns A new tensor (changing it must not change `values`).
 * @throws {RangeError} When the shape does not hold exactly that many values.
 */
export function tensor(values: ArrayLike<number>, shape: number[]): Tensor {
  throw new Error(
    "TODO(01.1): implement tensor in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.1**: a tensor of zeros.
 *
 * @param shape The dimensions, e.g. `[2, 3]`.
 * @returns A new tensor whose every value is 0.
 */
export function zeros(shape: number[]): Tensor {
  throw new Error(
    "TODO(01.1): implement zeros in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.2**: normal random numbers by the Box-Muller transform: for
 * uniform `u1` in (0, 1] and `u2` in [0, 1),
 * `sqrt(-2 ln u1) · cos(2π u2)` is a standard normal draw.
 *
 * @param shape The dimensions.
 * @param std The standard deviation (the mean is 0).
 * @param rng The uniform source; the same seed must give the same tensor.
 * @returns A new tensor of draws.
 */
export function randomNormal(shape: number[], std: number, rng: Rng): Tensor {
  throw new Error(
    "TODO(01.2): implement randomNormal in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.3**: elementwise sum.
 *
 * @param a Any shape.
 * @param b The same shape as `a`.
 * @returns A new tensor, `a + b` entry by entry.
 * @throws {RangeError} Naming both shapes when they differ.
 */
export function add(a: Tensor, b: Tensor): Tensor {
  throw new Error(
    "TODO(01.3): implement add in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.3**: elementwise product.
 *
 * @param a Any shape.
 * @param b The same shape as `a`.
 * @returns A new tensor, `a * b` entry by entry.
 * @throws {RangeError} Naming both shapes when they differ.
 */
export function multiply(a: Tensor, b: Tensor): Tensor {
  throw new Error(
    "TODO(01.3): implement multiply in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.3**: multiply every entry by a number.
 *
 * @param a Any shape.
 * @param factor The multiplier.
 * @returns A new tensor.
 */
export function scale(a: Tensor, factor: number): Tensor {
  throw new Error(
    "TODO(01.3): implement scale in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.4**: the sum of every entry.
 *
 * @param a Any shape.
 * @returns The total (0 for an empty tensor).
 */
export function sum(a: Tensor): number {
  throw new Error(
    "TODO(01.4): implement sum in exercises/01_tensors/tensors.ts",
  );
}

/**
 * **Task 01.4**: the column of the largest value in each row: how a
 * network's scores `[batch, 10]` become predicted digits.
 *
 * @param a `[rows, cols]`.
 * @returns `[rows]` indices; on a tie, the first (smallest) column.
 * @throws {RangeError} When `a` is not 2-D.
 */
export function argmaxRows(a: Tensor): Int32Array {
  throw new Error(
    "TODO(01.4): implement argmaxRows in exercises/01_tensors/tensors.ts",
  );
}
