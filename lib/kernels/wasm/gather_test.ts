import assert from "node:assert/strict";
import { RELAXED_SIMD_AVAILABLE, Rng } from "../../../mod.ts";
import { createWasmKernels } from "./kernels.ts";
import { memoryFor } from "./operands_testing.ts";

/** Bytes of `count` images of `pixels` each: blank 16-byte runs, single
 * lit pixels inside them, and full rows, as MNIST borders and strokes. */
function images(count: number, pixels: number): Uint8Array {
  const bytes = new Uint8Array(count * pixels);
  for (let i = 0; i < bytes.length; i++) {
    const block = Math.floor((i % pixels) / 16);
    if (block % 3 === 1) bytes[i] = (i * 37) % 256;
    if (block % 3 === 2 && i % 16 === 7) bytes[i] = 255;
  }
  return bytes;
}

/** The TypeScript loop the kernel replaces: each byte times the scale in
 * double precision, rounded once to f32. */
function expected(
  bytes: Uint8Array,
  pixels: number,
  order: Int32Array,
  scale: number,
): Float32Array {
  const out = new Float32Array(order.length * pixels);
  order.forEach((image, row) => {
    for (let p = 0; p < pixels; p++) {
      out[row * pixels + p] = bytes[image * pixels + p] * scale;
    }
  });
  return out;
}

Deno.test("gatherScaled equals the TypeScript loop bit for bit: blank 16-byte runs, odd widths, either sign of scale, one and two threads", () => {
  const one = createWasmKernels({ arenaBytes: 8 << 20 });
  const two = createWasmKernels({
    arenaBytes: 8 << 20,
    worker: true,
  });
  try {
    for (const kernels of [one, two]) {
      for (const pixels of [784, 37, 16, 1]) {
        const count = 300;
        const bytes = images(count, pixels);
        const placed = kernels.placeBytes!(bytes)!;
        // Rows in a scrambled order, the last image repeated.
        const order = Int32Array.from(
          { length: count },
          (_, i) => i === count - 1 ? 0 : (i * 7) % count,
        );
        for (const scale of [1 / 255, -1 / 77.3, 3]) {
          const out = kernels.allocate!("f32", count * pixels);
          out.fill(NaN);
          assert.ok(
            kernels.gatherScaled!(placed, pixels, order, 0, count, scale, out),
          );
          const want = expected(bytes, pixels, order, scale);
          const at = out.findIndex((x, i) => !Object.is(x, want[i]));
          assert.equal(
            at,
            -1,
            `${kernels.name}, ${pixels} pixels, scale ${scale}: ` +
              `index ${at} is ${out[at]}, want ${want[at]}`,
          );
        }
      }
    }
  } finally {
    two.dispose();
  }
});

/**
 * The nonzero gather of `ab` (f32) and `ab64` (f64): before sweeping a row
 * of a, the kernels list its nonzeros (+0 and -0 skipped, NaN kept) in the
 * order of k, from bit masks of 16 values (f32) or of up to 64 (f64), the
 * last values one at a time. Checked through the products, bit for bit,
 * for every k from 1 to 70 (the weight gradients' rows are 64 long) and for
 * rows of two to four blocks of 64, whole or not, with a tail or not.
 */
type Floats = Float32Array | Float64Array;

/** The product's width: several column sweeps in either precision. */
const WIDTH = 37;
/** Row lengths: every k up to 70, then two to four blocks of 64 values. */
const LENGTHS = [
  ...Array.from({ length: 70 }, (_, i) => i + 1),
  ...[72, 79, 128, 131, 200, 256],
];
/** Values past k in each row of a (NaN there: never to be read). */
const PADDING = 3;

/**
 * Ten rows of k values for a, each a pattern the gather could get wrong.
 * Rows 0 and 5 hold only zeros, so that every block of six rows has a zero
 * and no row leaves the gather for `ab`'s zero-free kernel.
 */
function rowPatterns(k: number, rng: Rng): number[][] {
  const value = () => (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + rng.uniform());
  const row = (nonzero: (p: number) => boolean) =>
    Array.from({ length: k }, (_, p) => nonzero(p) ? value() : 0);
  const signedZeros = (values: number[]) =>
    values.map((x, p) => x === 0 && p % 3 === 1 ? -0 : x);
  const withNaN = row(() => rng.uniform() < 0.5);
  withNaN[rng.int(k)] = NaN;
  return [
    row(() => false),
    row(() => true),
    row((p) => p === k - 1),
    row((p) => p === 0),
    signedZeros(row((p) => p % 4 === 3)),
    Array.from({ length: k }, (_, p) => p % 2 === 0 ? -0 : 0),
    signedZeros(row(() => rng.uniform() < 0.19)),
    signedZeros(withNaN),
    row((p) => p % 64 === 63 || p % 64 === 0 || p === k - 2),
    row((p) => p % 16 === 15 || p % 8 === 0),
  ];
}

