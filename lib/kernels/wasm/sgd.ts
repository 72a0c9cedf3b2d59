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

/** {@link OptimizerKernels} on f32 or f64 arrays in the arena. */
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
    const f32 = weights instanceof Float32Array;
    const sameType = (x: FloatArray) => (x instanceof Float32Array) === f32;
    if (!sameType(grad) || !sameType(velocity)) return false;
    const w = this.#arena.pointerOf(weights);
    const g = this.#arena.pointerOf(grad);
    const v = this.#arena.pointerOf(velocity);
    if (w === null || g === null || v === null) return false;
    const scalars = [
      step.lr,
      step.momentum,
      step.weightDecay,
      step.nesterov ? 1 : 0,
    ];
    const rowLength = weights.length % cols === 0 ? cols : weights.length;
    this.#threads.splitRows(
      f32 ? JOB.sgd : JOB.sgd64,
      weights.length / rowLength,
      weights.length >= SGD_SPLIT_LENGTH,
      (from, rows) => {
        const offset = weights.BYTES_PER_ELEMENT * from * rowLength;
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
