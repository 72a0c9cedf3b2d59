/**
 * The elementwise kernels (bias add and gradient, ReLU and its gradient,
 * the batch gather) on the WebAssembly memory; those over many values are
 * split between the threads by rows, which gives one thread's results.
 *
 * @module
 */

import type { FloatArray } from "../../base/tensor.ts";
import type { ElementwiseKernels } from "../elementwise.ts";
import type { Arena } from "./arena.ts";
import type { Exports } from "./module.ts";
import { JOB } from "./protocol.ts";
import type { Threads } from "./threads.ts";

/** Batches of fewer bytes are gathered and scaled on one thread. */
const GATHER_SPLIT_BYTES = 1 << 15;
/** Elementwise loops over fewer values run on one thread. */
const ELEMENTWISE_SPLIT = 1 << 18;

/** {@link ElementwiseKernels} on f32 arrays in the arena. */
export class WasmElementwise implements ElementwiseKernels {
  readonly #arena: Arena;
  readonly #threads: Threads;
  readonly #wasm: Exports;
  /** A batch's image indices, for gather_scaled. */
  readonly #order: Int32Array;

  /** Kernels over `arena`, shared with `threads`. */
  constructor(arena: Arena, threads: Threads, wasm: Exports) {
    this.#arena = arena;
    this.#threads = threads;
    this.#wasm = wasm;
    const { scratchA } = arena;
    this.#order = new Int32Array(
      arena.memory.buffer,
      scratchA.ptr,
      scratchA.bytes / 4,
    );
  }

  /**
   * Runs `kernel` on the arrays' pointers when all are f32 arrays in the
   * memory.
   *
   * @returns Whether it ran.
   */
  #withPointers(
    arrays: FloatArray[],
    kernel: (...pointers: number[]) => void,
  ): boolean {
    const pointers = arrays.map((x) => this.#arena.f32Pointer(x));
    if (pointers.includes(null)) return false;
    kernel(...pointers as number[]);
    return true;
  }

  /** See {@link ElementwiseKernels.addRowVector}. */
  addRowVector = (
    matrix: FloatArray,
    vector: FloatArray,
    rows: number,
    cols: number,
  ): boolean =>
    this.#withPointers([matrix, vector], (m, v) => {
      this.#threads.splitRows(
        JOB.addRowVector,
        rows,
        rows * cols >= ELEMENTWISE_SPLIT,
        (from, count) => [m + 4 * from * cols, v, count, cols],
      );
    });

  /** See {@link ElementwiseKernels.sumRows}. */
  sumRows = (
    matrix: FloatArray,
    out: FloatArray,
    rows: number,
    cols: number,
  ): boolean =>
    this.#withPointers([matrix, out], (m, o) => {
      this.#wasm.sum_rows(m, o, rows, cols);
    });

  /** See {@link ElementwiseKernels.relu}. */
  relu = (input: FloatArray, output: FloatArray): boolean =>
    this.#withPointers([input, output], (x, y) => {
      this.#threads.splitRows(
        JOB.relu,
        input.length,
        input.length >= ELEMENTWISE_SPLIT,
        (from, n) => [x + 4 * from, y + 4 * from, n],
      );
    });

  /** See {@link ElementwiseKernels.reluBackward}. */
  reluBackward = (
    output: FloatArray,
    dOutput: FloatArray,
    dInput: FloatArray,
  ): boolean =>
    this.#withPointers([output, dOutput, dInput], (y, dy, dx) => {
      this.#threads.splitRows(
        JOB.reluBackward,
        output.length,
        output.length >= ELEMENTWISE_SPLIT,
        (from, n) => [y + 4 * from, dy + 4 * from, dx + 4 * from, n],
      );
    });

  /** See {@link ElementwiseKernels.placeBytes}. */
  placeBytes = (bytes: Uint8Array): Uint8Array | null =>
    this.#arena.placeBytes(bytes);

  /** See {@link ElementwiseKernels.gatherScaled}. */
  gatherScaled = (
    images: Uint8Array,
    pixels: number,
    order: Int32Array,
    from: number,
    count: number,
    scale: number,
    out: FloatArray,
  ): boolean => {
    const imagesPtr = this.#arena.pointerOf(images);
    const outPtr = this.#arena.f32Pointer(out);
    const indices = this.#order;
    if (imagesPtr === null || outPtr === null || count > indices.length) {
      return false;
    }
    indices.set(order.subarray(from, from + count));
    this.#threads.splitRows(
      JOB.gatherScaled,
      count,
      count * pixels >= GATHER_SPLIT_BYTES,
      (first, rows) => [
        imagesPtr,
        pixels,
        indices.byteOffset + 4 * first,
        rows,
        scale,
        outPtr + 4 * first * pixels,
      ],
    );
    return true;
  };
}
