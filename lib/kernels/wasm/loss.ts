/**
 * The softmax cross-entropy of a large batch on both threads: the worker
 * takes the second half of the rows. Each row's term and gradient come
 * from `rowCrossEntropy` (cross_entropy.ts), which nn/loss.ts's loop runs,
 * and the terms are then added in row order, so the loss and the gradient
 * are the bits one thread computes.
 *
 * The rows run in TypeScript, not WebAssembly: the same bits need
 * JavaScript's own `Math.exp` (in Deno 2.9, LLVM libc's; an fdlibm port
 * differed from it on 9.8% of 5 million inputs).
 *
 * @module
 */

import { checkLabel, rowCrossEntropy } from "../cross_entropy.ts";
import type { ElementwiseKernels } from "../elementwise.ts";
import type { Arena } from "./arena.ts";
import { JOB } from "./protocol.ts";
import type { Threads } from "./threads.ts";

/**
 * Batches of fewer rows run loss.ts's loop on this thread: a batch of 64
 * takes about 25 µs, a hand-over to the worker about as long.
 */
export const LOSS_SPLIT_ROWS = 4096;

/**
 * Rows `[from, from + rows)` of a batch's softmax cross-entropy, all in
 * `buffer`: the worker job `JOB.lossRows`, which both threads run. The
 * arguments are byte offsets and counts, in the job's order:
 * - `logits`: `[batch, classes]`, f64 when `wide` is 1, else f32;
 * - `labels`: `[batch]` int32, already checked;
 * - `dLogits`: `[batch, classes]`, the type of logits;
 * - `terms`: `[batch]` f64, each row's `-log p[label]`.
 */
export function lossRows(buffer: ArrayBufferLike, args: number[]) {
  const [logits, labels, dLogits, terms, classes, batch, from, rows, wide] =
    args;
  const view = (at: number) =>
    wide
      ? new Float64Array(buffer, at, batch * classes)
      : new Float32Array(buffer, at, batch * classes);
  const z = view(logits);
  const grad = view(dLogits);
  const y = new Int32Array(buffer, labels, batch);
  const t = new Float64Array(buffer, terms, batch);
  for (let r = from; r < from + rows; r++) {
    t[r] = rowCrossEntropy(z, r * classes, y[r], classes, grad, batch);
  }
}

/** {@link ElementwiseKernels.softmaxCrossEntropy} on the arena's arrays. */
export class WasmLoss {
  readonly #arena: Arena;
  readonly #threads: Threads;
  /** The labels and the rows' terms, sized for the largest batch so far. */
  #buffers: { labels: Int32Array; terms: Float64Array } | null = null;

  /** The loss over `arena`, shared with `threads`. */
  constructor(arena: Arena, threads: Threads) {
    this.#arena = arena;
    this.#threads = threads;
  }

  /** See {@link ElementwiseKernels.softmaxCrossEntropy}. */
  softmaxCrossEntropy: ElementwiseKernels["softmaxCrossEntropy"] = (
    logits,
    labels,
    dLogits,
    rows,
    classes,
  ) => {
    if (!this.#threads.active || rows < LOSS_SPLIT_ROWS) return null;
    const z = this.#arena.pointerOf(logits);
    const grad = this.#arena.pointerOf(dLogits);
    if (
      z === null || grad === null ||
      (logits instanceof Float32Array) !== (dLogits instanceof Float32Array)
    ) return null;
    const buffers = this.#buffersFor(rows);
    if (buffers === null) return null;
    const { labels: y, terms } = buffers;
    for (let r = 0; r < rows; r++) {
      checkLabel(labels[r], r, classes);
      y[r] = labels[r];
    }
    const wide = logits instanceof Float64Array ? 1 : 0;
    this.#threads.splitRows(JOB.lossRows, rows, true, (from, count) => [
      z,
      y.byteOffset,
      grad,
      terms.byteOffset,
      classes,
      rows,
      from,
      count,
      wide,
    ]);
    let total = 0;
    for (let r = 0; r < rows; r++) total += terms[r];
    return total / rows;
  };

  /**
   * @returns Buffers for the labels and terms of `rows` rows (in the
   * memory, kept for later batches), or null when the arena is full.
   */
  #buffersFor(
    rows: number,
  ): { labels: Int32Array; terms: Float64Array } | null {
    if (this.#buffers !== null && this.#buffers.terms.length >= rows) {
      return this.#buffers;
    }
    const labels = this.#arena.reserve(4 * rows);
    const terms = labels === null ? null : this.#arena.reserve(8 * rows);
    if (labels === null || terms === null) return null;
    const { buffer } = this.#arena.memory;
    this.#buffers = {
      labels: new Int32Array(buffer, labels, rows),
      terms: new Float64Array(buffer, terms, rows),
    };
    return this.#buffers;
  }
}
