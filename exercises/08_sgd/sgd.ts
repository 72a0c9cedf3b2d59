// deno-lint-ignore-file no-unused-vars
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 08: stochastic gradient descent with momentum, and a
 * learning-rate schedule. Per parameter entry `w` with gradient `g` and
 * velocity `v` (starting at 0), in the form PyTorch's `SGD` uses:
 *
 * ```
 * g = g + weightDecay · w
 * v = momentum · v + g
 * w = w - lr · (nesterov ? g + momentum · v : v)
 * ```
 *
 * @module
 */

import type { Tensor } from "../01_tensors/tensors.ts";

/** How the optimizer moves. */
export interface SgdOptions {
  /** How much velocity carries over, in [0, 1); 0 is plain SGD. */
  momentum: number;
  /** Nesterov's look-ahead form. */
  nesterov: boolean;
  /** L2 weight decay. */
  weightDecay: number;
}

/** The optimizer: its options and one velocity per parameter. */
export interface Sgd {
  /** How it moves. */
  options: SgdOptions;
  /** `velocities[k]` has the length of parameter `k`; all zero at first. */
  velocities: Float64Array[];
}

/** Makes an optimizer for a list of parameters. (Given.) */
export function createSgd(params: Tensor[], options: SgdOptions): Sgd {
  return {
    options,
    velocities: params.map((p) => new Float64Array(p.data.length)),
  };
}

/**
 * **Task 08.1**: one step: update every parameter in place.
 *
 * @param sgd The optimizer; its velocities change.
 * @param params The parameters (changed in place).
 * @param grads Their gradients, same order and shapes.
 * @param lr This step's learning rate.
 * @throws {RangeError} When the lists' lengths differ.
 */
export function sgdStep(
  sgd: Sgd,
  params: Tensor[],
  grads: Tensor[],
  lr: number,
): void {
  throw new Error(
    "TODO(08.1): implement sgdStep in exercises/08_sgd/sgd.ts",
  );
}

/** The schedule kinds. */
export type ScheduleName = "constant" | "step" | "cosine";

/** A schedule and its rates. */
export interface Schedule {
  /** Which curve. */
  kind: ScheduleName;
  /** The starting (peak) learning rate. */
  lr: number;
  /** Where `cosine` ends; the others ignore it. */
  lrMin: number;
}

/**
 * **Task 08.2**: the learning rate for step `step` of `totalSteps`, with
 * `t = step / totalSteps` (0 when `totalSteps` is 0):
 * - `constant`: `lr`;
 * - `step`: `lr` while `t < 0.5`, then `lr · 0.1` while `t < 0.75`, then `lr · 0.01`;
 * - `cosine`: `lrMin + (lr - lrMin) · (1 + cos(π t)) / 2`.
 *
 * @param schedule The kind and rates.
 * @param step The step about to be taken, from 0.
 * @param totalSteps How many steps the run takes.
 * @returns The learning rate.
 */
export function learningRateAt(
  schedule: Schedule,
  step: number,
  totalSteps: number,
): number {
  throw new Error(
    "TODO(08.2): implement learningRateAt in exercises/08_sgd/sgd.ts",
  );
}
