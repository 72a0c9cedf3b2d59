/**
 * The three matrix products on the WebAssembly kernels: operands in the
 * arena are used in place, others copied through scratch; large products
 * are shared with the worker (see {@link WasmProducts.ab} for how).
 *
 * f32 and f64 (the `ab64` and `transpose64` kernels, with the same arena,
 * thread split and zero skipping); mixed element types fall back to the
 * TypeScript {@link fastKernels}.
 *
 * @module
 */

import type { FloatArray } from "../../base/tensor.ts";
import { fastKernels, type GemmKernel, type MatrixKernels } from "../gemm.ts";
import type { Arena } from "./arena.ts";
import { FrozenInput, type KRange } from "./frozen.ts";
import type { Exports } from "./module.ts";
import { JOB, JOB_SIGNATURES } from "./protocol.ts";
import { type SumArgs, sumHalves, type Threads } from "./threads.ts";

/**
 * A weight gradient over at least this many rows (a full batch) goes to
 * `atb_slices`, which transposes its input a cache-sized slice at a time,
 * instead of transposing all of it into scratch first.
 */
const ATB_SLICES_MIN = 4096;

/**
 * How many bytes of b's rows an `atb_slices` slice holds: they are read
 * once per nonzero of the slice's transposed input, so they should stay in
 * the L1 cache (48 KiB on the machines measured). 96 rows for the first
 * layer's 128 columns: 64 rows (32 KiB) measured 4-5% slower, 128 rows
 * (64 KiB) 2-8% slower.
 */
const ATB_SLICE_BYTES = 48 * 1024;
/** The longest slice: the second layer's measured no faster past it. */
const ATB_SLICE_MAX = 256;

/** The f32 gather's compress table, at the start of its scratch. */
const GATHER_TABLE_BYTES = 256;

/** What the products need to know about one element type. */
interface Precision {
  /** Bytes per value. */
  readonly size: 4 | 8;
  /** The memory as this type. */
  readonly heap: FloatArray;
  /** The worker job that runs `ab` in this type. */
  readonly abJob: number;
  /** `ab` in this type. */
  readonly ab: "ab" | "ab64";
  /** Its transpose. */
  readonly transpose: "transpose" | "transpose64";
  /** Its `dst += src`. */
  readonly add: "add_arrays" | "add_arrays64";
  /** The worker job that runs `atb_part` in this type. */
  readonly atbPartJob: number;
  /** Scratch bytes `atb_part` needs before its transposed block. */
  readonly atbPartScratch: (k: number) => number;
}

/** `ab`, `atb` and `abt` on the arena, with the worker when there is one. */
export class WasmProducts {
  readonly #arena: Arena;
  readonly #threads: Threads;
  readonly #wasm: Exports;
  readonly #splitThreshold: number;
  readonly #f32: Precision;
  readonly #f64: Precision;
  /** The input `freeze` was last given, with its indexes. */
  #frozen: FrozenInput | null = null;

