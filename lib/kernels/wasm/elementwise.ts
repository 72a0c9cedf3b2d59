/**
 * The elementwise kernels (bias add and gradient, ReLU and its gradient,
 * the batch gather) on the WebAssembly memory, in f32 or f64 (their f64x2
 * twins in gemm.wat); those over many values are split between the threads
 * by rows, which gives one thread's results.
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

/** The kernels of one element type: worker jobs, and `sum_rows`. */
interface ElementwiseJobs {
  readonly addRowVector: number;
  readonly relu: number;
  readonly reluBackward: number;
  readonly gatherScaled: number;
  readonly sumRows: "sum_rows" | "sum_rows64";
}

const F32_JOBS: ElementwiseJobs = {
  addRowVector: JOB.addRowVector,
  relu: JOB.relu,
  reluBackward: JOB.reluBackward,
  gatherScaled: JOB.gatherScaled,
  sumRows: "sum_rows",
};

const F64_JOBS: ElementwiseJobs = {
  addRowVector: JOB.addRowVector64,
  relu: JOB.relu64,
  reluBackward: JOB.reluBackward64,
  gatherScaled: JOB.gatherScaled64,
  sumRows: "sum_rows64",
};

/** @returns The kernels for `x`'s element type. */
function jobsFor(x: FloatArray): ElementwiseJobs {
  return x instanceof Float32Array ? F32_JOBS : F64_JOBS;
}

/**
 * {@link ElementwiseKernels} on f32 or f64 arrays in the arena, but for the
 * loss (loss.ts).
 */
export class WasmElementwise
  implements Omit<ElementwiseKernels, "softmaxCrossEntropy"> {
  readonly #arena: Arena;
  readonly #threads: Threads;
  readonly #wasm: Exports;
  /** A batch's image indices, for gather_scaled. */
  readonly #order: Int32Array;
  /** The same for a gather started by `gatherScaledLater`. */
  readonly #laterOrder: Int32Array;

  /** Kernels over `arena`, shared with `threads`. */
  constructor(arena: Arena, threads: Threads, wasm: Exports) {
    this.#arena = arena;
    this.#threads = threads;
    this.#wasm = wasm;
    const { scratchA, workerGather } = arena;
    const view = ({ ptr, bytes }: { ptr: number; bytes: number }) =>
      new Int32Array(arena.memory.buffer, ptr, bytes / 4);
    this.#order = view(scratchA);
    this.#laterOrder = view(workerGather);
  }

  /**
   * Runs `kernel` on the arrays' pointers, with the kernels of their
   * element type and its size in bytes, when all are in the memory and of
   * one type (f32 or f64).
   *
   * @returns Whether it ran.
   */
  #withPointers(
    arrays: FloatArray[],
    kernel: (
      jobs: ElementwiseJobs,
      size: number,
      ...pointers: number[]
    ) => void,
  ): boolean {
    const f32 = arrays[0] instanceof Float32Array;
    if (arrays.some((x) => (x instanceof Float32Array) !== f32)) return false;
    const pointers = arrays.map((x) => this.#arena.pointerOf(x));
    if (pointers.includes(null)) return false;
    const first = arrays[0];
    kernel(jobsFor(first), first.BYTES_PER_ELEMENT, ...pointers as number[]);
    return true;
  }

  /** See {@link ElementwiseKernels.addRowVector}. */
  addRowVector = (
    matrix: FloatArray,
    vector: FloatArray,
    rows: number,
    cols: number,
  ): boolean =>
    this.#withPointers([matrix, vector], (jobs, size, m, v) => {
      this.#threads.splitRows(
        jobs.addRowVector,
        rows,
        rows * cols >= ELEMENTWISE_SPLIT,
        (from, count) => [m + size * from * cols, v, count, cols],
      );
    });

  /** See {@link ElementwiseKernels.sumRows}. */
  sumRows = (
    matrix: FloatArray,
    out: FloatArray,
    rows: number,
    cols: number,
  ): boolean =>
    this.#withPointers([matrix, out], (jobs, _size, m, o) => {
      this.#wasm[jobs.sumRows](m, o, rows, cols);
    });

  /** See {@link ElementwiseKernels.relu}. */
  relu = (input: FloatArray, output: FloatArray): boolean =>
    this.#withPointers([input, output], (jobs, size, x, y) => {
      this.#threads.splitRows(
        jobs.relu,
        input.length,
        input.length >= ELEMENTWISE_SPLIT,
        (from, n) => [x + size * from, y + size * from, n],
      );
    });

  /** See {@link ElementwiseKernels.reluBackward}. */
  reluBackward = (
    output: FloatArray,
    dOutput: FloatArray,
    dInput: FloatArray,
  ): boolean =>
    this.#withPointers([output, dOutput, dInput], (jobs, size, y, dy, dx) => {
      this.#threads.splitRows(
        jobs.reluBackward,
        output.length,
        output.length >= ELEMENTWISE_SPLIT,
        (from, n) => [y + size * from, dy + size * from, dx + size * from, n],
      );
    });

  /** See {@link ElementwiseKernels.placeBytes}. */
  placeBytes = (bytes: Uint8Array): Uint8Array | null =>
    this.#arena.placeBytes(bytes);

  /** See {@link ElementwiseKernels.gatherScaled}. */
  gatherScaled: ElementwiseKernels["gatherScaled"] = (...gather) => {
    const args = this.#gatherArgs(gather, this.#order);
    if (args === null) return false;
    const [, pixels, , , count, , out] = gather;
    this.#threads.splitRows(
      jobsFor(out).gatherScaled,
      count,
      count * pixels >= GATHER_SPLIT_BYTES,
      args,
    );
    return true;
  };

  /**
   * See {@link ElementwiseKernels.gatherScaledLater}: the whole batch on the
   * worker, its order in the worker's scratch (no job of the worker's can
   * use that scratch before this one is done, and this thread's kernels
   * never do).
   */
  gatherScaledLater: ElementwiseKernels["gatherScaledLater"] = (...gather) => {
    if (!this.#threads.active) return null;
    const args = this.#gatherArgs(gather, this.#laterOrder);
    if (args === null) return null;
    const [, , , , count, , out] = gather;
    this.#threads.later(jobsFor(out).gatherScaled, args(0, count));
    return () => this.#threads.settle();
  };

  /**
   * Copies the batch's `count` image indices into `orderView` and returns
   * the gather job's arguments for rows `[first, first + rows)` of it.
   *
   * @param gather The gather's arguments, as both gathers take them.
   * @returns null (nothing copied) when images or out are outside the
   * memory or the indices do not fit `orderView`.
   */
  #gatherArgs(
    gather: Parameters<ElementwiseKernels["gatherScaled"]>,
    orderView: Int32Array,
  ): ((first: number, rows: number) => number[]) | null {
    const [images, pixels, order, from, count, scale, out] = gather;
    const imagesPtr = this.#arena.pointerOf(images);
    const outPtr = this.#arena.pointerOf(out);
    if (imagesPtr === null || outPtr === null || count > orderView.length) {
      return null;
    }
    orderView.set(order.subarray(from, from + count));
    const size = out.BYTES_PER_ELEMENT;
    return (first, rows) => [
      imagesPtr,
      pixels,
      orderView.byteOffset + 4 * first,
      rows,
      scale,
      outPtr + size * first * pixels,
    ];
  }
}
