/**
 * What every optimizer is: something that, given the gradients the last
 * `backward` left in its parameters, moves the parameters, keeping whatever
 * per-parameter state it needs (SGD a velocity, Adam two moments). The
 * training loop sees only this interface and picks an optimizer by name from
 * `./registry.ts`.
 *
 * State is exposed as named flat arrays so that a checkpoint can save it and a
 * resumed run can restore it exactly: `"layer0.weights.velocity"`,
 * `"layer0.weights.m"`, and a scalar such as Adam's step count as a
 * one-element array.
 *
 * @module
 */

import type { Kernels } from "../kernels/kernel_set.ts";
import type { Parameter } from "../nn/layers.ts";
import { allocate, type DType, type FloatArray } from "../base/tensor.ts";

/**
 * Updates a fixed list of parameters from their gradients.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOptimizer, fromValues } from "@mnist-from-scratch/kit";
 *
 * const p = {
 *   name: "w",
 *   value: fromValues([1], [1], "f64"),
 *   grad: fromValues([0.5], [1], "f64"),
 * };
 * const optimizer: Optimizer = createOptimizer("sgd", [p], { momentum: 0 });
 * optimizer.step(0.1);
 * assert(p.value.data[0] === 0.95);
 * assert(Object.keys(optimizer.state()).join() === "w.velocity");
 * ```
 */
export interface Optimizer {
  /** The registry name, e.g. `"sgd"`. */
  readonly name: string;
  /**
   * Updates every parameter in place from its current gradient.
   *
   * @param lr This step's learning rate (the schedule's).
   */
  step(lr: number): void;
  /**
   * The optimizer's whole state, by name. The arrays are the live ones: copy
   * them to keep a snapshot past the next `step`.
   */
  state(): Record<string, FloatArray>;
  /**
   * Copies a state (as `state()` returned it) back in, so that the next
   * `step` continues exactly where the saved run stopped.
   *
   * @throws {RangeError} When a name is missing or unknown, or a length
   * differs.
   */
  loadState(state: Readonly<Record<string, FloatArray>>): void;
}

/**
 * Every setting any registered optimizer reads; each optimizer takes the ones
 * it knows and ignores the rest, so the training loop can pass its whole
 * config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOptimizer } from "@mnist-from-scratch/kit";
 *
 * const settings: OptimizerSettings = { beta1: 0.9, beta2: 0.99, eps: 1e-8 };
 * assert(createOptimizer("adam", [], settings).name === "adam");
 * ```
 */
export interface OptimizerSettings {
  /** SGD: how much velocity carries over, in [0, 1). */
  momentum?: number;
  /** SGD: Nesterov's look-ahead form. */
  nesterov?: boolean;
  /** L2 penalty (SGD, Adam) or decoupled decay (AdamW). */
  weightDecay?: number;
  /** Adam: decay of the first-moment average, in [0, 1). */
  beta1?: number;
  /** Adam: decay of the second-moment average, in [0, 1). */
  beta2?: number;
  /** Adam: added to the root of the second moment, > 0. */
  eps?: number;
  /**
   * Kernels whose `allocate` places the state arrays, and which may run an
   * optimizer's update faster (the WebAssembly ones run SGD's).
   */
  kernels?: Kernels;
}

/**
 * One zero array per parameter, shaped like it, in the kernels' memory when
 * they have their own.
 *
 * @returns `[parameter count]` arrays, each as long as its parameter.
 */
export function zeroStates(
  parameters: readonly Parameter[],
  kernels?: Kernels,
): FloatArray[] {
  const place: (dtype: DType, length: number) => FloatArray =
    kernels?.allocate?.bind(kernels) ?? allocate;
  return parameters.map((p) => place(p.value.dtype, p.value.data.length));
}

/**
 * Copies `source` into `target` name by name, after checking that both hold
 * the same names with the same lengths (so nothing is half-restored).
 *
 * @param who Names the optimizer in the error message.
 * @throws {RangeError} On a missing, unknown or wrongly sized entry.
 */
export function copyState(
  target: Record<string, FloatArray>,
  source: Readonly<Record<string, FloatArray>>,
  who: string,
): void {
  const missing = Object.keys(target).filter((name) => !(name in source));
  const unknown = Object.keys(source).filter((name) => !(name in target));
  if (missing.length > 0 || unknown.length > 0) {
    throw new RangeError(
      `${who}: state names differ (missing [${missing}], unknown [${unknown}])`,
    );
  }
  for (const [name, values] of Object.entries(target)) {
    if (source[name].length !== values.length) {
      throw new RangeError(
        `${who}: state ${name} has ${
          source[name].length
        } values, expected ${values.length}`,
      );
    }
  }
  for (const [name, values] of Object.entries(target)) {
    values.set(source[name]);
  }
}
