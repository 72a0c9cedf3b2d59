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
  /** The worker stores the job counter here when the job is done. */
  done: 1,
  /** The worker sets 1 once it is ready. */
  ready: 2,
  /** Which kernel the job runs: one of {@link JOB}. */
  kind: 3,
  /**
   * From here: the kernel's arguments, in the order of its parameters in
   * gemm.wat; f32 arguments are stored as their bits.
   */
  args: 4,
  /** Slots in all. */
  length: 16,
} as const;

/** The kernels a worker job can run, by the number in `CONTROL.kind`. */
export const JOB = {
  /** `ab(a, b, out, m, k, n, aStride, stride, scratch, accumulate)` */
  ab: 0,
  /** `sgd(w, grad, v, n, lr, momentum, weightDecay, nesterov)` */
  sgd: 1,
  /** `atb_rows(a, b, out, m, k, n, scratch)` */
  atbRows: 2,
} as const;

/**
 * Each job's gemm.wat export, how many arguments it takes and which of
 * them are f32 (the rest are i32), indexed by {@link JOB} number.
 */
export const JOB_SIGNATURES: readonly {
  kernel: "ab" | "sgd" | "atb_rows";
  args: number;
  f32At: readonly number[];
}[] = [
  { kernel: "ab", args: 10, f32At: [] },
  { kernel: "sgd", args: 8, f32At: [4, 5, 6] },
  { kernel: "atb_rows", args: 7, f32At: [] },
];

/** The message that starts a worker. */
export interface WorkerStart {
  /** The shared WebAssembly memory. */
  memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  control: number;
  /** Which build to instantiate. */
  relaxed: boolean;
}
