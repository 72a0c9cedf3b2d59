/**
 * gemm.wat's f32 `ab` on its raw exports: blocks of six zero-free rows go
 * to a register-blocked kernel, every other row to the one-row sweep that
 * skips zeros. Whichever way a row goes, its outputs must be bit for bit
 * those of the loops it replaces.
 */
import assert from "node:assert/strict";
import { RELAXED_SIMD_AVAILABLE, Rng } from "../../../mod.ts";
import type { Exports } from "./module.ts";
import {
  type AbCase as Case,
  assertSameFloats,
  memoryFor,
  runAb,
} from "./operands_testing.ts";

/**
 * A random case: a's rows hold no zeros unless `zeroRows` lists them (each
 * listed row gets zeros at about a third of its entries, -0 at some).
 */
function randomCase(
  rng: Rng,
  name: string,
  [m, k, n]: [number, number, number],
  options: {
    zeroRows?: number[];
    allZeroRows?: number[];
    padding?: number;
    accumulate?: boolean;
  } = {},
): Case {
  const padding = options.padding ?? 0;
  const [aStride, stride] = [k + padding, n + padding];
  const a = new Float32Array(m * aStride).map(() => rng.normal());
  for (const r of options.zeroRows ?? []) {
    for (let p = 0; p < k; p++) {
      if (rng.uniform() < 0.3) {
        a[r * aStride + p] = rng.uniform() < 0.5 ? 0 : -0;
      }
    }
  }
  for (const r of options.allZeroRows ?? []) {
    a.fill(0, r * aStride, r * aStride + k);
  }
  const b = new Float32Array(k * stride).map(() => rng.normal());
  const out = new Float32Array(m * stride).map(() => rng.normal());
  return {
    name,
    m,
    k,
    n,
    aStride,
    stride,
    accumulate: options.accumulate ?? false,
    a,
    b,
    out,
  };
}

/**
 * The same case one row at a time (m = 1: a block of six rows is never
 * formed, so every row takes the one-row sweep that skips zeros).
 */
function runRowByRow(wasm: Exports, memory: WebAssembly.Memory, c: Case) {
  const out = c.out.slice();
  for (let i = 0; i < c.m; i++) {
    const row = runAb(wasm, memory, {
      ...c,
      m: 1,
      a: c.a.subarray(i * c.aStride, (i + 1) * c.aStride),
      out: c.out.subarray(i * c.stride, (i + 1) * c.stride),
    });
    out.set(row, i * c.stride);
  }
  return out;
}

/**
 * The TypeScript loop of the plain SIMD build: in f32, each output summed
 * in the order of k, skipping zeros (+0 and -0), a multiply rounded then
 * an add rounded. (Rounding a double sum of two floats to f32 is exact
 * f32 addition.)
 */
function skipZerosLoop(c: Case) {
  const out = c.out.slice();
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let sum = c.accumulate ? out[i * c.stride + j] : 0;
      for (let p = 0; p < c.k; p++) {
        const x = c.a[i * c.aStride + p];
        if (x === 0) continue;
        sum = Math.fround(sum + Math.fround(x * c.b[p * c.stride + j]));
      }
      out[i * c.stride + j] = sum;
    }
  }
  return out;
}

/** Where two arrays first differ (Object.is), or -1. */
function cases(): Case[] {
  const rng = new Rng(21);
  const list: Case[] = [];
  for (const accumulate of [false, true]) {
    const add = (
      name: string,
      shape: [number, number, number],
      options: Parameters<typeof randomCase>[3] = {},
    ) =>
      list.push(
        randomCase(rng, `${name}, accumulate ${accumulate}`, shape, {
          ...options,
          accumulate,
        }),
      );
    add("one block of six rows, 8 columns", [6, 17, 8]);
    add("two blocks and a row left over, 2 columns past the panels", [
      13,
      33,
      10,
    ]);
    add("k = 1", [12, 1, 16]);
    add("k = 0: nothing to sum", [6, 0, 8]);
    add("5 columns past the panels (a vector and a float)", [7, 5, 13]);
    add("fewer than 8 columns: no panel", [6, 9, 7]);
    add("five rows: no block", [5, 20, 8]);
    add("a single row", [1, 20, 8]);
    add("the training shape", [64, 784, 128]);
    add("an all-zero row inside a block", [12, 11, 16], {
      allZeroRows: [3],
    });
    add("zeros and -0 in some rows of dense blocks", [18, 40, 24], {
      zeroRows: [0, 8, 17],
    });
    const allRows = (m: number) => Array.from({ length: m }, (_, i) => i);
    for (const n of [128, 112, 64]) {
      // sparse rows sweep 48 columns at a time, unless 64 remain
      add(`rows with zeros, ${n} columns`, [7, 50, n], {
        zeroRows: allRows(7),
      });
    }
    list.push(everyZeroPattern(accumulate));
    add("strides past k and n, as the thread split uses them", [
      13,
      9,
      20,
    ], { padding: 5 });
  }
  return list;
}

