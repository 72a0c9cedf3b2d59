/**
 * gemm.wat's `atb_slices64` (a full batch's weight gradient in f64: slices
 * of a block of a's columns transposed, then `ab64`) and the products' f64
 * `atb` that runs it, one thread and two. Each output must be bit for bit
 * the loop it replaces: each row's term in the order of k from +0 (out's
 * old value overwritten), zeros of a skipped, whatever the slices and
 * whichever thread.
 */
import assert from "node:assert/strict";
import {
  createWasmKernels,
  RELAXED_SIMD_AVAILABLE,
  Rng,
} from "../../../mod.ts";
import {
  assertSameFloats,
  memoryFor,
  placeOperands,
  randomWithZeros,
} from "./operands_testing.ts";
import type { Exports } from "./module.ts";

/**
 * One `atb_slices64` call: out[m,n] = a[k, from : from + m]ᵀ · b[k,n],
 * `slice` rows a time, a's rows `aStride` values apart.
 */
interface Case {
  /** What the case covers, for the failure message. */
  name: string;
  m: number;
  k: number;
  n: number;
  aStride: number;
  from: number;
  slice: number;
  /** a [k,aStride], b [k,n], row-major. */
  a: Float64Array;
  b: Float64Array;
}

/** {@link randomWithZeros} as f64. */
function random(rng: Rng, length: number, zeros: number): Float64Array {
  return Float64Array.from(randomWithZeros(rng, length, zeros));
}

/**
 * A random case: a about half zeros, but for the block's columns listed in
 * `dense` (no zeros: six side by side make zero-free transposed rows for
 * `ab64`'s register-blocked kernel) and `blank` (all zeros: that output
 * row stays +0).
 */
function randomCase(
  rng: Rng,
  name: string,
  [m, k, n, aStride, from, slice]: number[],
  { dense = [], blank = [] }: { dense?: number[]; blank?: number[] } = {},
): Case {
  const a = random(rng, k * aStride, 0.5);
  for (let r = 0; r < k; r++) {
    for (const p of dense) a[r * aStride + from + p] = rng.normal();
    for (const p of blank) a[r * aStride + from + p] = 0;
  }
  return { name, m, k, n, aStride, from, slice, a, b: random(rng, k * n, 0) };
}

function cases(): Case[] {
  const rng = new Rng(41);
  const dense = [2, 3, 4, 5, 6, 7];
  return [
    randomCase(rng, "128 columns, a block of columns, k past two slices", [
      20,
      130,
      128,
      45,
      17,
      48,
    ], { dense, blank: [0, 19] }),
    randomCase(rng, "64 columns, the whole of a, whole slices", [
      9,
      192,
      64,
      9,
      0,
      96,
    ]),
    randomCase(rng, "10 columns (two rows at a time, an odd last row)", [
      11,
      70,
      10,
      30,
      3,
      32,
    ], { dense }),
    randomCase(rng, "13 columns, k shorter than a slice", [8, 5, 13, 8, 0, 48]),
    randomCase(rng, "slices of one row", [7, 9, 6, 12, 5, 1], { dense }),
    randomCase(rng, "a single row of a", [5, 1, 12, 5, 0, 48]),
  ];
}

/**
 * Zeros of a over rows of b that are infinite or NaN: skipping them keeps
 * the sums finite, where 0·∞ would give NaN. The block's column 2 is all
 * zeros (its outputs +0, not out's old -0); column 3 carries a NaN.
 */
function poisonedCase(): Case {
  const c = randomCase(new Rng(42), "non-finite b", [6, 70, 12, 10, 2, 32]);
  const { aStride, n } = c;
  for (const r of [3, 40]) {
    c.b.fill(r === 3 ? Infinity : NaN, r * n, (r + 1) * n);
    for (let p = 0; p < aStride; p++) c.a[r * aStride + p] = p % 2 ? 0 : -0;
  }
  for (let r = 0; r < c.k; r++) c.a[r * aStride + c.from + 2] = 0;
  c.a[10 * aStride + c.from + 3] = NaN;
  return c;
}

/**
 * The loop of the plain SIMD build: each output from +0 plus, in the order
 * of r, each a[r,p]·b[r,j] with a[r,p] not zero, the multiply rounded and
 * then the add (JavaScript numbers are f64).
 */
