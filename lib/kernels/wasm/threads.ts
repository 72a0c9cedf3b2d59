/**
 * The thread split of the `wasm-workers` kernels: a Worker runs the same
 * module on the same memory (worker.ts), and a job is handed to it through
 * the control block (protocol.ts). A kernel call gives the worker half of
 * its rows ({@link Threads.splitRows}), or half of a sum into a buffer of
 * its own that this thread then adds ({@link Threads.splitSum}). Without a
 * worker everything runs on this thread.
 *
 * @module
 */

import type { Arena } from "./arena.ts";
import type { Exports } from "./module.ts";
import {
  awaitChange,
  claim,
  CONTROL,
  type ControlViews,
  controlViews,
  JOB_SIGNATURES,
  type WorkerStart,
  writeArgs,
} from "./protocol.ts";

/**
 * Checks of the done counter before this thread sleeps: about 100
 * microseconds, longer than the worker's share of a batch-64 product.
 */
const FINISH_SPINS = 20_000;

/** A kernel's arguments for rows `[from, from + rows)`, given a gather scratch. */
export type RowArgs = (from: number, rows: number, scratch: number) => number[];

/**
 * A kernel's arguments for a partial sum over rows `[from, from + rows)`
 * into `into`; `mine` is true for this thread's share.
 */
export type SumArgs = (
  from: number,
  rows: number,
  into: number,
  scratch: number,
  mine: boolean,
) => number[];

/** This thread and, optionally, a worker sharing the kernels' jobs. */
export class Threads {
  readonly #arena: Arena;
  readonly #wasm: Exports;
  readonly #views: ControlViews;
  #worker: Worker | null = null;
  /** Jobs handed to the worker so far. */
  #jobs = 0;
  /** Worker shares this thread ran because the worker had not started them. */
  #sharesRunHere = 0;
  /** A job started by {@link Threads.later} and not yet waited for. */
  #pending: { kind: number; args: number[] } | null = null;

  /**
   * Starts the worker, if asked, and waits until it is ready.
   *
   * @param start Starts the worker (tests pass one that never takes a job).
   */
  constructor(
    arena: Arena,
    wasm: Exports,
    relaxed: boolean,
    worker: boolean,
    start: typeof startWorker = startWorker,
  ) {
    this.#arena = arena;
    this.#wasm = wasm;
    this.#views = controlViews(arena.memory.buffer, arena.control.ptr);
    if (worker) this.#worker = start(arena, relaxed, this.#views.ints);
  }