  /**
   * @param splitThreshold The smallest product, in multiply-adds, worth
   * sharing with the worker.
   */
  constructor(
    arena: Arena,
    threads: Threads,
    wasm: Exports,
    splitThreshold: number,
  ) {
    this.#arena = arena;
    this.#threads = threads;
    this.#wasm = wasm;
    this.#splitThreshold = splitThreshold;
    this.#f32 = {
      size: 4,
      heap: arena.heap,
      abJob: JOB.ab,
      ab: "ab",
      transpose: "transpose",
      add: "add_arrays",
      atbPartJob: JOB.atbPart,
      atbPartScratch: (k) => GATHER_TABLE_BYTES + 8 * k,
    };
    this.#f64 = {
      size: 8,
      heap: arena.heap64,
      abJob: JOB.ab64,
      ab: "ab64",
      transpose: "transpose64",
      add: "add_arrays64",
      atbPartJob: JOB.atbPart64,
      atbPartScratch: (k) => 16 * k,
    };
  }

  /** @returns The element type of all three arrays, or null if they mix. */
  #precisionOf(
    a: FloatArray,
    b: FloatArray,
    out: FloatArray,
  ): Precision | null {
    if (
      a instanceof Float32Array && b instanceof Float32Array &&
      out instanceof Float32Array
    ) return this.#f32;
    if (
      a instanceof Float64Array && b instanceof Float64Array &&
      out instanceof Float64Array
    ) return this.#f64;
    return null;
  }

  /**
   * See {@link MatrixKernels.freeze}: `a` is indexed on the first `ab` and
   * the first `atb` that can use it. One input at a time: a later call
   * replaces it. An array outside the memory is not frozen.
   */
  readonly freeze = (a: FloatArray, rows: number, cols: number): void => {
    const ptr = this.#arena.pointerOf(a);
    this.#frozen = ptr === null || ptr < this.#arena.tensors.ptr ||
        a.length < rows * cols
      ? null
      : new FrozenInput(this.#arena, this.#wasm, a, ptr, rows, cols);
  };

  /** `out[m,n] = a[m,k] · b[k,n]` */
  readonly ab: GemmKernel = (a, b, out, m, k, n) => {
    const p = this.#precisionOf(a, b, out);
    const bPtr = p !== null && this.#fits(k, p)
      ? this.#arena.place(b, k * n, this.#arena.scratchB)
      : null;
    if (p === null || bPtr === null) return fastKernels.ab(a, b, out, m, k, n);
    if (this.#abIndexed(p, a, bPtr, out, m, k, n)) return;
    this.#rowsTimes(p, a, bPtr, out, m, k, n);
  };

  /**
   * `ab` on a frozen a by `ab_indexed`, its rows split with the worker as
   * `#abPointers` splits them.
   *
   * @returns false (having written nothing) when a is not the frozen
   * input, out is outside the memory, the product would be split along k,
   * or the index does not fit.
   */
  #abIndexed(
    p: Precision,
    a: FloatArray,
    bPtr: number,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
  ): boolean {
    const frozen = this.#frozen;
    const outPtr = this.#arena.pointerOf(out);
    if (
      frozen === null || outPtr === null ||
      !frozen.is(this.#arena.pointerOf(a), m, k, p.size) ||
      this.#splitsSum(p, m, k, n)
    ) return false;
    const index = frozen.byRows();
    if (index === null) return false;
    const { entries, starts } = index;
    this.#threads.splitRows(
      JOB.abIndexed,
      m,
      this.#splits(m, k, n),
      (from, rows, scratch) => [
        entries,
        starts + 4 * from,
        bPtr,
        outPtr + p.size * from * n,
        rows,
        n,
        scratch,
        0,
        frozen.wide,
      ],
    );
    return true;
  }

  /** `out[m,n] = a[k,m]ᵀ · b[k,n]` */
  readonly atb: GemmKernel = (a, b, out, m, k, n) => {
    const p = this.#precisionOf(a, b, out);
    if (p === null) return fastKernels.atb(a, b, out, m, k, n);
    if (k >= ATB_SLICES_MIN && this.#atbSlices(p, a, b, out, m, k, n)) return;
    if (this.#atbPart(p, a, b, out, m, k, n)) return;
    if (!this.#atbTransposed(p, a, b, out, m, k, n)) {
      fastKernels.atb(a, b, out, m, k, n);
    }
  };

  /** `out[m,n] = a[m,k] · b[n,k]ᵀ` */
  readonly abt: GemmKernel = (a, b, out, m, k, n) => {
    // bᵀ is [k,n]: transpose b ([n,k]) into scratchT, then multiply.
    const { scratchB, scratchT } = this.#arena;
    const p = this.#precisionOf(a, b, out);
    const ok = p !== null && this.#fits(k, p) &&
      p.size * k * n <= scratchT.bytes;
    const bPtr = ok ? this.#arena.place(b, n * k, scratchB) : null;
    if (p === null || bPtr === null) {
      return fastKernels.abt(a, b, out, m, k, n);
    }
    this.#wasm[p.transpose](bPtr, scratchT.ptr, n, k);
    this.#rowsTimes(p, a, scratchT.ptr, out, m, k, n);
  };

  /** Whether a product of this size is worth sharing with the worker. */
  #splits(m: number, k: number, n: number): boolean {
    return this.#threads.active && m * k * n >= this.#splitThreshold;
  }

  /**
   * Whether `#abPointers` splits this product along k (two partial sums,
   * whose last bits can differ from one thread's), rather than its rows.
   */
  #splitsSum(p: Precision, m: number, k: number, n: number): boolean {
    return this.#splits(m, k, n) && k > m &&
      p.size * m * n <= this.#arena.workerOut.bytes;
  }

  /**
   * See {@link MatrixKernels.atbAbt}: the worker runs `atb_part` over all of
   * dW's rows while this thread transposes w and multiplies, each product
   * on one thread, as `atb` and `abt` split between two threads by rows
   * give the same sums. Declined (false) without a worker or for products
   * too small to share (as `#splits` says), when an array is outside the
   * memory or does not fit the scratch, and for the shapes
   * `atb` or `abt` would compute as two partial sums (a full batch, or a
   * `dY · wᵀ` with more outputs than batch rows), whose bits can differ.
   */
  readonly atbAbt: NonNullable<MatrixKernels["atbAbt"]> = (
    x,
    dY,
    w,
    dW,
    dX,
    batch,
    inFeatures,
    outFeatures,
  ) => {
    const p = this.#precisionOf(x, dY, dW);
    if (
      p === null || p !== this.#precisionOf(w, dX, x) ||
      !this.#splits(batch, inFeatures, outFeatures) ||
      batch >= ATB_SLICES_MIN ||
      this.#splitsSum(p, batch, outFeatures, inFeatures)
    ) return false;
    const arena = this.#arena;
    const xPtr = arena.pointerOf(x);
    const dYPtr = arena.pointerOf(dY);
    const wPtr = arena.pointerOf(w);
    const dWPtr = arena.pointerOf(dW);
    const dXPtr = arena.pointerOf(dX);
    const { workerGather, scratchT, gather } = arena;
    if (
      xPtr === null || dYPtr === null || wPtr === null || dWPtr === null ||
      dXPtr === null || !this.#fits(outFeatures, p) ||
      p.size * inFeatures * outFeatures > scratchT.bytes ||
      !this.#atbPartFits(p, inFeatures, batch)
    ) return false;
    const atbArgs = [xPtr, dYPtr, dWPtr, inFeatures, batch, outFeatures];
    this.#threads.alongside(
      p.atbPartJob,
      [...atbArgs, 0, inFeatures, workerGather.ptr],
      () => {
        this.#wasm[p.transpose](wPtr, scratchT.ptr, inFeatures, outFeatures);
        this.#wasm[p.ab](
          dYPtr,
          scratchT.ptr,
          dXPtr,
          batch,
          outFeatures,
          inFeatures,
          outFeatures,
          inFeatures,
          gather.ptr,
          0,
        );
      },
    );
    return true;
  };

  /**
   * Whether `atb_part` over all m rows of out (a [k,m]) fits a thread's
   * gather region (`gather` and `workerGather` are the same size): its
   * scratch, then a transposed [m,k].
   */
  #atbPartFits(p: Precision, m: number, k: number): boolean {
    return p.atbPartScratch(k) + p.size * m * k <= this.#arena.gather.bytes;
  }

  /**
   * Whether a row of k values fits the gather (8 bytes an entry in f32, 16
   * in f64, after the f32 gather's 256-byte table) and the A scratch.
   */
  #fits(k: number, p: Precision): boolean {
    const { gather, scratchA } = this.#arena;
    return GATHER_TABLE_BYTES + 2 * p.size * k <= gather.bytes &&
      p.size * k <= scratchA.bytes;
  }

  /**
   * wasm.ab on pointers, with half of the work on the worker when it pays,
   * split so that each thread keeps to its own half of the weights:
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
  #abPointers(
    p: Precision,
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    accumulate: number,
  ) {
    const split = this.#splits(m, k, n);
    const size = p.size;
    if (split && this.#splitsSum(p, m, k, n)) {
      this.#threads.splitSum(
        p.abJob,
        k,
        out,
        m * n,
        (from, rows, into, scratch, mine) => [
          a + size * from,
          b + size * from * n,
          into,
          m,
          rows,
          n,
          k,
          n,
          scratch,
          mine ? accumulate : 0,
        ],
        p.add,
      );
      return;
    }
    this.#threads.splitRows(p.abJob, m, split, (from, rows, scratch) => [
      a + size * from * k,
      b,
      out + size * from * n,
      rows,
      k,
      n,
      k,
      n,
      scratch,
      accumulate,
    ]);
  }

  /**
   * out[m,n] = a[m,k] · B (or out += a · B), with B already in memory at
   * `bPtr`; `a` and `out` are used in place or copied through scratch in
   * row chunks.
   */
  #rowsTimes(
    p: Precision,
    a: FloatArray,
    bPtr: number,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
    accumulate = false,
  ) {
    const { scratchA, scratchOut } = this.#arena;
    const { heap, size } = p;
    const aPtr = this.#arena.pointerOf(a);
    const outPtr = this.#arena.pointerOf(out);
    let chunk = m;
    if (aPtr === null) {
      chunk = Math.min(chunk, Math.floor(scratchA.bytes / (size * k)));
    }
    if (outPtr === null) {
      chunk = Math.min(chunk, Math.floor(scratchOut.bytes / (size * n)));
    }
    for (let r0 = 0; r0 < m; r0 += chunk) {
      const rows = Math.min(chunk, m - r0);
      const from = aPtr === null ? scratchA.ptr : aPtr + size * r0 * k;
      if (aPtr === null) {
        heap.set(a.subarray(r0 * k, (r0 + rows) * k), scratchA.ptr / size);
      }
      const to = outPtr === null ? scratchOut.ptr : outPtr + size * r0 * n;
      if (outPtr === null && accumulate) {
        heap.set(out.subarray(r0 * n, (r0 + rows) * n), to / size);
      }
      this.#abPointers(p, from, bPtr, to, rows, k, n, accumulate ? 1 : 0);
      if (outPtr === null) {
        out.set(heap.subarray(to / size, to / size + rows * n), r0 * n);
      }
    }
  }

  /**
   * out[m,n] = a[k,m]ᵀ · b[k,n] for a long k (a full batch) by
   * `atb_slices`, or `atb_slices64` in f64, which transpose a and multiply
   * a slice of k at a time. With the worker, f32 splits k: the worker takes
   * the second half of the rows into its own buffer, which this thread then
   * adds, so the sums are those of one thread over each half. f64 splits
   * out's rows, each thread transposing its block of a's columns, so every
   * sum is one thread's over all of k, as without the worker. On a frozen a
   * (`freeze`), `atb_indexed` runs on its index with the same split and
   * gives the same sums.
   *
   * @returns false (having written nothing) when an operand does not fit.
   */
  #atbSlices(
    p: Precision,
    a: FloatArray,
    b: FloatArray,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
  ): boolean {
    const arena = this.#arena;
    const { gather, scratchOut } = arena;
    const { heap, size } = p;
    // The gather of a transposed row and the transposed slice (size·m bytes
    // a row) share the gather region: f32's gather is its table, then 8
    // bytes a value; f64's 16 bytes a value.
    const table = size === 4 ? GATHER_TABLE_BYTES : 0;
    const slice = Math.min(
      ATB_SLICE_MAX,
      Math.max(1, Math.floor(ATB_SLICE_BYTES / (size * n))),
      Math.floor((gather.bytes - table) / (2 * size + size * m)),
    );
    const aPtr = arena.place(a, k * m, arena.scratchA);
    const bPtr = arena.place(b, k * n, arena.scratchB);
    const inPlace = arena.pointerOf(out);
    const outPtr = inPlace ??
      (size * m * n <= scratchOut.bytes ? scratchOut.ptr : null);
    if (aPtr === null || bPtr === null || outPtr === null || slice < 1) {
      return false;
    }
    const operands = [aPtr, bPtr, outPtr, m, k, n, slice] as const;
    if (size === 4) this.#atbSlicesSum(...operands);
    else this.#atbSlicesRows(...operands);
    if (inPlace === null) {
      out.set(heap.subarray(outPtr / size, outPtr / size + m * n));
    }
    return true;
  }

  /**
   * The index of the frozen a ([k,m] at `aPtr`) over these ranges of k,
   * or null when a is not the frozen input or the index does not fit.
   */
  #frozenColumns(
    size: number,
    aPtr: number,
    k: number,
    m: number,
    slice: number,
    ranges: readonly KRange[],
  ) {
    const frozen = this.#frozen;
    return frozen?.is(aPtr, k, m, size)
      ? frozen.byColumns(slice, ranges)
      : null;
  }

  /**
   * `atb_slices64`, or `atb_indexed` on a frozen a, out's rows split with
   * the worker (see `#atbSlices`).
   */
  #atbSlicesRows(
    aPtr: number,
    bPtr: number,
    outPtr: number,
    m: number,
    k: number,
    n: number,
    slice: number,
  ) {
    const split = this.#threads.active;
    const index = this.#frozenColumns(8, aPtr, k, m, slice, [[0, k]])?.[0];
    if (index) {
      const { entries, starts } = index;
      this.#threads.splitRows(
        JOB.atbIndexed,
        m,
        split,
        (from, rows, scratch) => [
          entries,
          starts,
          bPtr,
          outPtr,
          m,
          k,
          n,
          slice,
          from,
          rows,
          scratch,
          0,
          1,
        ],
      );
      return;
    }
    this.#threads.splitRows(
      JOB.atbSlices64,
      m,
      split,
      (from, rows, scratch) => [
        aPtr + 8 * from,
        bPtr,
        outPtr + 8 * from * n,
        rows,
        k,
        n,
        m,
        slice,
        scratch,
      ],
    );
  }

  /**
   * `atb_slices` in f32, or `atb_indexed` on a frozen a, split along k with
   * the worker (see `#atbSlices`): the index has a part for each thread's
   * half of k, sliced from the half's first row, as `atb_slices` slices it.
   */
  #atbSlicesSum(
    aPtr: number,
    bPtr: number,
    outPtr: number,
    m: number,
    k: number,
    n: number,
    slice: number,
  ) {
    const { heap, gather, workerOut } = this.#arena;
    heap.fill(0, outPtr / 4, outPtr / 4 + m * n);
    const split = this.#threads.active && 4 * m * n <= workerOut.bytes;
    const ranges: KRange[] = split ? sumHalves(k) : [[0, k]];
    const parts = this.#frozenColumns(4, aPtr, k, m, slice, ranges);
    const args: SumArgs = (from, rows, into, scratch) => {
      const part = parts?.find((q) => q.from === from);
      const b = bPtr + 4 * from * n;
      return part
        ? [
          part.entries,
          part.starts,
          b,
          into,
          m,
          rows,
          n,
          slice,
          0,
          m,
          scratch,
          1,
          0,
        ]
        : [aPtr + 4 * from * m, b, into, m, rows, n, slice, scratch];
    };
    const kind = parts ? JOB.atbIndexed : JOB.atbSlices;
    if (split) {
      heap.fill(0, workerOut.ptr / 4, workerOut.ptr / 4 + m * n);
      this.#threads.splitSum(kind, k, outPtr, m * n, args);
    } else {
      const kernel = JOB_SIGNATURES[kind].kernel;
      this.#wasm[kernel](...args(0, k, outPtr, gather.ptr, true));
    }
  }

  /**
   * out[m,n] = a[k,m]ᵀ · b[k,n] by `atb_part`, with a, b and out in the
   * memory: with a worker, each thread transposes the block of a's columns
   * for its half of out's rows, into its own cache, and multiplies it, so
   * the worker does not wait for one thread to transpose all of a. The rows
   * are independent, so the sums are one thread's.
   *
   * @returns false (having written nothing) when an operand is elsewhere or
   * the transposed a does not fit the gather scratch (a full batch).
   */
  #atbPart(
    p: Precision,
    a: FloatArray,
    b: FloatArray,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
  ): boolean {
    const arena = this.#arena;
    const aPtr = arena.pointerOf(a);
    const bPtr = arena.pointerOf(b);
    const outPtr = arena.pointerOf(out);
    if (aPtr === null || bPtr === null || outPtr === null) return false;
    if (!this.#atbPartFits(p, m, k)) return false;
    const split = this.#splits(m, k, n);
    this.#threads.splitRows(p.atbPartJob, m, split, (from, rows, scratch) => [
      aPtr,
      bPtr,
      outPtr,
      m,
      k,
      n,
      from,
      rows,
      scratch,
    ]);
    return true;
  }

  /**
   * out[m,n] = a[k,m]ᵀ · b[k,n] over slices of the k rows of a and b (a
   * whole batch of 50,000 does not fit in scratch): transpose the slice of a
   * ([K,m]) into scratchT and add aᵀ_slice · b_slice to out.
   *
   * @returns false when an operand does not fit (out is then incomplete,
   * and the caller computes it afresh).
   */
  #atbTransposed(
    p: Precision,
    a: FloatArray,
    b: FloatArray,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
  ): boolean {
    const arena = this.#arena;
    const { scratchA, scratchB, scratchT } = arena;
    const { heap, size } = p;
    if (m > scratchT.bytes / size) return false;
    const slice = Math.max(
      1,
      Math.min(
        k,
        Math.floor(scratchT.bytes / (size * m)),
        Math.floor(scratchB.bytes / (size * n)),
      ),
    );
    const bInPlace = arena.pointerOf(b);
    for (let k0 = 0; k0 < k; k0 += slice) {
      const rows = Math.min(slice, k - k0);
      const aPtr = arena.place(a.subarray(k0 * m), rows * m, scratchA);
      const bPtr = bInPlace !== null
        ? bInPlace + size * k0 * n
        : arena.place(b.subarray(k0 * n), rows * n, scratchB);
      if (aPtr === null || bPtr === null) return false;
      this.#wasm[p.transpose](aPtr, scratchT.ptr, rows, m);
      const t = scratchT.ptr / size;
      const aT = heap.subarray(t, t + m * rows);
      this.#rowsTimes(p, aT, bPtr, out, m, rows, n, k0 > 0);
    }
    return true;
  }
}
