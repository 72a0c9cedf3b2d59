/**
 * gemm.wat's kernels for a frozen input: `index_rows` then `ab_indexed`,
 * and `index_columns` then `atb_indexed`, in f32 and f64. They sweep the
 * entries `ab`'s and `atb_slices`'s gathers would find, in the same order,
 * so each output must be bit for bit what `ab`, `ab64`, `atb_slices` and
 * `atb_slices64` give on the same a, whichever of their paths (gathered
 * rows, rows with no zeros, narrow outputs) those take.
 */
import assert from "node:assert/strict";
import { RELAXED_SIMD_AVAILABLE, Rng } from "../../../mod.ts";
import {
  assertSameFloats,
  memoryFor,
  randomWithZeros,
} from "./operands_testing.ts";
import type { Exports } from "./module.ts";

type Floats = Float32Array | Float64Array;

/** Bump allocation of byte ranges of a memory, on 64-byte lines. */
class Layout {
  #next = 0;
  constructor(readonly memory: WebAssembly.Memory, readonly size: 4 | 8) {}

  /** Copies `values` in; returns their address. */
  put(values: ArrayLike<number>): number {
    const at = this.take(this.size * values.length);
    this.heap.set(values, at / this.size);
    return at;
  }

  /** @returns The address of `bytes` unwritten bytes. */
  take(bytes: number): number {
    const at = this.#next;
    this.#next += Math.ceil((bytes + 64) / 64) * 64;
    return at;
  }

  get heap(): Floats {
    return this.size === 4
      ? new Float32Array(this.memory.buffer)
      : new Float64Array(this.memory.buffer);
  }

  read(at: number, length: number): Floats {
    return this.heap.slice(at / this.size, at / this.size + length);
  }
}

/** Values of `size` bytes: `zeros` of them ±0, a NaN where asked. */
function values(rng: Rng, size: 4 | 8, length: number, zeros: number): Floats {
  const list = randomWithZeros(rng, length, zeros);
  return size === 4 ? Float32Array.from(list) : Float64Array.from(list);
}

/** One product: a [m,k] for `ab` (or [k,m] for `atb`), b and out. */
interface Case {
  name: string;
  m: number;
  k: number;
  n: number;
  /** Fraction of a's values that are ±0. */
  zeros: number;
  accumulate?: boolean;
}

const AB_CASES: Case[] = [
  {
    name: "128 columns, a tail of k past 16s",
    m: 9,
    k: 50,
    n: 128,
    zeros: 0.8,
  },
  {
    name: "10 columns (ab's three-row kernel)",
    m: 7,
    k: 37,
    n: 10,
    zeros: 0.5,
  },
  {
    name: "13 columns, accumulating",
    m: 5,
    k: 20,
    n: 13,
    zeros: 0.5,
    accumulate: true,
  },
  {
    name: "rows with no zeros (ab's dense kernel)",
    m: 12,
    k: 24,
    n: 40,
    zeros: 0,
  },
  {
    name: "3 columns, accumulating, a's rows blank",
    m: 4,
    k: 17,
    n: 3,
    zeros: 1,
    accumulate: true,
  },
];

/**
 * Infinite and NaN rows of b under a's zeros (0·∞ would be NaN: they must
 * be skipped) and a NaN in a (it must be kept).
 */
function poison(a: Floats, b: Floats, c: Case, aIsTransposed: boolean) {
  const { m, k, n } = c;
  const at = (r: number, p: number) => aIsTransposed ? p * m + r : r * k + p;
  for (const p of [1, 4]) {
    b.fill(p === 1 ? Infinity : NaN, p * n, (p + 1) * n);
    for (let r = 0; r < m; r++) a[at(r, p)] = r % 2 ? 0 : -0;
  }
  a[at(m - 1, 2)] = NaN;
}