  /** Jobs posted for the worker, and how many of them this thread ran. */
  get jobCounts(): { posted: number; ranHere: number } {
    return { posted: this.#jobs, ranHere: this.#sharesRunHere };
  }

  /** Whether a worker shares the work. */
  get active(): boolean {
    return this.#worker !== null;
  }

  /**
   * Runs job `kind` over `count` rows (or values), the worker taking the
   * second half when `split` says the work is worth it. Only for kernels
   * whose rows are independent, so the results are one thread's.
   */
  splitRows(kind: number, count: number, split: boolean, args: RowArgs) {
    const kernel = this.#kernelOf(kind);
    const { gather, workerGather } = this.#arena;
    if (this.#worker === null || !split || count < 2) {
      kernel(...args(0, count, gather.ptr));
      return;
    }
    const half = count >> 1;
    const workerArgs = args(half, count - half, workerGather.ptr);
    this.#start(kind, workerArgs);
    kernel(...args(0, half, gather.ptr));
    this.#finish(kind, workerArgs);
  }

  /**
   * Runs job `kind` as two partial sums (there must be a worker): this
   * thread's over rows `[0, count/2)` into `out`, the worker's over the rest
   * into its own buffer (`Arena.workerOut`), which is then added to the
   * `length` values of `out` (f32, or f64 by `add_arrays64`).
   */
  splitSum(
    kind: number,
    count: number,
    out: number,
    length: number,
    args: SumArgs,
    add: "add_arrays" | "add_arrays64" = "add_arrays",
  ) {
    const { gather, workerGather, workerOut } = this.#arena;
    const [[, half], [from, rest]] = sumHalves(count);
    const workerArgs = args(from, rest, workerOut.ptr, workerGather.ptr, false);
    this.#start(kind, workerArgs);
    this.#kernelOf(kind)(...args(0, half, out, gather.ptr, true));
    this.#finish(kind, workerArgs);
    this.#wasm[add](out, workerOut.ptr, length);
  }

  /**
   * Runs job `kind` on the worker while this thread runs `here`, then waits
   * for it (or runs it here, if the worker has not started it): two
   * independent kernels at once. There must be a worker, and `here` must
   * not hand it a job.
   */
  alongside(kind: number, workerArgs: number[], here: () => void) {
    this.#start(kind, workerArgs);
    here();
    this.#finish(kind, workerArgs);
  }

  /**
   * Starts job `kind` on the worker and returns at once: the worker runs it
   * while this thread goes on with other work. The next job handed to the
   * worker, or {@link Threads.settle}, waits for it first (or runs it here,
   * if the worker has not started it). There must be a worker.
   */
  later(kind: number, args: number[]) {
    this.#start(kind, args);
    this.#pending = { kind, args };
  }

  /** Waits for the job {@link Threads.later} started, if any. */
  settle() {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    this.#finish(pending.kind, pending.args);
  }

  /** Stops the worker, if any; the kernels stay usable on one thread. */
  dispose() {
    this.settle();
    if (this.#worker === null) return;
    Atomics.store(this.#views.ints, CONTROL.job, -1);
    Atomics.notify(this.#views.ints, CONTROL.job);
    this.#worker.terminate();
    this.#worker = null;
  }

  #kernelOf(kind: number) {
    return this.#wasm[JOB_SIGNATURES[kind].kernel];
  }

  /**
   * Hands the worker a job (a `JOB` number), once any job started by
   * `later` is done; `#finish` waits for it.
   */
  #start(kind: number, args: number[]) {
    this.settle();
    const ctrl = this.#views.ints;
    writeArgs(this.#views, kind, args);
    ctrl[CONTROL.kind] = kind;
    Atomics.store(ctrl, CONTROL.job, ++this.#jobs);
    Atomics.notify(ctrl, CONTROL.job);
  }

  /**
   * Completes the worker's share of job `kind`: runs it here if the worker
   * has not taken it on yet ({@link claim}), else waits for it, spinning
   * for about as long as a share takes, then sleeping until the worker
   * notifies. Spinning alone cost a whole time slice per hand-off whenever
   * the worker was not running (other processes holding the cores).
   */
  #finish(kind: number, workerArgs: number[]) {
    const ctrl = this.#views.ints;
    if (claim(ctrl, this.#jobs)) {
      this.#kernelOf(kind)(...workerArgs);
      this.#sharesRunHere++;
      Atomics.store(ctrl, CONTROL.done, this.#jobs);
      return;
    }
    awaitChange(ctrl, CONTROL.done, this.#jobs - 1, FINISH_SPINS);
    if (Atomics.exchange(ctrl, CONTROL.failed, 0) !== 0) {
      throw new Error(
        "the kernel worker's share of a job failed (its error is on stderr)",
      );
    }
  }
}

/**
 * How {@link Threads.splitSum} shares `count` rows: this thread's
 * `[0, count/2)`, then the worker's rest, each as `[from, rows]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sumHalves(5), [[0, 2], [2, 3]]);
 * ```
 */
export function sumHalves(
  count: number,
): [[from: number, rows: number], [from: number, rows: number]] {
  const half = count >> 1;
  return [[0, half], [half, count - half]];
}

/**
 * Starts the kernel worker on the arena's memory and blocks until it is
 * ready (it loads on its own thread, so blocking here is safe).
 *
 * @returns The worker.
 */
export function startWorker(
  arena: Arena,
  relaxed: boolean,
  ctrl: Int32Array,
): Worker {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  });
  worker.postMessage(
    {
      memory: arena.memory,
      control: arena.control.ptr,
      relaxed,
    } satisfies WorkerStart,
  );
  if (Atomics.wait(ctrl, CONTROL.ready, 0, 30_000) === "timed-out") {
    worker.terminate();
    throw new Error("the kernel worker did not start within 30 s");
  }
  return worker;
}
