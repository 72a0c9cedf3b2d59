import assert from "node:assert/strict";
import { abFast, Rng } from "../../../mod.ts";
import { Arena, MiB } from "./arena.ts";
import { type Exports, instantiate, RELAXED_SIMD_AVAILABLE } from "./module.ts";

/**
 * `ab64` sweeps an output row 16 columns at a time, then 8, then 2, then
 * one: every width from 1 to 40 (and the network's 64 and 128) takes a
 * different mix of those sweeps.
 */
const WIDTHS = [...Array.from({ length: 40 }, (_, i) => i + 1), 64, 128];

/** `ab64` on its own memory, relaxed (fused) or plain SIMD. */
function ab64On(relaxed: boolean) {
  const arena = new Arena({
    arenaBytes: 8 * MiB,
    scratchBytes: MiB,
    worker: false,
  });
  const wasm: Exports = instantiate(arena.memory, relaxed);
  const inArena = (values: Float64Array) => {
    const copy = arena.allocate("f64", values.length) as Float64Array;
    copy.set(values);
    return copy;
  };
  /** out[m,n] (+)= a[m,k] · b[k,n], row strides aStride and stride. */
  const ab64 = (
    a: Float64Array,
    b: Float64Array,
    out: Float64Array,
    [m, k, n]: number[],
    { aStride = k, stride = n, accumulate = false } = {},
  ) =>
    wasm.ab64(
      a.byteOffset,
      b.byteOffset,
      out.byteOffset,
      m,
      k,
      n,
      aStride,
      stride,
      arena.gather.ptr,
      accumulate ? 1 : 0,
    );
  return { inArena, ab64 };
}

/**
 * `[rows, cols]` doubles, half of them zeros (a whole row of zeros every
 * fifth row), with a NaN and an infinity among the rest when `special`.
 */
function matrix(rows: number, cols: number, rng: Rng, special = false) {
  const x = new Float64Array(rows * cols);
  for (let i = 0; i < x.length; i++) {
    const zeroRow = Math.floor(i / cols) % 5 === 4;
    x[i] = zeroRow || rng.uniform() < 0.5 ? 0 : rng.normal();
  }
  if (special && x.length > 3) [x[1], x[2]] = [NaN, -Infinity];
  return x;
}

