/**
 * For the tests that call the raw WebAssembly kernels: lays f32 or f64
 * operands out one after another from address 0 of a memory, with the
 * scratch after them, and reads the output back.
 *
 * @module
 */

import type { Rng } from "../../base/rng.ts";
import { type Exports, instantiate } from "./module.ts";

/**
 * A fresh 4 MiB shared memory with the kernels instantiated on it, the
 * relaxed-SIMD build or the plain one.
 */
export function memoryFor(
  relaxed: boolean,
): { memory: WebAssembly.Memory; wasm: Exports } {
  const memory = new WebAssembly.Memory({
    initial: 64,
    maximum: 64,
    shared: true,
  });
  return { memory, wasm: instantiate(memory, relaxed) };
}

/** One `ab` call of a raw-kernel test: its shape, strides and operands. */
export interface AbCase {
  /** What the case covers, for the failure message. */
  name: string;
  m: number;
  k: number;
  n: number;
  /** Floats between rows of a (at least k), and of b and out (at least n). */
  aStride: number;
  stride: number;
  accumulate: boolean;
  /** a [m, aStride] and b [k, stride], row-major. */
  a: Float32Array;
  b: Float32Array;
  /** out [m, stride] before the call: added to when accumulating. */
  out: Float32Array;
}

/** Where the operands went, as byte addresses for the kernels. */
export interface PlacedOperands<T extends Float32Array | Float64Array> {
  readonly a: number;
  readonly b: number;
  readonly out: number;
  /** The first free byte after `out`, for the kernel's scratch. */
  readonly scratch: number;
  /** The memory as `out`'s element type. */
  readonly heap: T;
  /** @returns A copy of `out` as the kernel left it. */
  read(): T;
}

/**
 * Copies `a`, `b` and `out` into `memory` (f32 or f64, as `out` is; in that
 * order).
 *
 * @returns Their byte addresses, the scratch's, and a reader for `out`.
 */
export function placeOperands<T extends Float32Array | Float64Array>(
  memory: WebAssembly.Memory,
  a: T,
  b: T,
  out: T,
): PlacedOperands<T> {
  const heap =
    (out instanceof Float64Array
      ? new Float64Array(memory.buffer)
      : new Float32Array(memory.buffer)) as T;
  const size = heap.BYTES_PER_ELEMENT;
  const [aAt, bAt] = [0, a.length];
  const outAt = bAt + b.length;
  heap.set(a, aAt);
  heap.set(b, bAt);
  heap.set(out, outAt);
  return {
    a: size * aAt,
    b: size * bAt,
    out: size * outAt,
    scratch: size * (outAt + out.length),
    heap,
    read: () => heap.slice(outAt, outAt + out.length) as T,
  };
}

/**
 * `length` normals, each a zero (+0 or -0, equally often) with probability
 * `zeros`: the zeros a kernel must skip, of either sign.
 */
export function randomWithZeros(
  rng: Rng,
  length: number,
  zeros: number,
): number[] {
  return Array.from(
    { length },
    () => rng.uniform() < zeros ? (rng.uniform() < 0.5 ? 0 : -0) : rng.normal(),
  );
}

/**
 * Fails, naming the first index, unless `actual` and `expected` hold the
 * same floats bit for bit (-0 and +0 differ; NaN equals NaN), f32 or f64.
 */
export function assertSameFloats(
  actual: Float32Array | Float64Array,
  expected: Float32Array | Float64Array,
  what: string,
): void {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(
        `${what}: out[${i}] = ${show(actual[i])}, expected ${
          show(expected[i])
        }`,
      );
    }
  }
}

/** @returns `x` as text, with -0 shown as such. */
function show(x: number | undefined): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

/**
 * Runs a case's `ab` on operands laid out from address 0 of `memory`.
 *
 * @returns out [m, stride] as the kernel left it.
 */
export function runAb(
  wasm: Exports,
  memory: WebAssembly.Memory,
  c: AbCase,
): Float32Array {
  const at = placeOperands(memory, c.a, c.b, c.out);
  wasm.ab(
    at.a,
    at.b,
    at.out,
    c.m,
    c.k,
    c.n,
    c.aStride,
    c.stride,
    at.scratch,
    c.accumulate ? 1 : 0,
  );
  return at.read();
}
