/**
 * A frozen input of the products: a matrix in the arena that keeps its
 * values for as long as the kernels live (a whole-set batch, gathered once
 * for the run: see `MatrixKernels.freeze`). Every full-batch step
 * multiplies the same 50,000 images, so their nonzeros are found once,
 * here, instead of in every `ab` (by rows) and every `atb` (by columns of
 * transposed slices): gemm.wat's `index_rows` and `index_columns`. The
 * indexed products (`ab_indexed`, `atb_indexed`) sweep the same entries in
 * the same order, so the sums are the same bits as without the index.
 *
 * An index is built on the first product that can use it and kept; its
 * memory comes from the arena, which never frees, so an input is indexed
 * at most once each way. When the arena is full the products go on without
 * an index.
 *
 * @module
 */

import type { FloatArray } from "../../base/tensor.ts";
import type { Arena } from "./arena.ts";
import type { Exports } from "./module.ts";

/** An index in the memory: its entries, and where each row's entries start. */
export interface Index {
  /** The first entry (8 bytes each in f32, 16 in f64). */
  readonly entries: number;
  /** i32 starts, counted in entries from `entries`: one per row, then the end. */
  readonly starts: number;
}

/** The index of aᵀ over rows `[from, from + rows)` of a: one thread's part of k. */
export interface ColumnPart extends Index {
  /** The part's first row of a. */
  readonly from: number;
  /** How many rows of a it covers. */
  readonly rows: number;
}

/** A part of k: `[from, rows]`. */
export type KRange = readonly [from: number, rows: number];

/** A frozen a[rows, cols] and the indexes of it built so far. */
export class FrozenInput {
  readonly #arena: Arena;
  readonly #wasm: Exports;
  /** Where a starts in the memory. */
  readonly ptr: number;
  /** a's rows (a batch's images). */
  readonly rows: number;
  /** a's columns (pixels). */
  readonly cols: number;
  /** Bytes per value. */
  readonly size: 4 | 8;
  /** The kernels' `$wide`: 1 for f64, 0 for f32. */
  readonly wide: 0 | 1;
  /** `index_rows`'s index; null when it did not fit. */
  #byRows: Index | null | undefined;
  /** `index_columns`'s parts, the slice and parts they were built for. */
  #byColumns: { slice: number; parts: ColumnPart[] | null } | undefined;

  /** Freezes `a` ([rows, cols], in the arena at `ptr`). */
  constructor(
    arena: Arena,
    wasm: Exports,
    a: FloatArray,
    ptr: number,
    rows: number,
    cols: number,
  ) {
    this.#arena = arena;
    this.#wasm = wasm;
    this.ptr = ptr;
    this.rows = rows;
    this.cols = cols;
    this.size = a.BYTES_PER_ELEMENT as 4 | 8;
    this.wide = this.size === 8 ? 1 : 0;
  }

  /** Whether the product operand at `ptr`, `[rows, cols]` of `size`-byte values, is this input. */
  is(ptr: number | null, rows: number, cols: number, size: number): boolean {
    return ptr === this.ptr && rows === this.rows && cols === this.cols &&
      size === this.size;
  }

  /**
   * The index of a's rows, for `ab_indexed` (built on first use).
   *
   * @returns null when the arena has no room for it.
   */
  byRows(): Index | null {
    if (this.#byRows !== undefined) return this.#byRows;
    this.#byRows = this.#allocate(this.rows + 1);
    if (this.#byRows !== null) {
      const { entries, starts } = this.#byRows;
      this.#wasm.index_rows(
        this.ptr,
        this.rows,
        this.cols,
        entries,
        starts,
        this.#arena.gather.ptr,
        this.wide,
      );
    }
    return this.#byRows;
  }

  /**
   * The index of aᵀ in slices of `slice` rows of a, one part per range
   * of k (each thread's), for `atb_indexed`; built on first use, for the
   * first slice and ranges asked for.
   *
   * @returns null when the arena has no room for it, or when it was built
   * for another slice or other ranges.
   */
  byColumns(slice: number, ranges: readonly KRange[]): ColumnPart[] | null {
    const built = this.#byColumns;
    if (built !== undefined) {
      const same = built.slice === slice && built.parts !== null &&
        built.parts.length === ranges.length &&
        built.parts.every((p, i) =>
          p.from === ranges[i][0] && p.rows === ranges[i][1]
        );
      return same ? built.parts : null;
    }
    const parts: ColumnPart[] = [];
    for (const [from, rows] of ranges) {
      const slices = Math.ceil(rows / slice);
      const index = this.#allocate(slices * this.cols + 1, from, rows);
      if (index === null) break;
      this.#wasm.index_columns(
        this.ptr + this.size * from * this.cols,
        rows,
        this.cols,
        slice,
        index.entries,
        index.starts,
        this.#arena.gather.ptr,
        this.wide,
      );
      parts.push({ ...index, from, rows });
    }
    const complete = parts.length === ranges.length ? parts : null;
    this.#byColumns = { slice, parts: complete };
    return complete;
  }

  /**
   * Room in the arena for the entries of rows `[from, from + rows)` of a
   * (two values' bytes each, and 64 for the gathers' overrun) and `starts`
   * i32 starts.
   *
   * @returns null when the arena is full.
   */
  #allocate(starts: number, from = 0, rows = this.rows): Index | null {
    const entryBytes = 2 * this.size * this.#countNonzeros(from, rows) + 64;
    const at = this.#arena.reserve(entryBytes + 4 * starts);
    return at === null ? null : { entries: at, starts: at + entryBytes };
  }

  /**
   * @returns How many values of rows `[from, from + rows)` are not ±0:
   * read from the row index's starts when it is built (the forward comes
   * first), else counted.
   */
  #countNonzeros(from: number, rows: number): number {
    if (this.#byRows) {
      const starts = new Int32Array(
        this.#arena.memory.buffer,
        this.#byRows.starts,
        this.rows + 1,
      );
      return starts[from + rows] - starts[from];
    }
    const heap = this.size === 4 ? this.#arena.heap : this.#arena.heap64;
    const start = this.ptr / this.size + from * this.cols;
    const end = start + rows * this.cols;
    let count = 0;
    for (let i = start; i < end; i++) if (heap[i] !== 0) count++;
    return count;
  }
}
