/**
 * Exercise 06: gradient checking. A backward pass is easy to get subtly
 * wrong; the definition of the derivative is not. For each entry `x_i`,
 * the centered difference `(f(x + h e_i) - f(x - h e_i)) / 2h` has error
 * O(h²): with h = 1e-5 in float64 a correct gradient agrees to a relative
 * error near 1e-8; 1e-6 is a safe bar, and above 1e-3 there is a bug.
 *
 * @module
 */

import { shapeString, type Tensor } from "../01_tensors/tensors.ts";

/**
 * **Task 06.1**: the numeric gradient of a scalar function by centered
 * differences. Nudge each entry of `values` in place, call `f`, and put the
 * entry back exactly as it was.
 *
 * @param f Computes the scalar (the loss) from the current `values`.
 * @param values What to differentiate with respect to (changed, then restored).
 * @param h The step; default 1e-5.
 * @returns dF/dValues, one entry per value.
 */
export function numericGradient(
  f: () => number,
  values: Float64Array,
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
 * **Task 06.2**: `|a - b| / max(|a|, |b|, floor)`: symmetric, 0 when equal,
 * and the floor keeps two tiny numbers (1e-15 and 0) from counting as
 * completely different.
 *
 * @param a One value.
 * @param b The other.
 * @param floor The smallest magnitude that counts; default 1e-8.
 * @returns A number ≥ 0.
 */
export function relativeError(a: number, b: number, floor = 1e-8): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

/** What a gradient check is about, for its message. */
export interface GradientCheckOptions {
  /** E.g. `"layer 0 (Linear 4→3)"`. */
  layer: string;
  /** E.g. `"weights"`. */
  parameter: string;
  /** The largest relative error accepted; default 1e-6. */
  tolerance?: number;
}

/**
 * **Task 06.3**: compare an analytic gradient with a numeric one; throw a
 * message a person can act on when they disagree.
 *
 * @param analytic The gradient from a backward pass.
 * @param numeric The gradient from {@link numericGradient}, same length.
 * @param options The layer, the parameter and the tolerance.
 * @returns The largest relative error found.
 * @throws {Error} When it exceeds the tolerance, naming the layer, the
 * parameter, the worst index (and its row and column for a 2-D tensor), the
 * analytic and numeric values there, the relative error and the tolerance;
 * or when the two gradients differ in length, naming both lengths. A NaN
 * anywhere fails the check.
 */
export function checkGradient(
  analytic: Tensor,
  numeric: Float64Array,
  options: GradientCheckOptions,
): number {
  const tolerance = options.tolerance ?? 1e-6;
  if (analytic.data.length !== numeric.length) {
    throw new RangeError(
      `checkGradient: ${options.layer} ${options.parameter}: analytic ${
        shapeString(analytic.shape)
      } has ${analytic.data.length} values, numeric has ${numeric.length}`,
    );
  }
  let worst = 0;
  let worstError = 0;
  for (let i = 0; i < numeric.length; i++) {
    const error = relativeError(analytic.data[i], numeric[i]);
    if (error > worstError || Number.isNaN(error)) {
      worst = i;
      worstError = error;
      if (Number.isNaN(error)) break;
    }
  }
  if (!(worstError <= tolerance)) {
    const where = analytic.shape.length === 2
      ? ` [row ${Math.floor(worst / analytic.shape[1])}, col ${
        worst % analytic.shape[1]
      }]`
      : "";
    throw new Error(
      `gradient check failed for ${options.layer}, parameter ${options.parameter}: ` +
        `worst index ${worst}${where}: analytic ${
          analytic.data[worst]
        } vs numeric ${numeric[worst]}, ` +
        `relative error ${
          worstError.toExponential(2)
        } > tolerance ${tolerance}`,
    );
  }
  return worstError;
}