/** Lays out a case's a, b and out (NaN, or random when accumulating). */
function operands(
  layout: Layout,
  c: Case,
  seed: number,
  poisoned: boolean,
  aIsTransposed = false,
) {
  const rng = new Rng(seed);
  const a = values(rng, layout.size, c.m * c.k, c.zeros);
  const b = values(rng, layout.size, c.k * c.n, 0);
  if (poisoned) poison(a, b, c, aIsTransposed);
  const out = c.accumulate
    ? values(rng, layout.size, c.m * c.n, 0.2)
    : values(rng, layout.size, c.m * c.n, 0).fill(NaN);
  return { a, b, out };
}

/** a [k,m]ᵀ · b [k,n] in slices of `slice` rows; k split at `split` for f32. */
interface AtbCase extends Case {
  slice: number;
  /** f32: where the worker's half of k starts (f64 splits out's rows in two). */
  split: number;
}

const ATB_CASES: AtbCase[] = [
  {
    name: "128 columns, k past two slices",
    m: 20,
    k: 130,
    n: 128,
    zeros: 0.8,
    slice: 48,
    split: 65,
  },
  {
    name: "10 columns, slices of one row",
    m: 11,
    k: 9,
    n: 10,
    zeros: 0.5,
    slice: 1,
    split: 4,
  },
  {
    name: "13 columns, k shorter than a slice",
    m: 8,
    k: 5,
    n: 13,
    zeros: 0.3,
    slice: 48,
    split: 2,
  },
  {
    name: "12 columns, no zeros",
    m: 7,
    k: 40,
    n: 12,
    zeros: 0,
    slice: 16,
    split: 21,
  },
];

/**
 * f32, as the products run it with a worker: out zeroed, then
 * `atb_slices` (or `atb_indexed` on an index of that part) over rows
 * [0, split) of a and b, and into another zeroed out over the rest.
 */
function atbF32(
  wasm: Exports,
  layout: Layout,
  c: AtbCase,
  aAt: number,
  bAt: number,
  out: Floats,
) {
  const { m, k, n, slice, split } = c;
  const zeroed = out.fill(0);
  const sums = [layout.put(zeroed), layout.put(zeroed)];
  const indexed = [layout.put(zeroed), layout.put(zeroed)];
  const scratch = layout.take(256 + 8 * slice + 4 * m * slice);
  const parts = [[0, split], [split, k - split]];
  parts.forEach(([from, rows], i) => {
    const a = aAt + 4 * from * m;
    const b = bAt + 4 * from * n;
    wasm.atb_slices(a, b, sums[i], m, rows, n, slice, scratch);
    const entries = layout.take(8 * rows * m + 64);
    const starts = layout.take(4 * (Math.ceil(rows / slice) * m + 1));
    wasm.index_columns(a, rows, m, slice, entries, starts, scratch, 0);
    wasm.atb_indexed(
      entries,
      starts,
      b,
      indexed[i],
      m,
      rows,
      n,
      slice,
      0,
      m,
      scratch,
      1,
      0,
    );
  });
  const read = (at: number[]) => at.flatMap((p) => [...layout.read(p, m * n)]);
  return {
    expected: Float32Array.from(read(sums)),
    actual: Float32Array.from(read(indexed)),
  };
}

/**
 * f64, as the products run it with a worker: out's rows [0, split) and
 * the rest, `atb_slices64` over a block of a's columns each, and
 * `atb_indexed` over those rows of one index, out's old values NaN.
 */
function atbF64(
  wasm: Exports,
  layout: Layout,
  c: AtbCase,
  aAt: number,
  bAt: number,
  out: Floats,
) {
  const { m, k, n, slice } = c;
  const split = m >> 1;
  const [sums, indexed] = [layout.put(out), layout.put(out)];
  const scratch = layout.take(256 + 16 * slice + 8 * m * slice);
  const entries = layout.take(16 * k * m + 64);
  const starts = layout.take(4 * (Math.ceil(k / slice) * m + 1));
  const count = wasm.index_columns(
    aAt,
    k,
    m,
    slice,
    entries,
    starts,
    scratch,
    1,
  );
  assert.equal(
    count,
    [...layout.read(aAt, k * m)].filter((x) => x !== 0).length,
  );
  for (const [from, rows] of [[0, split], [split, m - split]]) {
    wasm.atb_slices64(
      aAt + 8 * from,
      bAt,
      sums + 8 * from * n,
      rows,
      k,
      n,
      m,
      slice,
      scratch,
    );
    wasm.atb_indexed(
      entries,
      starts,
      bAt,
      indexed,
      m,
      k,
      n,
      slice,
      from,
      rows,
      scratch,
      0,
      1,
    );
  }
  return {
    expected: layout.read(sums, m * n),
    actual: layout.read(indexed, m * n),
  };
}

