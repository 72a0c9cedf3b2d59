/**
 * The optimizer's kernel: one SGD step over a parameter, which runs faster
 * as WebAssembly SIMD, split between threads by the rows the products split.
 *
 * @module
 */

import type { FloatArray } from "../base/tensor.ts";

/** The scalars of one SGD step. */
export interface SgdStep {
  /** The learning rate. */
  lr: number;
  /** The momentum coefficient. */
  momentum: number;
  /** The L2 coefficient. */
  weightDecay: number;
  /** Nesterov's form of momentum. */
  nesterov: boolean;
}

/** Fast paths for the optimizer's update loops. */
export interface OptimizerKernels {
  /**
   * One SGD step over a parameter (see lib/optim/optimizer.ts for the
   * update), when this implementation can run it on these arrays. `cols` is
   * the parameter's row length (`[784, 128]` → 128; a bias is one row), so
   * that threads can split the update between rows the way they split the
   * products.
   *
   * @returns `false` when it cannot (the caller then runs its own loop).
   */
  sgdStep(
    weights: FloatArray,
    grad: FloatArray,
    velocity: FloatArray,
    step: SgdStep,
    cols?: number,
  ): boolean;
}
