/**
 * The control block the main thread and the kernel worker share: a few
 * 32-bit slots at a fixed place in the WebAssembly memory.
 *
 * @module
 */

/** Slot indices (in int32s) of the control block. */
export const CONTROL = {
  /** Job counter: the main thread increments it to start a job; -1 stops. */
  job: 0,
  /** The number of the last job done, stored by whichever thread ran it. */
  done: 1,
  /** The worker sets 1 once it is ready. */
  ready: 2,
  /** Which kernel the job runs: one of {@link JOB}. */
  kind: 3,
  /**
   * From here: the kernel's arguments, in the order of its parameters in
   * gemm.wat; f32 arguments are stored as their bits, f64 ones in two
   * slots (8-byte aligned): up to 18 slots, as `sgd64` takes.
   */
  args: 4,
  /**
   * The last job a thread has taken on: the worker, or the main thread when
   * it finishes its own share first and the worker has not yet started (see
   * {@link claim}).
   */
  claimed: 22,
  /** The worker sets 1 when a job threw (it still reports the job done). */
  failed: 23,
  /** Slots in all. */
  length: 24,
} as const;

/** The kernels a worker job can run, by the number in `CONTROL.kind`. */
export const JOB = {
  /** `ab(a, b, out, m, k, n, aStride, stride, scratch, accumulate)` */
  ab: 0,
  /** `sgd(w, grad, v, n, lr, momentum, weightDecay, nesterov)` */
  sgd: 1,
  /** `atb_slices(a, b, out, m, k, n, slice, scratch)` */
  atbSlices: 2,
  /** `gather_scaled(images, pixels, order, count, scale, out)` */
  gatherScaled: 3,
  /** `relu(input, output, n)` */
  relu: 4,
  /** `relu_backward(output, dOutput, dInput, n)` */
  reluBackward: 5,
  /** `add_row_vector(matrix, vector, rows, cols)` */
  addRowVector: 6,
  /** `peak(trips, out)`: the multiply-add peak, for the bench */
  peak: 7,
  /** `ab64(a, b, out, m, k, n, aStride, stride, scratch, accumulate)`: `ab` in f64 */
  ab64: 8,
  /** `sgd64(w, grad, v, n, lr, momentum, weightDecay, nesterov)`: `sgd` in f64 */
  sgd64: 9,
  /** `gather_scaled64(images, pixels, order, count, scale, out)`: f64 out */
  gatherScaled64: 10,
  /** `relu64(input, output, n)`: `relu` in f64 */
  relu64: 11,
  /** `relu_backward64(output, dOutput, dInput, n)`: `relu_backward` in f64 */
  reluBackward64: 12,
  /** `add_row_vector64(matrix, vector, rows, cols)`: `add_row_vector` in f64 */
  addRowVector64: 13,
  /** `atb_part(a, b, out, m, k, n, from, rows, scratch)`: rows of `aᵀ·b` */
  atbPart: 14,
  /** `atb_part64(a, b, out, m, k, n, from, rows, scratch)`: `atb_part` in f64 */
  atbPart64: 15,
  /** `atb_slices64(a, b, out, m, k, n, aStride, slice, scratch)`: rows of `aᵀ·b` in f64 */
  atbSlices64: 16,
  /** `ab_indexed(entries, starts, b, out, m, n, scratch, accumulate, wide)`: `ab` on a frozen input */
  abIndexed: 17,
  /**
   * `atb_indexed(entries, starts, b, out, m, k, n, slice, from, rows,
   * scratch, accumulate, wide)`: `atb_slices` on a frozen input
   */
  atbIndexed: 18,
  /**
   * `loss_rows(logits, labels, dLogits, terms, classes, batch, from, rows,
   * wide)`: rows of a softmax cross-entropy, in TypeScript (loss.ts)
   */
  lossRows: 19,
} as const;

/** An argument's WebAssembly type. */
type ArgType = "i32" | "f32" | "f64";

/**
 * Each job's gemm.wat export (or, for `loss_rows`, the TypeScript function
 * `instantiate` adds) and its parameter types, indexed by {@link JOB} number.
 */
export const JOB_SIGNATURES = [
  { kernel: "ab", args: Array(10).fill("i32") },
  {
    kernel: "sgd",
    args: ["i32", "i32", "i32", "i32", "f32", "f32", "f32", "i32"],
  },
  { kernel: "atb_slices", args: Array(8).fill("i32") },
  {
    kernel: "gather_scaled",
    args: ["i32", "i32", "i32", "i32", "f64", "i32"],
  },
  { kernel: "relu", args: Array(3).fill("i32") },
  { kernel: "relu_backward", args: Array(4).fill("i32") },
  { kernel: "add_row_vector", args: Array(4).fill("i32") },
  { kernel: "peak", args: Array(2).fill("i32") },
  { kernel: "ab64", args: Array(10).fill("i32") },
  {
    kernel: "sgd64",
    args: ["i32", "i32", "i32", "i32", "f64", "f64", "f64", "i32"],
  },
  {
    kernel: "gather_scaled64",
    args: ["i32", "i32", "i32", "i32", "f64", "i32"],
  },
  { kernel: "relu64", args: Array(3).fill("i32") },
  { kernel: "relu_backward64", args: Array(4).fill("i32") },
  { kernel: "add_row_vector64", args: Array(4).fill("i32") },
  { kernel: "atb_part", args: Array(9).fill("i32") },
  { kernel: "atb_part64", args: Array(9).fill("i32") },
  { kernel: "atb_slices64", args: Array(9).fill("i32") },
  { kernel: "ab_indexed", args: Array(9).fill("i32") },
  { kernel: "atb_indexed", args: Array(13).fill("i32") },
  { kernel: "loss_rows", args: Array(9).fill("i32") },
] as const satisfies readonly {
  kernel: string;
  args: readonly ArgType[];
}[];