for (const relaxed of [false, RELAXED_SIMD_AVAILABLE]) {
  for (const size of [4, 8] as const) {
    const build = relaxed ? "relaxed" : "plain";
    const dtype = size === 4 ? "f32" : "f64";
    const wide = size === 8 ? 1 : 0;

    Deno.test(`ab_indexed (${dtype}, ${build}) gives ab's sums bit for bit, on all rows and on rows from a later one`, () => {
      for (const c of AB_CASES) {
        for (const poisoned of [false, true]) {
          const what = `${c.name}${poisoned ? ", poisoned" : ""}`;
          const { memory, wasm } = memoryFor(relaxed);
          const layout = new Layout(memory, size);
          const { a, b, out } = operands(layout, c, 7, poisoned);
          const [aAt, bAt] = [layout.put(a), layout.put(b)];
          const [expectedAt, actualAt] = [layout.put(out), layout.put(out)];
          const scratch = layout.take(256 + 16 * c.k);
          const entries = layout.take(2 * size * c.m * c.k + 64);
          const starts = layout.take(4 * (c.m + 1));
          const acc = c.accumulate ? 1 : 0;
          (size === 4 ? wasm.ab : wasm.ab64)(
            aAt,
            bAt,
            expectedAt,
            c.m,
            c.k,
            c.n,
            c.k,
            c.n,
            scratch,
            acc,
          );
          const count = wasm.index_rows(
            aAt,
            c.m,
            c.k,
            entries,
            starts,
            scratch,
            wide,
          );
          assert.equal(
            count,
            a.filter((x) => x !== 0).length,
            `${what}: entries`,
          );
          // Two calls, as two threads split the rows: the first 3, the rest.
          wasm.ab_indexed(
            entries,
            starts,
            bAt,
            actualAt,
            3,
            c.n,
            scratch,
            acc,
            wide,
          );
          wasm.ab_indexed(
            entries,
            starts + 4 * 3,
            bAt,
            actualAt + size * 3 * c.n,
            c.m - 3,
            c.n,
            scratch,
            acc,
            wide,
          );
          const expected = layout.read(expectedAt, c.m * c.n);
          assertSameFloats(layout.read(actualAt, c.m * c.n), expected, what);
          if (poisoned && !c.accumulate) {
            // Guards the case: zeros over ∞ and NaN were there to skip.
            const row = (
              r: number,
            ) => [...expected.subarray(r * c.n, (r + 1) * c.n)];
            assert.ok(row(0).every(Number.isFinite), `${what}: row 0 finite`);
            assert.ok(
              row(c.m - 1).every(Number.isNaN),
              `${what}: last row NaN`,
            );
          }
        }
      }
    });

    Deno.test(`atb_indexed (${dtype}, ${build}) gives atb_slices${size === 8 ? "64" : ""}'s sums bit for bit`, () => {
      for (const c of ATB_CASES) {
        for (const poisoned of [false, true]) {
          const what = `${c.name}${poisoned ? ", poisoned" : ""}`;
          const { memory, wasm } = memoryFor(relaxed);
          const layout = new Layout(memory, size);
          const { a, b, out } = operands(layout, c, 8, poisoned, true);
          const [aAt, bAt] = [layout.put(a), layout.put(b)];
          const run = size === 4 ? atbF32 : atbF64;
          const { expected, actual } = run(wasm, layout, c, aAt, bAt, out);
          assertSameFloats(actual, expected, what);
        }
      }
    });
  }
}
