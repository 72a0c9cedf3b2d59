/**
 * gemm.wat's f32 `ab` at narrow output widths (n from 1 to 17, the last
 * layer's 10 among them): blocks of three rows go to a kernel that holds
 * the whole output row in registers and makes a's zeros no-ops instead
 * of gathering the nonzeros, the other rows to the one-row sweep. Both
 * must give bit for bit the TypeScript loop that skips zeros, with the
 * multiply-add fused exactly where the kernels fused it before: in the
 * vector sweeps of the relaxed build, never in the scalar sweep of the
 * last n mod 4 columns (taken when accumulating, or when n < 4).
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

const bits = new Float32Array(1);
const bitsAsInt = new Int32Array(bits.buffer);

/** The f32 next to `r` (an f32) in the direction of `toward`. */
function nextF32(r: number, toward: number): number {
  if (r === 0) return toward > 0 ? 2 ** -149 : -(2 ** -149);
  bits[0] = r;
  bitsAsInt[0] += (toward > r) === (r > 0) ? 1 : -1;
  return bits[0];
}

/**
 * x·y + z rounded once to f32 (a fused multiply-add), for f32 inputs: the
 * product is exact in f64, the f64 sum's rounding error is recovered
 * exactly (two-sum), and it decides the one case where rounding the f64
 * sum to f32 could round twice: a sum exactly halfway between two f32s.
 */
function fmaF32(x: number, y: number, z: number): number {
  const product = x * y;
  const sum = product + z;
  const rounded = Math.fround(sum);
  if (!Number.isFinite(rounded) || rounded === sum) return rounded;
  const virtual = sum - product;
  const error = (product - (sum - virtual)) + (z - virtual);
  const other = nextF32(rounded, sum);
  if (error === 0 || (rounded + other) / 2 !== sum) return rounded;
  return error > 0 === other > rounded ? other : rounded;
}

/**
 * The reference loop: each output summed in the order of k from 0 (or
 * out's value when accumulating), skipping zeros of a (+0 and -0), fused
 * where `fusedColumn` says so, else a rounded multiply then a rounded add.
 */
function skipZerosLoop(c: Case, fusedColumn: (j: number) => boolean) {
  const out = c.out.slice();
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      const fused = fusedColumn(j);
      let sum = c.accumulate ? out[i * c.stride + j] : 0;
      for (let p = 0; p < c.k; p++) {
        const x = c.a[i * c.aStride + p];
        if (x === 0) continue;
        const y = c.b[p * c.stride + j];
        sum = fused ? fmaF32(x, y, sum) : Math.fround(sum + Math.fround(x * y));
      }
      out[i * c.stride + j] = sum;
    }
  }
  return out;
}

/**
 * Which columns the build fuses: none in plain SIMD; in relaxed SIMD all
 * but the scalar tail, the columns past the last whole vector when
 * accumulating or when n < 4 (else the last four columns are one vector).
 */
function fusedColumns(c: Case, fuses: boolean) {
  const scalarFrom = c.accumulate || c.n < 4 ? c.n - c.n % 4 : c.n;
  return (j: number) => fuses && j < scalarFrom;
}

/**
 * A case of `m` rows: about half of a's entries zeros (some -0) in most
 * rows, row 0 zero over b's rows 2 and 3, row 1 all zeros over -0 outputs, row 4 (when there is one) with no
 * zero at all, a NaN in a's last row; b's row 2 infinite and row 3 NaN
 * (skipping their zeros is what keeps most sums finite); strides past k
 * and n when `padding`.
 */
function narrowCase(
  rng: Rng,
  [m, k, n]: [number, number, number],
  accumulate: boolean,
  padding: number,
): Case {
  const [aStride, stride] = [k + padding, n + padding];
  const a = new Float32Array(m * aStride).map(() => {
    const u = rng.uniform();
    return u < 0.4 ? 0 : u < 0.5 ? -0 : rng.normal();
  });
  const b = new Float32Array(k * stride).map(() => rng.normal());
  const out = new Float32Array(m * stride).map(() => rng.normal());
  if (m > 1) {
    a.fill(0, aStride, aStride + k);
    out.fill(-0, stride, 2 * stride);
  }
  if (m > 4) {
    for (let p = 0; p < k; p++) a[4 * aStride + p] ||= 1.5;
  }
  if (k > 3) {
    b.fill(Infinity, 2 * stride, 3 * stride);
    b.fill(NaN, 3 * stride, 4 * stride);
    [a[2], a[3]] = [0, -0];
    a[(m - 1) * aStride + k - 1] = NaN;
  }
  const name = `${m}x${k}x${n}, stride +${padding}, accumulate ${accumulate}`;
  return { name, m, k, n, aStride, stride, accumulate, a, b, out };
}