/** `ab` or `ab64` on operands laid out in a fresh memory. */
function product(relaxed: boolean, f64: boolean) {
  const { memory, wasm } = memoryFor(relaxed);
  const Floats = f64 ? Float64Array : Float32Array;
  /** out [m,n] += a [m,k] (rows `aStride` apart) · b [k,n], from `out`. */
  return (
    a: Floats,
    b: Floats,
    out: Floats,
    [m, k, n, aStride]: number[],
  ): Floats => {
    const at = [0, a.length, a.length + b.length];
    const heap = f64
      ? new Float64Array(memory.buffer)
      : new Float32Array(memory.buffer);
    [a, b, out].forEach((x, i) => heap.set(x, at[i]));
    const bytes = Floats.BYTES_PER_ELEMENT;
    const scratch = bytes * (at[2] + out.length);
    (f64 ? wasm.ab64 : wasm.ab)(
      ...[at[0], at[1], at[2]].map((x) => bytes * x),
      ...[m, k, n, aStride, n, scratch, 1],
    );
    return heap.slice(at[2], at[2] + out.length);
  };
}

/**
 * The loop of the plain SIMD build: out + Σ a·b over the nonzeros of each
 * row of a in the order of k, each product and sum rounded to the
 * precision (in f64, JavaScript's own arithmetic).
 */
function skipZeros(
  a: Floats,
  b: Floats,
  out: Floats,
  [m, k, n, aStride]: number[],
  skip = true,
): Floats {
  const round = a instanceof Float64Array ? (x: number) => x : Math.fround;
  const sums = out.slice();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) {
        const x = a[i * aStride + p];
        if (x !== 0 || !skip) {
          sums[i * n + j] = round(sums[i * n + j] + round(x * b[p * n + j]));
        }
      }
    }
  }
  return sums;
}

/**
 * Operands for a k: a [10, k + PADDING] with rowPatterns and NaN past k;
 * b [k, WIDTH] with an infinity in row p at column p mod WIDTH (a zero of
 * a that was not skipped makes NaN there); out all -0 (a +0·b added to an
 * all-zero row makes +0).
 */
function operands(k: number, f64: boolean, rng: Rng) {
  const Floats = f64 ? Float64Array : Float32Array;
  const rows = rowPatterns(k, rng);
  const aStride = k + PADDING;
  const a = new Floats(rows.length * aStride).fill(NaN);
  rows.forEach((row, i) => a.set(row, i * aStride));
  const b = new Floats(k * WIDTH).map(() => rng.normal());
  for (let p = 0; p < k; p++) b[p * WIDTH + (p % WIDTH)] = Infinity;
  const out = new Floats(rows.length * WIDTH).fill(-0);
  return { a, b, out, shape: [rows.length, k, WIDTH, aStride] };
}

/** Fails at the first output (bit for bit, NaN equal to NaN) that differs. */
function assertSame(actual: Floats, expected: Floats, what: string) {
  const at = actual.findIndex((x, i) => !Object.is(x, expected[i]));
  assert.equal(
    at,
    -1,
    `${what}: out[${at}] is ${actual[at]}, expected ${expected[at]}`,
  );
}

/** The nonzeros of row `i` of a alone: a [1, count] and their rows of b. */
function nonzerosOf(
  i: number,
  a: Floats,
  b: Floats,
  [k, n, aStride]: number[],
) {
  const kept = Array.from({ length: k }, (_, p) => p)
    .filter((p) => a[i * aStride + p] !== 0);
  const Floats = a instanceof Float64Array ? Float64Array : Float32Array;
  const bRows = new Floats(kept.length * n);
  kept.forEach((p, q) => bRows.set(b.subarray(p * n, (p + 1) * n), q * n));
  const aRow = new Floats(kept.map((p) => a[i * aStride + p]));
  return { aRow, bRows, count: kept.length };
}

for (const f64 of [false, true]) {
  const name = f64 ? "ab64" : "ab";
  Deno.test(`${name} in plain SIMD skips exactly the zeros (+0 and -0, not NaN) of rows of every length from 1 to 70, and longer`, () => {
    const run = product(false, f64);
    const rng = new Rng(f64 ? 91 : 90);
    for (const k of LENGTHS) {
      const { a, b, out, shape } = operands(k, f64, rng);
      const expected = skipZeros(a, b, out, shape);
      assertSame(run(a, b, out, shape), expected, `${name}, k = ${k}`);
      // Guards the operands: a zero added instead of skipped shows.
      const withZeros = skipZeros(a, b, out, shape, false);
      assert.ok(withZeros.some((x, j) => !Object.is(x, expected[j])));
    }
  });

  Deno.test(`${name} in relaxed SIMD gives each row of every length from 1 to 70, and longer, what the row's nonzeros alone give`, () => {
    const run = product(RELAXED_SIMD_AVAILABLE, f64);
    const rng = new Rng(f64 ? 93 : 92);
    for (const k of LENGTHS) {
      const { a, b, out, shape } = operands(k, f64, rng);
      const [m, , n, aStride] = shape;
      const actual = run(a, b, out, shape);
      for (let i = 0; i < m; i++) {
        const { aRow, bRows, count } = nonzerosOf(i, a, b, [k, n, aStride]);
        const row = out.subarray(i * n, (i + 1) * n);
        const expected = run(aRow, bRows, row, [1, count, n, count]);
        const actualRow = actual.subarray(i * n, (i + 1) * n);
        assertSame(actualRow, expected, `${name}, k = ${k}, row ${i}`);
      }
    }
  });
}
