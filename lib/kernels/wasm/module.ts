/**
 * The WebAssembly module (`gemm.wat`, embedded in gemm_wasm.ts in two
 * builds) and what its instance exports, shared by the main thread and the
 * kernel worker.
 *
 * @module
 */

import { GEMM_WASM_PLAIN, GEMM_WASM_RELAXED } from "./gemm_wasm.ts";
import { lossRows } from "./loss.ts";
import type { JobKernel } from "./protocol.ts";

/**
 * The module's exports: the worker jobs' kernels (their parameters are
 * listed in protocol.ts, `JOB_SIGNATURES`) and those the main thread calls
 * directly. Every parameter is a number (pointers and sizes are i32); the
 * two indexing kernels return their entry count.
 */
export type Exports =
  & Record<
    | JobKernel
    | "transpose"
    | "add_arrays"
    | "sum_rows"
    | "sum_rows64"
    | "transpose64"
    | "add_arrays64",
    (...args: number[]) => void
  >
  & Record<"index_rows" | "index_columns", (...args: number[]) => number>;

/** @returns The bytes of one of the embedded modules. */
function decode(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/**
 * Whether this runtime validates the relaxed-SIMD module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof RELAXED_SIMD_AVAILABLE, "boolean");
 * ```
 */
export const RELAXED_SIMD_AVAILABLE: boolean = WebAssembly.validate(
  decode(GEMM_WASM_RELAXED),
);

/**
 * Whether this runtime validates the plain build (WebAssembly SIMD and
 * shared memory): without it no WebAssembly kernel set can run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // Deno 2.9 on x86-64 and ARM64 has both.
 * assert.equal(SIMD_AVAILABLE, true);
 * ```
 */
export const SIMD_AVAILABLE: boolean = WebAssembly.validate(
  decode(GEMM_WASM_PLAIN),
);

/**
 * Instantiates the relaxed-SIMD build (fused multiply-add) or the plain one
 * on `memory`.
 *
 * @returns The instance's exports, and `loss_rows`: the one job written in
 * TypeScript (loss.ts), on the same memory.
 */
export function instantiate(
  memory: WebAssembly.Memory,
  relaxed: boolean,
): Exports {
  const module = new WebAssembly.Module(
    decode(relaxed ? GEMM_WASM_RELAXED : GEMM_WASM_PLAIN),
  );
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  return {
    ...exports,
    loss_rows: (...args: number[]) => lossRows(memory.buffer, args),
  } as unknown as Exports;
}