/** Every n from 1 to 17 in a few shapes, and the last layer's own. */
function cases(): Case[] {
  const rng = new Rng(41);
  const list: Case[] = [];
  for (const accumulate of [false, true]) {
    for (let n = 1; n <= 17; n++) {
      list.push(narrowCase(rng, [7, 37, n], accumulate, 0));
      list.push(narrowCase(rng, [3, 5, n], accumulate, 3));
      list.push(narrowCase(rng, [1, 9, n], accumulate, 0));
      list.push(narrowCase(rng, [6, 1, n], accumulate, 2));
    }
    list.push(narrowCase(rng, [64, 64, 10], accumulate, 0));
    list.push(narrowCase(rng, [64, 10, 10], accumulate, 0));
  }
  return list;
}

/**
 * Three rows whose first product underflows to -0 when fused (1e-30 ·
 * -1e-30 added to +0) and whose next entry is a zero over a negative row
 * of b: skipping it keeps -0, while +0 · b (or -0 · b) added would give
 * +0 in some row.
 */
function underflowCase(): Case {
  const [m, k, n] = [3, 3, 10];
  const a = new Float32Array([1e-30, 0, 2, 1e-30, -0, 3, 1e-30, 0, 0]);
  const b = new Float32Array(k * n);
  b.fill(-1e-30, 0, n).fill(-2, n, 2 * n).fill(-0, 2 * n);
  const out = new Float32Array(m * n);
  const name = "a -0 sum by underflow, then a zero over a negative b";
  return { name, m, k, n, aStride: k, stride: n, accumulate: false, a, b, out };
}

/**
 * Whether this build's vector multiply-add is fused: 1.000244 · 1.000244
 * (exact product 1 + 2⁻¹¹ + 2⁻²⁴) added to minus its rounded product
 * gives 2⁻²⁴ fused, 0 rounded first.
 */
function fusesMultiplyAdd(wasm: Exports, memory: WebAssembly.Memory) {
  const x = 1 + 2 ** -12;
  const c: Case = {
    name: "probe",
    m: 1,
    k: 1,
    n: 4,
    aStride: 1,
    stride: 4,
    accumulate: true,
    a: new Float32Array([x]),
    b: new Float32Array(4).fill(x),
    out: new Float32Array(4).fill(-Math.fround(x * x)),
  };
  return runAb(wasm, memory, c)[0] !== 0;
}

for (const relaxed of RELAXED_SIMD_AVAILABLE ? [true, false] : [false]) {
  const build = relaxed ? "relaxed" : "plain";
  Deno.test(`ab (${build} SIMD) at every width from 1 to 17 gives bit for bit the TypeScript loop that skips zeros`, () => {
    const { memory, wasm } = memoryFor(relaxed);
    const fuses = fusesMultiplyAdd(wasm, memory);
    assert.equal(fuses, relaxed, "the relaxed build fuses, the plain not");
    for (const c of [...cases(), underflowCase()]) {
      const expected = skipZerosLoop(c, fusedColumns(c, fuses));
      assertSameFloats(runAb(wasm, memory, c), expected, c.name);
    }
  });
}

Deno.test("fmaF32 rounds once: where rounding twice differs, and at halfway sums", () => {
  const x = 1 + 2 ** -12;
  assert.equal(fmaF32(x, x, -Math.fround(x * x)), 2 ** -24);
  // 1 + 2⁻²⁴ is halfway between 1 and the next f32; a tiny addend decides.
  assert.equal(fmaF32(1, 1, 2 ** -24), 1);
  assert.equal(fmaF32(1 + 2 ** -23, 1, 2 ** -24), 1 + 2 ** -22);
  // x·x = 1 + 2⁻¹¹ + 2⁻²⁴ is itself halfway: the f64 sum drops ±2⁻⁸⁰.
  assert.equal(fmaF32(x, x, 2 ** -80), 1 + 2 ** -11 + 2 ** -23);
  assert.equal(fmaF32(x, x, -(2 ** -80)), 1 + 2 ** -11);
  assert.ok(Object.is(fmaF32(1e-30, -1e-30, 0), -0));
  assert.ok(Number.isNaN(fmaF32(0, Infinity, 1)));
});

Deno.test("the narrow cases really hold what would tell skipping from adding 0·b", () => {
  // Guards the cases above: skipped zeros must matter to their sums.
  const c = narrowCase(new Rng(41), [7, 37, 10], true, 0);
  const expected = skipZerosLoop(c, () => false);
  const row = (i: number) =>
    Array.from(expected.subarray(i * c.stride, i * c.stride + c.n));
  assert.ok(row(1).every((v) => Object.is(v, -0)), "row 1 stays -0");
  assert.ok(row(0).every(Number.isFinite), "row 0 skips 0·∞ and 0·NaN");
  assert.ok(row(4).every(Number.isNaN), "row 4 (no zeros) meets b's NaN");
  assert.ok(row(6).every(Number.isNaN), "row 6 carries a's NaN");
  const underflow = skipZerosLoop(underflowCase(), () => true);
  assert.ok(Object.is(underflow[0], -0), "the fused underflow stays -0");
});
