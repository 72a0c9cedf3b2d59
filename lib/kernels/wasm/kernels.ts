/**
 * The WebAssembly SIMD kernels (`gemm.wat`) behind the {@link Kernels}
 * interface.
 *
 * WebAssembly code can only read its own memory, so copying operands in
 * and out on every call would cost as much as the arithmetic for a batch of
 * 64. Instead the kernels own an arena inside that memory: layers allocate
 * their weights, gradients and activations there (`kernels.allocate`), and a
 * product whose operands already live there runs with no copies. Anything
 * else (a batch of images, an evaluation chunk) is copied into scratch
 * regions, in row chunks when large. The memory never grows, because growing
 * would detach every typed array viewing it.
 *
 * f32 only: f64 operands fall back to the TypeScript {@link fastKernels}.
 *
 * @module
 */

import { fastKernels, type Kernels } from "../gemm.ts";
import type { DType, FloatArray } from "../../base/tensor.ts";
import { GEMM_WASM_PLAIN, GEMM_WASM_RELAXED } from "./gemm_wasm.ts";
import {
  CONTROL,
  controlViews,
  JOB,
  JOB_SIGNATURES,
  type JobKernel,
  type WorkerStart,
  writeArgs,
} from "./protocol.ts";

const MiB = 1 << 20;
const PAGE = 65536;
/** The most bytes of a product the worker computes a partial sum of. */
const WORKER_OUT_BYTES = 4 * MiB;
/**
 * A weight gradient over at least this many rows (a full batch) adds each
 * row's outer product into the output instead of transposing its input.
 */
const ATB_ROWS_MIN = 4096;
/** Batches of fewer bytes are gathered and scaled on one thread. */
const GATHER_SPLIT_BYTES = 1 << 15;
/** Elementwise loops over fewer values run on one thread. */
const ELEMENTWISE_SPLIT = 1 << 18;
/** Parameters with fewer values are updated on one thread. */
const SGD_SPLIT_LENGTH = 1 << 15;

/**
 * The module's exports: the worker jobs' kernels (their parameters are
 * listed in protocol.ts, {@link JOB_SIGNATURES}) and three this thread
 * calls directly. Every parameter is a number (pointers and sizes are i32).
 */
type Exports = Record<
  JobKernel | "transpose" | "add_arrays" | "sum_rows",
  (...args: number[]) => void
>;

/** A byte range of the WebAssembly memory. */
interface Region {
  ptr: number;
  bytes: number;
}

/** Options for {@link createWasmKernels}. */
export interface WasmKernelOptions {
  /** Use relaxed SIMD (fused multiply-add) where the runtime has it; default true. */
  relaxed?: boolean;
  /**
   * Bytes for tensors allocated through `allocate`; default 768 MiB, enough
   * for a full batch of 50,000 images. Reserved, not used: pages cost memory
   * only once written.
   */
  arenaBytes?: number;
  /** Bytes of each scratch region for copied operands; default 16 MiB. */
  scratchBytes?: number;
  /**
   * Run large products and SGD updates on two threads: a Worker takes half
   * of each (see `ab` inside for how they are split). Default false. Row
   * splits give identical results; a split along a product's inner
   * dimension adds two partial sums, which can move the last bits, the same
   * way on every run.
   */
  worker?: boolean;
  /**
   * The smallest product, in multiply-adds (`m·k·n`), worth splitting:
   * below it the hand-off costs more than it saves. Default 2^18 (the
   * second layer's products at batch 64, 2^19, gain a little from it).
   */
  splitThreshold?: number;
}

/** The kernels plus what a benchmark wants to know about them. */
export interface WasmKernels extends Kernels {
  /** Whether the relaxed-SIMD build is in use. */
  readonly relaxed: boolean;
  /** Stops the worker thread, if any; the kernels stay usable on one thread. */
  dispose(): void;
}