function outerProductLoop(c: Omit<Case, "name" | "slice">): Float64Array {
  const { a, b, m, k, n, aStride, from } = c;
  const sums = new Float64Array(m * n);
  for (let p = 0; p < m; p++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < k; r++) {
        const x = a[r * aStride + from + p];
        if (x !== 0) sum = sum + x * b[r * n + j];
      }
      sums[p * n + j] = sum;
    }
  }
  return sums;
}

/** Places a, b and an out of NaN (to be overwritten) in `memory`. */
function place(memory: WebAssembly.Memory, c: Case) {
  const out = new Float64Array(c.m * c.n).fill(NaN);
  return placeOperands(memory, c.a, c.b, out);
}

/** Runs a case's `atb_slices64`; returns out [m,n]. */
function runSlices(wasm: Exports, memory: WebAssembly.Memory, c: Case) {
  const at = place(memory, c);
  wasm.atb_slices64(
    at.a + 8 * c.from,
    at.b,
    at.out,
    c.m,
    c.k,
    c.n,
    c.aStride,
    c.slice,
    at.scratch,
  );
  return at.read();
}

/** One `ab64` over the whole block of a, transposed in TypeScript. */
function runWholeAb(wasm: Exports, memory: WebAssembly.Memory, c: Case) {
  const at = place(memory, c);
  const aT = new Float64Array(c.m * c.k);
  for (let r = 0; r < c.k; r++) {
    for (let p = 0; p < c.m; p++) {
      aT[p * c.k + r] = c.a[r * c.aStride + c.from + p];
    }
  }
  const tAt = at.scratch + 16 * c.k;
  at.heap.set(aT, tAt / 8);
  wasm.ab64(tAt, at.b, at.out, c.m, c.k, c.n, c.k, c.n, at.scratch, 0);
  return at.read();
}

Deno.test("atb_slices64 in plain SIMD gives bit for bit the loop over rows' outer products", () => {
  const { memory, wasm } = memoryFor(false);
  for (const c of [...cases(), poisonedCase()]) {
    assertSameFloats(runSlices(wasm, memory, c), outerProductLoop(c), c.name);
  }
});

Deno.test("atb_slices64 in relaxed SIMD gives bit for bit one ab64 over the whole transposed block", () => {
  const { memory, wasm } = memoryFor(RELAXED_SIMD_AVAILABLE);
  for (const c of [...cases(), poisonedCase()]) {
    assertSameFloats(
      runSlices(wasm, memory, c),
      runWholeAb(wasm, memory, c),
      c.name,
    );
  }
});

Deno.test("atb_slices64's poisoned case really has infinite, NaN and blank outputs to lose", () => {
  // Guards the case above: a zero skipped must matter to it.
  const c = poisonedCase();
  const sums = outerProductLoop(c);
  const row = (p: number) => Array.from(sums.subarray(p * c.n, (p + 1) * c.n));
  assert.ok(row(0).every(Number.isFinite), "row 0 skips 0·∞ and 0·NaN");
  assert.ok(row(2).every((x) => Object.is(x, 0)), "row 2 is +0");
  assert.ok(row(3).every(Number.isNaN), "row 3 carries a's NaN");
});

Deno.test("f64 atb over a full batch gives one thread's sums over all rows, with the worker too", () => {
  // k ≥ 4096 takes atb_slices64; 45 rows of out split 22 and 23 between
  // the threads, 13 columns leave a vector and a value past the sweeps.
  const [m, k, n] = [45, 4101, 13];
  const rng = new Rng(43);
  const c = { a: random(rng, k * m, 0.8), b: random(rng, k * n, 0.3) };
  const expected = outerProductLoop({ ...c, m, k, n, aStride: m, from: 0 });
  for (const worker of [false, true]) {
    const kernels = createWasmKernels({
      relaxed: false,
      worker,
      arenaBytes: 8 << 20,
      splitThreshold: 1,
    });
    try {
      const [a, b] = [
        kernels.allocate!("f64", k * m),
        kernels.allocate!("f64", k * n),
      ];
      const out = kernels.allocate!("f64", m * n).fill(NaN);
      a.set(c.a);
      b.set(c.b);
      kernels.atb(a, b, out, m, k, n);
      assertSameFloats(out, expected, kernels.name);
      const copied = new Float64Array(m * n).fill(NaN);
      kernels.atb(c.a, c.b, copied, m, k, n);
      assertSameFloats(copied, expected, `${kernels.name}, operands copied in`);
    } finally {
      kernels.dispose();
    }
  }
});
