/**
 * The optimizer's kernel: one SGD step over a parameter, which runs faster
 * as WebAssembly SIMD, split between threads by the rows the products split.
 *
 * @module
 */

import type { FloatArray } from "../base/tensor.ts";

/**
 * The scalars of one SGD step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * import { kernelsByName } from "@mnist-from-scratch/kit";
 *
 * const kernels = kernelsByName("wasm");
 * const [weights, grad, velocity] = [0, 1, 2].map(() =>
 *   kernels.allocate!("f32", 2)
 * );
 * weights.set([1, 2]);
 * grad.set([0.5, -0.5]);
 * const step: SgdStep = { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 };
 * assert.ok(kernels.sgdStep!(weights, grad, velocity, step));
 * // w -= lr · g, in float32
 * assert.ok(Math.abs(weights[0] - 0.95) < 1e-6);
 * assert.ok(Math.abs(weights[1] - 2.05) < 1e-6);
 * ```
 */
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

/**
 * Fast paths for the optimizer's update loops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * import { type Kernels, kernelsByName } from "@mnist-from-scratch/kit";
 *
 * // The wasm set has an SGD kernel; the reference set has none, and the
 * // optimizer runs its own loop.
 * const withSgd: Kernels = kernelsByName("wasm");
 * const without: Kernels = kernelsByName("reference");
 * const fast: OptimizerKernels["sgdStep"] | undefined = withSgd.sgdStep;
 * assert.equal(typeof fast, "function");
 * assert.equal(without.sgdStep, undefined);
 * ```
 */
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
