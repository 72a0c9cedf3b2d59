/**
 * gemm.wat's `atb_slices` (a full batch's weight gradient: slices of a
 * transposed, then `ab`) and the products' `atb` that runs it, one thread
 * and two. Each output must be bit for bit the loop it replaces: out's
 * value, then each row's term in the order of k, zeros of a skipped.
 */
import assert from "node:assert/strict";
import {
  createWasmKernels,
  RELAXED_SIMD_AVAILABLE,
  Rng,
} from "../../../mod.ts";
import type { Exports } from "./module.ts";
import {
  assertSameFloats,
  memoryFor,
  placeOperands,
  randomWithZeros,
} from "./operands_testing.ts";

/** One `atb_slices` call: out[m,n] += a[k,m]ᵀ · b[k,n], `slice` rows a time. */
interface Case {
  /** What the case covers, for the failure message. */
  name: string;
  m: number;
  k: number;
  n: number;
  slice: number;
  /** a [k,m], b [k,n] and out [m,n] (added to), row-major. */
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
}

/** {@link randomWithZeros} as f32. */
function random(rng: Rng, length: number, zeros: number): Float32Array {
  return Float32Array.from(randomWithZeros(rng, length, zeros));
}

/**
 * A random case whose a has about half zeros, except the columns listed in
 * `dense` (no zeros: six of them side by side make a zero-free block of
 * transposed rows for `ab`'s register-blocked kernel) and `blank` (all
 * zeros, as a pixel no image lights).
 */
function randomCase(
  rng: Rng,
  name: string,
  [m, k, n, slice]: [number, number, number, number],
  { dense = [], blank = [] }: { dense?: number[]; blank?: number[] } = {},
): Case {
  const a = random(rng, k * m, 0.5);
  for (let r = 0; r < k; r++) {
    for (const p of dense) a[r * m + p] = rng.normal();
    for (const p of blank) a[r * m + p] = 0;
  }
  const [b, out] = [random(rng, k * n, 0), random(rng, m * n, 0)];
  return { name, m, k, n, slice, a, b, out };
}

function cases(): Case[] {
  const rng = new Rng(31);
  const denseBlock = [8, 9, 10, 11, 12, 13];
  return [
    randomCase(
      rng,
      "128 columns, k past two whole slices",
      [37, 150, 128, 64],
      {
        dense: denseBlock,
        blank: [0, 36],
      },
    ),
    randomCase(
      rng,
      "10 columns (8, then 2 one at a time)",
      [14, 300, 10, 256],
      {
        dense: denseBlock,
      },
    ),
    randomCase(rng, "64 columns, k a whole number of slices", [
      9,
      256,
      64,
      128,
    ]),
    randomCase(rng, "k shorter than a slice", [6, 5, 16, 64]),
    randomCase(rng, "slices of one row", [7, 9, 8, 1], { dense: [0, 1] }),
    randomCase(rng, "a single row of a", [5, 1, 12, 64]),
    randomCase(rng, "k = 0: out unchanged", [4, 0, 8, 64]),
  ];
}

/**
 * Zeros of a over rows of b that are infinite or NaN: skipping them keeps
 * the sums finite, where 0·∞ would give NaN. Column 2 of a is all zeros
 * over outputs of -0, which an added 0·b would turn into +0; column 3
 * carries a NaN.
 */
function poisonedCase(): Case {
  const c = randomCase(new Rng(32), "non-finite b, -0 outputs", [
    6,
    70,
    12,
    32,
  ]);
  const { m, n } = c;
  for (const r of [3, 40]) {
    c.b.fill(r === 3 ? Infinity : NaN, r * n, (r + 1) * n);
    for (let p = 0; p < m; p++) c.a[r * m + p] = p % 2 === 0 ? 0 : -0;
  }
  for (let r = 0; r < c.k; r++) c.a[r * m + 2] = 0;
  c.out.fill(-0, 2 * n, 3 * n);
  c.a[10 * m + 3] = NaN;
  return c;
}

/** Runs a case's `atb_slices` in `memory`; returns out [m,n]. */
function runSlices(wasm: Exports, memory: WebAssembly.Memory, c: Case) {
  const at = placeOperands(memory, c.a, c.b, c.out);
  wasm.atb_slices(at.a, at.b, at.out, c.m, c.k, c.n, c.slice, at.scratch);
  return at.read();
}

/**
 * The same sums as one `ab` over the whole of a, transposed in TypeScript,
 * accumulating into out: no slices at all.
 */