/** @returns The bytes of one of the embedded modules. */
function decode(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Whether this runtime validates the relaxed-SIMD module. */
export const RELAXED_SIMD_AVAILABLE: boolean = WebAssembly.validate(
  decode(GEMM_WASM_RELAXED),
);

/**
 * Instantiates the kernels in a fresh memory (about 840 MiB reserved by
 * default; pages count toward memory use only once touched).
 *
 * @param options Relaxed SIMD, arena and scratch sizes, a worker thread.
 * @returns Kernels named `"wasm"` (`"wasm-plain"` without relaxed SIMD),
 * with `-workers` appended when a worker thread shares the work.
 */
export function createWasmKernels(
  options: WasmKernelOptions = {},
): WasmKernels {
  const relaxed = (options.relaxed ?? true) && RELAXED_SIMD_AVAILABLE;
  const scratchBytes = options.scratchBytes ?? 16 * MiB;
  const arenaBytes = options.arenaBytes ?? 768 * MiB;
  let next = 0;
  const region = (bytes: number): Region => {
    const r = { ptr: next, bytes };
    next += Math.ceil(bytes / 64) * 64;
    return r;
  };
  const control = region(4 * CONTROL.length);
  const gather = region(8 * MiB); // 8 bytes per column of A: k up to 1M
  const workerGather = region(options.worker ? 8 * MiB : 0);
  const workerOut = region(options.worker ? WORKER_OUT_BYTES : 0);
  const scratchA = region(scratchBytes);
  const scratchB = region(scratchBytes);
  const scratchT = region(scratchBytes);
  const scratchOut = region(scratchBytes);
  const arena = region(arenaBytes);
  const memory = new WebAssembly.Memory({
    initial: Math.ceil(next / PAGE),
    maximum: Math.ceil(next / PAGE),
    shared: true,
  });
  const module = new WebAssembly.Module(
    decode(relaxed ? GEMM_WASM_RELAXED : GEMM_WASM_PLAIN),
  );
  const wasm = new WebAssembly.Instance(module, { env: { memory } })
    .exports as unknown as Exports;
  const heap = new Float32Array(memory.buffer);
  /** A batch's image indices, for gather_scaled. */
  const orderScratch = new Int32Array(
    memory.buffer,
    scratchA.ptr,
    scratchA.bytes / 4,
  );
  let arenaUsed = 0;
  /** placeBytes' copies, by the source's buffer and range. */
  const placedBytes = new WeakMap<ArrayBufferLike, Map<string, Uint8Array>>();
  const views = controlViews(memory.buffer, control.ptr);
  const ctrl = views.ints;
  const splitThreshold = options.splitThreshold ?? 2 ** 18;
  let worker: Worker | null = null;
  if (options.worker) {
    worker = new Worker(new URL("./worker.ts", import.meta.url), {
      type: "module",
    });
    worker.postMessage(
      { memory, control: control.ptr, relaxed } satisfies WorkerStart,
    );
    // The worker loads on its own thread, so blocking here is safe.
    if (Atomics.wait(ctrl, CONTROL.ready, 0, 30_000) === "timed-out") {
      worker.terminate();
      throw new Error("the kernel worker did not start within 30 s");
    }
  }
  let jobs = 0;

  /** Hands the worker a job (a {@link JOB} number); `finish` waits for it. */
  const start = (kind: number, args: number[]) => {
    writeArgs(views, kind, args);
    ctrl[CONTROL.kind] = kind;
    Atomics.store(ctrl, CONTROL.job, ++jobs);
    Atomics.notify(ctrl, CONTROL.job);
  };
  const finish = () => {
    // The worker's share takes about as long as ours: spin, don't sleep.
    while (Atomics.load(ctrl, CONTROL.done) !== jobs) {
      // spin
    }
    if (Atomics.exchange(ctrl, CONTROL.failed, 0) !== 0) {
      throw new Error(
        "the kernel worker's share of a job failed (its error is on stderr)",
      );
    }
  };

  const kernelOf = (kind: number) => wasm[JOB_SIGNATURES[kind].kernel];

  /**
   * Runs job `kind` over `count` rows (or values), the worker taking the
   * second half when `split` says the work is worth it: `args(from, rows,
   * scratch)` gives the kernel's arguments for rows `[from, from + rows)`
   * and the thread's gather scratch. Only for kernels whose rows are
   * independent, so the results are one thread's.
   */
  const splitRows = (
    kind: number,
    count: number,
    split: boolean,
    args: (from: number, rows: number, scratch: number) => number[],
  ) => {
    const kernel = kernelOf(kind);
    if (worker === null || !split || count < 2) {
      kernel(...args(0, count, gather.ptr));
      return;
    }
    const half = count >> 1;
    start(kind, args(half, count - half, workerGather.ptr));
    kernel(...args(0, half, gather.ptr));
    finish();
  };

  /**
   * Runs job `kind` as two partial sums (there must be a worker): this
   * thread's over rows `[0, count/2)` into `out`, the worker's over the rest
   * into its own buffer, which is then added to the `length` values of
   * `out`. `args(from, rows, into, scratch, mine)` gives the kernel's
   * arguments.
   */
  const splitSum = (
    kind: number,
    count: number,
    out: number,
    length: number,
    args: (
      from: number,
      rows: number,
      into: number,
      scratch: number,
      mine: boolean,
    ) => number[],
  ) => {
    const half = count >> 1;
    start(
      kind,
      args(half, count - half, workerOut.ptr, workerGather.ptr, false),
    );
    kernelOf(kind)(...args(0, half, out, gather.ptr, true));
    finish();
    wasm.add_arrays(out, workerOut.ptr, length);
  };

  /**
   * wasm.ab, with half of the work on the worker when it pays, split so
   * that each thread keeps to its own half of the weights:
   *
   * - A product with a long inner dimension (a batch times the weights,
   *   `[64,784]·[784,128]`) is split along k: this thread multiplies by
   *   the first half of the weights' rows, the worker by the second half
   *   into its own buffer, and this thread adds the two. Splitting the
   *   output's rows instead would make both threads read all of the
   *   weights; splitting its columns, both read and write interleaved
   *   halves of every row, and the caches' prefetchers then fetch the other
   *   thread's lines. Either way cache lines of the weights moved between
   *   the cores on every step, which cost more than the second core saved.
   * - Otherwise (a weight gradient, `[784,64]·[64,128]`, or a full batch)
   *   the output's rows are split: the worker writes the second half of
   *   the rows, the same rows of the weights it multiplied by, and the same
   *   half `sgdStep` gives it.
   *
   * A k-split adds two partial sums, so its last bits can differ from one
   * thread's sum; it is deterministic all the same.
   */
  const ab = (
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    accumulate: number,
  ) => {
    const split = worker !== null && m * k * n >= splitThreshold;
    if (split && k > m && 4 * m * n <= workerOut.bytes) {
      splitSum(JOB.ab, k, out, m * n, (from, rows, into, scratch, mine) => [
        a + 4 * from,
        b + 4 * from * n,
        into,
        m,
        rows,
        n,
        k,
        n,
        scratch,
        mine ? accumulate : 0,
      ]);
      return;
    }
    splitRows(JOB.ab, m, split, (from, rows, scratch) => [
      a + 4 * from * k,
      b,
      out + 4 * from * n,
      rows,
      k,
      n,
      k,
      n,
      scratch,
      accumulate,
    ]);
  };

  const pointerOf = (x: FloatArray): number | null =>
    x.buffer === memory.buffer ? x.byteOffset : null;
  /** Where an f32 array lives in the memory, or null. */
  const f32Pointer = (x: FloatArray): number | null =>
    x instanceof Float32Array ? pointerOf(x) : null;
  /**
   * Runs `kernel` on the arrays' pointers when all are f32 arrays in the
   * memory.
   *
   * @returns Whether it ran.
   */
  const withPointers = (
    arrays: FloatArray[],
    kernel: (...pointers: number[]) => void,
  ): boolean => {
    const pointers = arrays.map(f32Pointer);
    if (pointers.includes(null)) return false;
    kernel(...pointers as number[]);
    return true;
  };

  /** A pointer to `x` (its first `length` values): in place, or a copy in `scratch`. */
  const place = (
    x: Float32Array,
    length: number,
    scratch: Region,
  ): number | null => {
    const ptr = pointerOf(x);
    if (ptr !== null) return ptr;
    if (4 * length > scratch.bytes) return null;
    heap.set(x.subarray(0, length), scratch.ptr / 4);
    return scratch.ptr;
  };

  /**
   * out[m,n] = a[m,k] · B (or out += a · B), with B already in memory at
   * `bPtr`; `a` and `out` are used in place or copied through scratch in
   * row chunks.
   */
  const rowsTimes = (
    a: Float32Array,
    bPtr: number,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    accumulate = false,
  ) => {
    const aPtr = pointerOf(a);
    const outPtr = pointerOf(out);
    let chunk = m;
    if (aPtr === null) {
      chunk = Math.min(chunk, Math.floor(scratchA.bytes / (4 * k)));
    }
    if (outPtr === null) {
      chunk = Math.min(chunk, Math.floor(scratchOut.bytes / (4 * n)));
    }
    for (let r0 = 0; r0 < m; r0 += chunk) {
      const rows = Math.min(chunk, m - r0);
      const from = aPtr === null ? scratchA.ptr : aPtr + 4 * r0 * k;
      if (aPtr === null) {
        heap.set(a.subarray(r0 * k, (r0 + rows) * k), scratchA.ptr / 4);
      }
      const to = outPtr === null ? scratchOut.ptr : outPtr + 4 * r0 * n;
      if (outPtr === null && accumulate) {
        heap.set(out.subarray(r0 * n, (r0 + rows) * n), to / 4);
      }
      ab(from, bPtr, to, rows, k, n, accumulate ? 1 : 0);
      if (outPtr === null) {
        out.set(heap.subarray(to / 4, to / 4 + rows * n), r0 * n);
      }
    }
  };

  /**
   * out[m,n] = a[k,m]ᵀ · b[k,n] by `atb_rows` (no transpose), the worker
   * taking the second half of the k rows into its own buffer.
   *
   * @returns false (having written nothing) when an operand does not fit.
   */
  const atbRows = (
    a: Float32Array,
    b: Float32Array,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
  ): boolean => {
    const aPtr = place(a, k * m, scratchA);
    const bPtr = place(b, k * n, scratchB);
    const inPlace = pointerOf(out);
    const outPtr = inPlace ??
      (4 * m * n <= scratchOut.bytes ? scratchOut.ptr : null);
    if (
      aPtr === null || bPtr === null || outPtr === null || 8 * m > gather.bytes
    ) {
      return false;
    }
    heap.fill(0, outPtr / 4, outPtr / 4 + m * n);
    const args = (
      from: number,
      rows: number,
      into: number,
      scratch: number,
    ) => [
      aPtr + 4 * from * m,
      bPtr + 4 * from * n,
      into,
      rows,
      m,
      n,
      scratch,
    ];
    if (worker !== null && 4 * m * n <= workerOut.bytes) {
      heap.fill(0, workerOut.ptr / 4, workerOut.ptr / 4 + m * n);
      splitSum(JOB.atbRows, k, outPtr, m * n, args);
    } else {
      kernelOf(JOB.atbRows)(...args(0, k, outPtr, gather.ptr));
    }
    if (inPlace === null) {
      out.set(heap.subarray(outPtr / 4, outPtr / 4 + m * n));
    }
    return true;
  };

  const fits = (k: number) => 8 * k <= gather.bytes && 4 * k <= scratchA.bytes;
  const allF32 = (a: FloatArray, b: FloatArray, out: FloatArray): boolean =>
    a instanceof Float32Array && b instanceof Float32Array &&
    out instanceof Float32Array;

  return {
    name: (relaxed ? "wasm" : "wasm-plain") + (worker ? "-workers" : ""),
    relaxed,
    dispose() {
      if (worker === null) return;
      Atomics.store(ctrl, CONTROL.job, -1);
      Atomics.notify(ctrl, CONTROL.job);
      worker.terminate();
      worker = null;
    },
    ab(a, b, out, m, k, n) {
      const bPtr = allF32(a, b, out) && fits(k)
        ? place(b as Float32Array, k * n, scratchB)
        : null;
      if (bPtr === null) return fastKernels.ab(a, b, out, m, k, n);
      rowsTimes(a as Float32Array, bPtr, out as Float32Array, m, k, n);
    },
    atb(a, b, out, m, k, n) {
      if (!allF32(a, b, out)) return fastKernels.atb(a, b, out, m, k, n);
      if (
        k >= ATB_ROWS_MIN &&
        atbRows(a as Float32Array, b as Float32Array, out, m, k, n)
      ) return;
      // aᵀ is [m,k]. Over slices of the k rows of a and b (a whole batch of
      // 50,000 does not fit in scratch): transpose the slice of a ([K,m])
      // into scratchT and add aᵀ_slice · b_slice to out.
      if (m > scratchT.bytes / 4) return fastKernels.atb(a, b, out, m, k, n);
      const slice = Math.max(
        1,
        Math.min(
          k,
          Math.floor(scratchT.bytes / (4 * m)),
          Math.floor(scratchB.bytes / (4 * n)),
        ),
      );
      const bInPlace = pointerOf(b);
      for (let k0 = 0; k0 < k; k0 += slice) {
        const rows = Math.min(slice, k - k0);
        const aPtr = place(
          (a as Float32Array).subarray(k0 * m),
          rows * m,
          scratchA,
        );
        const bPtr = bInPlace !== null
          ? bInPlace + 4 * k0 * n
          : place((b as Float32Array).subarray(k0 * n), rows * n, scratchB);
        if (aPtr === null || bPtr === null) {
          return fastKernels.atb(a, b, out, m, k, n);
        }
        wasm.transpose(aPtr, scratchT.ptr, rows, m);
        const aT = heap.subarray(scratchT.ptr / 4, scratchT.ptr / 4 + m * rows);
        rowsTimes(aT, bPtr, out as Float32Array, m, rows, n, k0 > 0);
      }
    },
    abt(a, b, out, m, k, n) {
      // bᵀ is [k,n]: transpose b ([n,k]) into scratchT, then multiply.
      const ok = allF32(a, b, out) && fits(k) && 4 * k * n <= scratchT.bytes;
      const bPtr = ok ? place(b as Float32Array, n * k, scratchB) : null;
      if (bPtr === null) return fastKernels.abt(a, b, out, m, k, n);
      wasm.transpose(bPtr, scratchT.ptr, n, k);
      rowsTimes(a as Float32Array, scratchT.ptr, out as Float32Array, m, k, n);
    },
    sgdStep(weights, grad, velocity, step, cols = weights.length) {
      const w = f32Pointer(weights);
      const g = f32Pointer(grad);
      const v = f32Pointer(velocity);
      if (w === null || g === null || v === null) return false;
      const scalars = [
        step.lr,
        step.momentum,
        step.weightDecay,
        step.nesterov ? 1 : 0,
      ] as const;
      // By rows, as the products split the weights.
      const rowLength = weights.length % cols === 0 ? cols : weights.length;
      splitRows(
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
    },
    addRowVector: (matrix, vector, rows, cols) =>
      withPointers([matrix, vector], (m, v) => {
        splitRows(
          JOB.addRowVector,
          rows,
          rows * cols >= ELEMENTWISE_SPLIT,
          (from, count) => [m + 4 * from * cols, v, count, cols],
        );
      }),
    sumRows: (matrix, out, rows, cols) =>
      withPointers([matrix, out], (m, o) => {
        wasm.sum_rows(m, o, rows, cols);
      }),
    relu: (input, output) =>
      withPointers([input, output], (x, y) => {
        splitRows(
          JOB.relu,
          input.length,
          input.length >= ELEMENTWISE_SPLIT,
          (from, n) => [x + 4 * from, y + 4 * from, n],
        );
      }),
    reluBackward: (output, dOutput, dInput) =>
      withPointers([output, dOutput, dInput], (y, dy, dx) => {
        splitRows(
          JOB.reluBackward,
          output.length,
          output.length >= ELEMENTWISE_SPLIT,
          (from, n) => [y + 4 * from, dy + 4 * from, dx + 4 * from, n],
        );
      }),
    placeBytes(bytes) {
      let copies = placedBytes.get(bytes.buffer);
      const key = `${bytes.byteOffset}:${bytes.length}`;
      const placed = copies?.get(key);
      if (placed) return placed;
      const floats = Math.ceil(bytes.length / 4);
      if (4 * (arenaUsed + floats) > arena.bytes) return null;
      const copy = new Uint8Array(
        memory.buffer,
        arena.ptr + 4 * arenaUsed,
        bytes.length,
      );
      arenaUsed += Math.ceil(floats / 16) * 16;
      copy.set(bytes);
      if (!copies) placedBytes.set(bytes.buffer, copies = new Map());
      copies.set(key, copy);
      return copy;
    },
    gatherScaled(images, pixels, order, from, count, scale, out) {
      const imagesPtr = images.buffer === memory.buffer
        ? images.byteOffset
        : null;
      const outPtr = f32Pointer(out);
      if (imagesPtr === null || outPtr === null || 4 * count > scratchA.bytes) {
        return false;
      }
      orderScratch.set(order.subarray(from, from + count));
      splitRows(
        JOB.gatherScaled,
        count,
        count * pixels >= GATHER_SPLIT_BYTES,
        (from, rows) => [
          imagesPtr,
          pixels,
          scratchA.ptr + 4 * from,
          rows,
          scale,
          outPtr + 4 * from * pixels,
        ],
      );
      return true;
    },
    allocate(dtype: DType, length: number): FloatArray {
      if (dtype === "f64" || 4 * (arenaUsed + length) > arena.bytes) {
        return dtype === "f32"
          ? new Float32Array(length)
          : new Float64Array(length);
      }
      const view = new Float32Array(
        memory.buffer,
        arena.ptr + 4 * arenaUsed,
        length,
      );
      // Start every tensor on a cache line (64 bytes), so that two threads
      // writing different columns never write the same line.
      arenaUsed += Math.ceil(length / 16) * 16;
      return view;
    },
  };
}

let shared: WasmKernels | null = null;

/**
 * The single-threaded WebAssembly kernels, shared by everything in the process.
 *
 * @returns One shared instance, created on first use.
 */
export function wasmKernels(): WasmKernels {
  shared ??= createWasmKernels();
  return shared;
}