/**
 * Rows whose runs of four values hold zeros in each of the 16 patterns
 * (the gather compresses four values at a time by a table of patterns),
 * with a 3-value tail, in both a dense block's neighbours and sparse rows.
 */
function everyZeroPattern(accumulate: boolean): Case {
  const k = 4 * 16 + 3;
  const c = randomCase(
    new Rng(24),
    `every zero pattern, accumulate ${accumulate}`,
    [7, k, 24],
    { accumulate },
  );
  for (let i = 0; i < c.m; i++) {
    for (let p = 0; p < 64; p++) {
      const pattern = (p >> 2) ^ i;
      if ((pattern >> (p & 3) & 1) === 0) c.a[i * c.aStride + p] = 0;
    }
  }
  return c;
}

/**
 * Rows that hold zeros where b's row is infinite or NaN: skipping the zero
 * gives a finite sum, 0·∞ would give NaN. Rows 0-5 have two zeros each, rows
 * 6-11 a zero in some, rows 12-17 none but a NaN in row 13 (not a zero,
 * so it stays in a dense block). Row 11 is all zeros over -0 outputs,
 * which an added 0·b would turn into +0 when accumulating.
 */
function poisonedCase(accumulate: boolean): Case {
  const c = randomCase(new Rng(22), `non-finite b, accumulate ${accumulate}`, [
    18,
    6,
    16,
  ], { accumulate });
  const at = (row: number, p: number) => row * c.aStride + p;
  c.b.fill(Infinity, 2 * c.stride, 3 * c.stride);
  c.b.fill(NaN, 4 * c.stride, 5 * c.stride);
  for (let i = 0; i < 6; i++) [c.a[at(i, 2)], c.a[at(i, 4)]] = [0, -0];
  c.a[at(7, 4)] = -0;
  c.a.fill(0, at(11, 0), at(12, 0));
  c.out.fill(-0, 11 * c.stride, 12 * c.stride);
  c.a[at(13, 1)] = NaN;
  return c;
}

/**
 * A block of six rows whose only zero is in the entries past the last
 * whole vector of k (k = 5), over an infinite row of b.
 */
function tailZeroCase(): Case {
  const c = randomCase(new Rng(23), "a zero in the scalar tail", [6, 5, 8]);
  c.a[3 * c.aStride + 4] = 0;
  c.b.fill(Infinity, 4 * c.stride, 5 * c.stride);
  return c;
}

function poisoned(): Case[] {
  return [poisonedCase(false), poisonedCase(true), tailZeroCase()];
}

Deno.test("ab in plain SIMD gives bit for bit a TypeScript loop that skips zeros, blocked rows or not", () => {
  const { memory, wasm } = memoryFor(false);
  for (const c of [...cases(), ...poisoned()]) {
    const actual = runAb(wasm, memory, c);
    const expected = skipZerosLoop(c);
    assertSameFloats(actual, expected, `${c.name} (the loop gives)`);
  }
});

Deno.test("ab in relaxed SIMD gives bit for bit its one-row sweep, blocked rows or not", () => {
  const { memory, wasm } = memoryFor(RELAXED_SIMD_AVAILABLE);
  for (const c of [...cases(), ...poisoned()]) {
    const actual = runAb(wasm, memory, c);
    const expected = runRowByRow(wasm, memory, c);
    assertSameFloats(actual, expected, `${c.name} (row by row)`);
  }
});

Deno.test("ab's poisoned case really has infinite, NaN and -0 outputs to lose", () => {
  // Guards the case above: a zero skipped must matter to it.
  const c = poisonedCase(true);
  const expected = skipZerosLoop(c);
  const row = (i: number) =>
    Array.from(expected.subarray(i * c.stride, i * c.stride + c.n));
  assert.ok(row(0).every(Number.isFinite), "row 0 skips 0·∞ and 0·NaN");
  assert.ok(row(12).every(Number.isNaN), "row 12 meets b's NaN row");
  assert.ok(row(13).every(Number.isNaN), "row 13 carries a's NaN");
  assert.ok(row(11).every((x) => Object.is(x, -0)), "row 11 stays -0");
  const tail = tailZeroCase();
  const sums = skipZerosLoop(tail);
  assert.ok(sums.subarray(24, 32).every(Number.isFinite), "row 3 is finite");
});
