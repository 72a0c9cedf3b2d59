/**
 * Gradient checking: compare a backward pass against the definition of the
 * derivative. For each entry `x_i`, the centered difference
 * `(f(x + h e_i) - f(x - h e_i)) / 2h` has error O(h²), so in float64 with
 * `h = 1e-5` a correct analytic gradient agrees to a relative error around
 * 1e-8 or better; 1e-6 is a safe bar, and anything above 1e-3 is a bug.
 * (In float32 the rounding of `f` itself swamps the difference: check in f64.)
 *
 * @module
 */

import type { FloatArray } from "../base/tensor.ts";

/**
 * The relative error `|a - b| / max(|a|, |b|, floor)`, symmetric in a and b.
 * The floor keeps two tiny numbers (say 1e-15 and 0) from counting as
 * completely different.
 *
 * @param a One value, e.g. the analytic gradient.
 * @param b The other, e.g. the numeric one.
 * @param floor The smallest magnitude that counts; default 1e-8.
 * @returns A number ≥ 0; 0 when equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(relativeError(1, 1.001) < 1e-3 + 1e-12);
 * // The floor keeps values near zero from looking wildly different:
 * assert(Math.abs(relativeError(0, 1e-12) - 1e-4) < 1e-15);
 * ```
 */
export function relativeError(a: number, b: number, floor = 1e-8): number {
  const scale = Math.max(Math.abs(a), Math.abs(b), floor);
  return Math.abs(a - b) / scale;
}

/**
 * Numeric gradient of a scalar function of `values` by centered differences.
 * Each entry is nudged in place and restored, so `f` must read `values`.
 *
 * @param f Computes the scalar (the loss) from the current `values`.
 * @param values The inputs or parameters to differentiate with respect to.
 * @param h The step; default 1e-5 (for float64).
 * @returns dF/dValues, one entry per value, in float64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const x = new Float64Array([3]);
 * const [slope] = numericGradient(() => x[0] * x[0], x); // d(x²)/dx = 6
 * assert(Math.abs(slope - 6) < 1e-8);
 * ```
 */
export function numericGradient(
  f: () => number,
  values: FloatArray,
  h = 1e-5,
): Float64Array {
  const grad = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    values[i] = saved + h;
    const plus = f();
    values[i] = saved - h;
    const minus = f();
    values[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * The outcome of comparing an analytic and a numeric gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const result: GradientComparison = compareGradients([1, 2], [1, 2.002]);
 * assert(result.worstIndex === 1);
 * ```
 */
export interface GradientComparison {
  /** The largest relative error over all entries. */
  maxRelativeError: number;
  /** The entry where it occurs. */
  worstIndex: number;
  /** The analytic value there. */
  analytic: number;
  /** The numeric value there. */
  numeric: number;
}

/**
 * Finds the entry where two gradients disagree most.
 *
 * @param analytic The gradient from backward.
 * @param numeric The gradient from {@link numericGradient}.
 * @returns The worst entry and its relative error.
 * @throws {RangeError} When the lengths differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const { maxRelativeError } = compareGradients([1, 2], [1, 2]);
 * assert(maxRelativeError === 0);
 * ```
 */
export function compareGradients(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
): GradientComparison {
  if (analytic.length !== numeric.length) {
    throw new RangeError(
      `compareGradients: ${analytic.length} analytic values vs ${numeric.length} numeric`,
    );
  }
  let worst = { maxRelativeError: 0, worstIndex: 0, analytic: 0, numeric: 0 };
  for (let i = 0; i < analytic.length; i++) {
    const error = relativeError(analytic[i], numeric[i]);
    if (error > worst.maxRelativeError || i === 0) {
      worst = {
        maxRelativeError: error,
        worstIndex: i,
        analytic: analytic[i],
        numeric: numeric[i],
      };
    }
  }
  return worst;
}

/**
 * Throws unless the analytic gradient matches the numeric one.
 *
 * @param what Names the gradient, e.g. `"layer 2 Linear(128→64) weights"`.
 * @param analytic The gradient from backward.
 * @param numeric The gradient from {@link numericGradient}.
 * @param tolerance The largest relative error accepted; default 1e-6.
 * @returns The comparison, for reporting.
 * @throws {Error} Naming the gradient, the worst index, both values, the
 * relative error and the tolerance.
 *
 * @example
 * ```ts
 * const x = new Float64Array([0.5, -2]);
 * const f = () => x[0] * x[1];
 * assertGradientsClose("x", [x[1], x[0]], numericGradient(f, x));
 * ```
 */
export function assertGradientsClose(
  what: string,
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  tolerance = 1e-6,
): GradientComparison {
  const result = compareGradients(analytic, numeric);
  if (!(result.maxRelativeError <= tolerance)) {
    throw new Error(
      `gradient check failed for ${what} at index ${result.worstIndex}: ` +
        `analytic ${result.analytic} vs numeric ${result.numeric}, ` +
        `relative error ${
          result.maxRelativeError.toExponential(2)
        } > tolerance ${tolerance}`,
    );
  }
  return result;
}