/** Asserts the same doubles, -0 told from +0, any NaN matching any NaN. */
function assertSameDoubles(actual: Float64Array, expected: Float64Array) {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`[${i}] = ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

Deno.test("ab64 in plain SIMD gives exactly the TypeScript product's numbers at every output width, skipping the same zeros", () => {
  const { inArena, ab64 } = ab64On(false);
  const rng = new Rng(80);
  for (const k of [1, 7, 64]) {
    for (const n of WIDTHS) {
      const shape = [11, k, n];
      const a = matrix(11, k, rng, true);
      const b = matrix(k, n, rng);
      const expected = new Float64Array(11 * n);
      abFast(a, b, expected, 11, k, n);
      const out = inArena(new Float64Array(11 * n).fill(NaN));
      ab64(inArena(a), inArena(b), out, shape);
      try {
        assertSameDoubles(out, expected);
      } catch (error) {
        throw new Error(`[11,${k},${n}]: ${(error as Error).message}`);
      }
    }
  }
});

/**
 * Row `r`, column `j` of `a · b` as the kernels' scalar tail computes it:
 * a multiply, then an add (never fused), in the order of k, skipping zeros
 * of `a`; from `from` (accumulating) or 0.
 */
function unfusedEntry(
  a: Float64Array,
  b: Float64Array,
  [k, aStride, stride]: number[],
  [r, j]: number[],
  from: number,
): number {
  let sum = from;
  for (let p = 0; p < k; p++) {
    const value = a[r * aStride + p];
    if (value !== 0) sum += value * b[p * stride + j];
  }
  return sum;
}

for (const relaxed of RELAXED_SIMD_AVAILABLE ? [true, false] : [false]) {
  const build = relaxed ? "relaxed" : "plain";
  Deno.test(`ab64 (${build} SIMD) gives a column the same bits whichever vector sweep computes it, with strides and accumulating`, () => {
    const { inArena, ab64 } = ab64On(relaxed);
    const rng = new Rng(81);
    const [m, k, wide] = [9, 33, 48];
    // a inside a wider matrix, as when two threads split k.
    const aStride = k + 5;
    const a = inArena(matrix(m, aStride, rng, true));
    const bWide = inArena(matrix(k, wide, rng));
    const start = matrix(m, wide, rng);
    for (const accumulate of [false, true]) {
      // Every column of the 48-wide product comes from a 16-wide sweep.
      const reference = inArena(start);
      const options = { aStride, accumulate };
      ab64(a, bWide, reference, [m, k, wide], options);
      for (const n of WIDTHS.filter((n) => n < wide)) {
        // The first n columns of b and of out (rows 48 apart); the other
        // columns of out must stay as they were.
        const out = inArena(start);
        ab64(a, bWide, out, [m, k, n], { ...options, stride: wide });
        const where = `n = ${n}, accumulate ${accumulate}`;
        // An odd last column is the scalar tail's: unfused in both builds.
        const vectors = n - (n % 2);
        for (let r = 0; r < m; r++) {
          const row = r * wide;
          try {
            assertSameDoubles(
              out.subarray(row, row + vectors),
              reference.subarray(row, row + vectors),
            );
            if (vectors < n) {
              const from = accumulate ? start[row + n - 1] : 0;
              assert.ok(
                Object.is(
                  out[row + n - 1],
                  unfusedEntry(a, bWide, [k, aStride, wide], [r, n - 1], from),
                ),
                `the odd last column [${n - 1}]`,
              );
            }
            assertSameDoubles(
              out.subarray(row + n, row + wide),
              start.subarray(row + n, row + wide),
            );
          } catch (error) {
            throw new Error(`${where}, row ${r}: ${(error as Error).message}`);
          }
        }
      }
    }
  });
}

/**
 * Operands where a's zeros must be skipped, not added as 0·b: b's rows 2
 * and 3 infinite and NaN (row 0 of a zero over both), row 4 of a all zeros
 * (over -0 outputs when accumulating), row 6 a product that underflows to
 * -0 when fused (1e-200 · -1e-200 from +0) and then a zero over b's
 * negative row 1. a is `[m, aStride]`, b `[k, wide]`.
 */
function poisonedOperands(rng: Rng, [m, k, aStride, wide]: number[]) {
  const a = matrix(m, aStride, rng);
  const b = matrix(k, wide, rng);
  const start = matrix(m, wide, rng);
  for (let p = 0; p < k; p++) a[5 * aStride + p] ||= 1.5;
  [a[2], a[3]] = [0, -0];
  a.fill(0, 6 * aStride, 7 * aStride);
  a[6 * aStride] = 1e-200;
  b.fill(-1e-200, 0, wide).fill(-2, wide, 2 * wide);
  b.fill(Infinity, 2 * wide, 3 * wide).fill(NaN, 3 * wide, 4 * wide);
  start.fill(-0, 4 * wide, 5 * wide);
  return { a, b, start };
}

for (const relaxed of RELAXED_SIMD_AVAILABLE ? [true, false] : [false]) {
  const build = relaxed ? "relaxed" : "plain";
  Deno.test(`ab64 (${build} SIMD) at 6, 8 and 10 columns, two rows at a time, skips a's zeros over infinite and NaN rows of b and keeps -0 sums`, () => {
    const { inArena, ab64 } = ab64On(relaxed);
    const [m, k, wide] = [7, 9, 48];
    const aStride = k + 3;
    const operands = poisonedOperands(new Rng(82), [m, k, aStride, wide]);
    const [a, b] = [inArena(operands.a), inArena(operands.b)];
    for (const accumulate of [false, true]) {
      // The 48-wide product: every column from a 16-wide sweep of gathered
      // nonzeros.
      const reference = inArena(operands.start);
      const options = { aStride, accumulate };
      ab64(a, b, reference, [m, k, wide], options);
      const row = (i: number) =>
        Array.from(reference.subarray(i * wide, i * wide + 10));
      assert.ok(row(0).every(Number.isFinite), "row 0 skips 0·∞ and 0·NaN");
      assert.ok(row(5).every(Number.isNaN), "row 5 (no zeros) meets NaN");
      if (accumulate) assert.ok(row(4).every((x) => Object.is(x, -0)));
      if (!relaxed) {
        // Unfused, the wide sweep is the TypeScript loop that skips zeros.
        for (let r = 0; r < m; r++) {
          for (let j = 0; j < 10; j++) {
            const from = accumulate ? operands.start[r * wide + j] : 0;
            const sum = unfusedEntry(
              operands.a,
              operands.b,
              [
                k,
                aStride,
                wide,
              ],
              [r, j],
              from,
            );
            assert.ok(Object.is(reference[r * wide + j], sum), `[${r},${j}]`);
          }
        }
      } else if (!accumulate) {
        assert.ok(row(6).every((x) => Object.is(x, -0)), "fused underflow");
      }
      for (const n of [6, 8, 10]) {
        const out = inArena(operands.start);
        ab64(a, b, out, [m, k, n], { ...options, stride: wide });
        for (let r = 0; r < m; r++) {
          const at = r * wide;
          try {
            assertSameDoubles(
              out.subarray(at, at + wide),
              new Float64Array([
                ...reference.subarray(at, at + n),
                ...operands.start.subarray(at + n, at + wide),
              ]),
            );
          } catch (error) {
            const where = `n = ${n}, accumulate ${accumulate}, row ${r}`;
            throw new Error(`${where}: ${(error as Error).message}`);
          }
        }
      }
    }
  });
}

