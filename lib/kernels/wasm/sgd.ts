/**
 * The SGD step on the WebAssembly memory, split between the threads by the
 * weights' rows, as the products split them, so that each core updates the
 * half of the weights it multiplied by.
 *
 * @module
 */

import type { FloatArray } from "../../base/tensor.ts";
import type { OptimizerKernels, SgdStep } from "../optimizer_kernels.ts";
import type { Arena } from "./arena.ts";
import { JOB } from "./protocol.ts";
import type { Threads } from "./threads.ts";

/** Parameters with fewer values are updated on one thread. */
const SGD_SPLIT_LENGTH = 1 << 15;

/** {@link OptimizerKernels} on f32 arrays in the arena. */
export class WasmOptimizer implements OptimizerKernels {
  readonly #arena: Arena;
  readonly #threads: Threads;

  /** Kernels over `arena`, shared with `threads`. */
  constructor(arena: Arena, threads: Threads) {
    this.#arena = arena;
    this.#threads = threads;
  }

  /** See {@link OptimizerKernels.sgdStep}. */
  sgdStep = (
    weights: FloatArray,
    grad: FloatArray,
    velocity: FloatArray,
    step: SgdStep,
    cols: number = weights.length,
  ): boolean => {
    const w = this.#arena.f32Pointer(weights);
    const g = this.#arena.f32Pointer(grad);
    const v = this.#arena.f32Pointer(velocity);
    if (w === null || g === null || v === null) return false;
    const scalars = [
      step.lr,
      step.momentum,
      step.weightDecay,
      step.nesterov ? 1 : 0,
    ];
    const rowLength = weights.length % cols === 0 ? cols : weights.length;
    this.#threads.splitRows(
      JOB.sgd,
      weights.length / rowLength,
      weights.length >= SGD_SPLIT_LENGTH,
      (from, rows) => {
        const offset = 4 * from * rowLength;
        return [
          w + offset,
          g + offset,
          v + offset,
          rows * rowLength,
          ...scalars,
        ];
      },
    );
    return true;
  };
}