/** The kernels a worker job can run. */
export type JobKernel = (typeof JOB_SIGNATURES)[number]["kernel"];

/** Views of the control block, one per argument type. */
export interface ControlViews {
  /** int32 slots */
  ints: Int32Array;
  /** the same slots as f32 */
  floats: Float32Array;
  /** pairs of slots as f64 (slot 2i and 2i+1 are doubles[i]) */
  doubles: Float64Array;
}

/**
 * The views of the control block at byte offset `control` (8-byte aligned).
 *
 * @returns Its int32, f32 and f64 views.
 */
export function controlViews(
  buffer: ArrayBufferLike,
  control: number,
): ControlViews {
  return {
    ints: new Int32Array(buffer, control, CONTROL.length),
    floats: new Float32Array(buffer, control, CONTROL.length),
    doubles: new Float64Array(buffer, control, CONTROL.length / 2),
  };
}

/**
 * Where each argument of a job sits: one slot from `CONTROL.args` on, two
 * (8-byte aligned) for an f64.
 *
 * @returns The slot of each argument.
 */
function slots(args: readonly ArgType[]): number[] {
  let slot: number = CONTROL.args;
  return args.map((type) => {
    if (type === "f64") slot += slot % 2;
    const at = slot;
    slot += type === "f64" ? 2 : 1;
    return at;
  });
}

/**
 * Each job's argument slots, worked out once: a job is handed over some
 * 5,000 times an epoch.
 */
const JOB_SLOTS: readonly number[][] = JOB_SIGNATURES.map((signature) =>
  slots(signature.args)
);

/** Stores a job's arguments in the control block (the main thread's side). */
export function writeArgs(views: ControlViews, kind: number, args: number[]) {
  const types = JOB_SIGNATURES[kind].args;
  const at = JOB_SLOTS[kind];
  for (let i = 0; i < types.length; i++) {
    if (types[i] === "f64") views.doubles[at[i] / 2] = args[i];
    else if (types[i] === "f32") views.floats[at[i]] = args[i];
    else views.ints[at[i]] = args[i];
  }
}

/**
 * Reads a job's arguments from the control block (the worker's side).
 *
 * @returns The arguments, in order.
 */
export function readArgs(views: ControlViews, kind: number): number[] {
  const types = JOB_SIGNATURES[kind].args;
  return JOB_SLOTS[kind].map((slot, i) =>
    types[i] === "f64"
      ? views.doubles[slot / 2]
      : types[i] === "f32"
      ? views.floats[slot]
      : views.ints[slot]
  );
}

/** The message that starts a worker. */
export interface WorkerStart {
  /** The shared WebAssembly memory. */
  memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  control: number;
  /** Which build to instantiate. */
  relaxed: boolean;
  /**
   * Checks of the job counter before sleeping in `Atomics.wait`; default
   * {@link SPINS}. Tests set 0 to make the worker sleep at once.
   */
  spins?: number;
}

/** Checks of the job counter before a worker sleeps: about a millisecond. */
export const SPINS = 200_000;

/**
 * Waits until slot `slot` of the control block differs from `seen`, and
 * returns it: spins `spins` times, then sleeps in `Atomics.wait`. The worker
 * waits so for the job counter to move past the last job it ran, the main
 * thread for the done counter to move past the previous job.
 *
 * A wake-up from `Atomics.wait` is only a hint that the slot changed: the
 * main thread stores the new job count, then notifies, and if it is
 * preempted in between, the worker can see the count by spinning, run the
 * job, go to sleep, and be woken by that late notify with the counter
 * unchanged. Taking such a wake-up for a new job ran the last job twice,
 * racing the main thread (an SGD share applied twice under load); so the
 * slot is read again after every wake-up.
 *
 * @returns The slot's new value (for the job counter, negative: stop).
 */
export function awaitChange(
  ctrl: Int32Array,
  slot: number,
  seen: number,
  spins: number,
): number {
  for (let spin = 0; spin < spins; spin++) {
    const value = Atomics.load(ctrl, slot);
    if (value !== seen) return value;
  }
  for (;;) {
    const value = Atomics.load(ctrl, slot);
    if (value !== seen) return value;
    Atomics.wait(ctrl, slot, seen);
  }
}

/**
 * Takes job `job` on, for whichever thread asks first: the worker when it
 * sees the job, or the main thread once its own share is done. Either runs
 * the same kernel on the same arguments into the same memory, so the
 * results do not depend on which; but a worker that is not running (the
 * machine busy with other processes) no longer costs the main thread a wait
 * for its turn on a core.
 *
 * @returns Whether the caller got the job.
 */
export function claim(ctrl: Int32Array, job: number): boolean {
  return Atomics.compareExchange(ctrl, CONTROL.claimed, job - 1, job) ===
    job - 1;
}