function runWholeAb(wasm: Exports, memory: WebAssembly.Memory, c: Case) {
  const heap = new Float32Array(memory.buffer);
  const aT = new Float32Array(c.m * c.k);
  for (let r = 0; r < c.k; r++) {
    for (let p = 0; p < c.m; p++) aT[p * c.k + r] = c.a[r * c.m + p];
  }
  const [aAt, bAt] = [0, aT.length];
  const outAt = bAt + c.b.length;
  heap.set(aT, aAt);
  heap.set(c.b, bAt);
  heap.set(c.out, outAt);
  const scratch = 4 * (outAt + c.out.length);
  wasm.ab(4 * aAt, 4 * bAt, 4 * outAt, c.m, c.k, c.n, c.k, c.n, scratch, 1);
  return heap.slice(outAt, outAt + c.out.length);
}

/**
 * The loop of the plain SIMD build: out[p,j] plus, in the order of r, each
 * a[r,p]·b[r,j] with a[r,p] not zero (+0 or -0), the multiply rounded to
 * f32 and then the add. Over rows `[from, to)` of a and b.
 */
function outerProductLoop(
  { a, b, m, n }: Pick<Case, "a" | "b" | "m" | "n">,
  out: Float32Array,
  from: number,
  to: number,
): Float32Array {
  const sums = out.slice();
  for (let p = 0; p < m; p++) {
    for (let j = 0; j < n; j++) {
      let sum = sums[p * n + j];
      for (let r = from; r < to; r++) {
        const x = a[r * m + p];
        if (x === 0) continue;
        sum = Math.fround(sum + Math.fround(x * b[r * n + j]));
      }
      sums[p * n + j] = sum;
    }
  }
  return sums;
}

/** Where two arrays first differ (Object.is), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

Deno.test("atb_slices in plain SIMD gives bit for bit the TypeScript loop over rows' outer products", () => {
  const { memory, wasm } = memoryFor(false);
  for (const c of [...cases(), poisonedCase()]) {
    const actual = runSlices(wasm, memory, c);
    const expected = outerProductLoop(c, c.out, 0, c.k);
    assertSameFloats(actual, expected, `${c.name} (the loop gives)`);
  }
});

Deno.test("atb_slices in relaxed SIMD gives bit for bit one ab over the whole transposed a", () => {
  const { memory, wasm } = memoryFor(RELAXED_SIMD_AVAILABLE);
  for (const c of [...cases(), poisonedCase()]) {
    const actual = runSlices(wasm, memory, c);
    const expected = runWholeAb(wasm, memory, c);
    assertSameFloats(actual, expected, `${c.name} (one ab gives)`);
  }
});

Deno.test("atb_slices' poisoned case really has infinite, NaN and -0 outputs to lose", () => {
  // Guards the case above: a zero skipped must matter to it.
  const c = poisonedCase();
  const sums = outerProductLoop(c, c.out, 0, c.k);
  const row = (p: number) => Array.from(sums.subarray(p * c.n, (p + 1) * c.n));
  assert.ok(row(0).every(Number.isFinite), "row 0 skips 0·∞ and 0·NaN");
  assert.ok(row(2).every((x) => Object.is(x, -0)), "row 2 stays -0");
  assert.ok(row(3).every(Number.isNaN), "row 3 carries a's NaN");
});

Deno.test("atb over a full batch, plain SIMD: one thread sums all rows in order, two add the halves' sums", () => {
  // k ≥ 4096 takes atb_slices; 13 columns leave a vector and a float past
  // the 8-column sweeps, 45 rows of out a block of six and more.
  const [m, k, n] = [45, 4101, 13];
  const rng = new Rng(33);
  const c = { a: random(rng, k * m, 0.8), b: random(rng, k * n, 0.3), m, n };
  const zero = new Float32Array(m * n);
  const whole = outerProductLoop(c, zero, 0, k);
  const half = k >> 1;
  const [first, second] = [
    outerProductLoop(c, zero, 0, half),
    outerProductLoop(c, zero, half, k),
  ];
  const halves = first.map((x, i) => Math.fround(x + second[i]));
  for (const worker of [false, true]) {
    const kernels = createWasmKernels({
      relaxed: false,
      worker,
      arenaBytes: 8 << 20,
    });
    try {
      const out = new Float32Array(m * n).fill(NaN);
      kernels.atb(c.a, c.b, out, m, k, n);
      const expected = worker ? halves : whole;
      assertSameFloats(out, expected, kernels.name);
    } finally {
      kernels.dispose();
    }
  }
  assert.notEqual(firstDifference(whole, halves), -1, "the split shows");
});