/**
 * `[m, aStride]` values with no zeros but a NaN (row 2), b `[k, stride]`
 * finite; with `tailZero`, row 7's last value (the odd one after the
 * pairs) is a zero over b's infinite last row: the dense kernel must not
 * take row 7's blocks, and skipping that zero keeps row 7 finite.
 */
function denseOperands(
  rng: Rng,
  [m, k, aStride, stride]: number[],
  tailZero: boolean,
) {
  const a = new Float64Array(m * aStride).map(() => rng.normal());
  const b = new Float64Array(k * stride).map(() => rng.normal());
  a[2 * aStride + 3] = NaN;
  if (tailZero) {
    a[7 * aStride + k - 1] = 0;
    b.fill(Infinity, (k - 1) * stride, k * stride);
  }
  return { a, b, start: new Float64Array(m * stride).map(() => rng.normal()) };
}

for (const relaxed of RELAXED_SIMD_AVAILABLE ? [true, false] : [false]) {
  const build = relaxed ? "relaxed" : "plain";
  const expected = relaxed ? "one row at a time" : "the TypeScript loop";
  Deno.test(`ab64 (${build} SIMD) on rows without zeros, six at a time, at every width gives the bits of ${expected}`, () => {
    const { inArena, ab64 } = ab64On(relaxed);
    const rng = new Rng(83);
    const [m, k] = [13, 9];
    const aStride = k + 2;
    for (
      const [n, tailZero] of WIDTHS.flatMap((
        n,
      ) => [[n, false] as const, [n, true] as const])
    ) {
      const stride = n + 3;
      const operands = denseOperands(rng, [m, k, aStride, stride], tailZero);
      const [a, b] = [inArena(operands.a), inArena(operands.b)];
      for (const accumulate of [false, true]) {
        const options = { aStride, stride, accumulate };
        const out = inArena(operands.start);
        ab64(a, b, out, [m, k, n], options);
        const reference = inArena(operands.start);
        for (let r = 0; r < m; r++) {
          const [row, at] = [r * stride, r * aStride];
          if (relaxed) {
            // m = 1: no block of six rows, only the one-row sweeps.
            const aRow = a.subarray(at, at + aStride);
            const outRow = reference.subarray(row, row + stride);
            ab64(aRow, b, outRow, [1, k, n], options);
          } else {
            for (let j = 0; j < n; j++) {
              const from = accumulate ? operands.start[row + j] : 0;
              reference[row + j] = unfusedEntry(
                operands.a,
                operands.b,
                [
                  k,
                  aStride,
                  stride,
                ],
                [r, j],
                from,
              );
            }
          }
        }
        if (tailZero) {
          assert.ok(Number.isFinite(reference[7 * stride]), "row 7 skips ∞");
        }
        try {
          assertSameDoubles(out, reference);
        } catch (error) {
          const where = `n = ${n}, zero ${tailZero}, accumulate ${accumulate}`;
          throw new Error(`${where}: ${(error as Error).message}`);
        }
      }
    }
  });
}
