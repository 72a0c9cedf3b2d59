/**
 * Every matrix-kernel implementation by name: the one place a new one plugs
 * in, and what `--kernels` chooses from.
 *
 * @module
 */

import { fastKernels, referenceKernels } from "./gemm.ts";
import type { Kernels } from "./kernel_set.ts";
import {
  createWasmKernels,
  type WasmKernels,
  wasmKernels,
} from "./wasm/kernels.ts";

/**
 * The names `--kernels` accepts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.ok(KERNEL_NAMES.includes("reference"));
 * assert.ok(KERNEL_NAMES.includes(DEFAULT_KERNELS));
 * ```
 */
export const KERNEL_NAMES = [
  "reference",
  "fast",
  "wasm",
  "wasm-workers",
] as const;

/**
 * `"reference"`, `"fast"`, `"wasm"` or `"wasm-workers"` (two threads).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const name: KernelName = "fast";
 * assert.equal(kernelsByName(name).name, "fast");
 * ```
 */
export type KernelName = typeof KERNEL_NAMES[number];

/**
 * What `--kernels` defaults to: the WebAssembly kernels, on two threads
 * where the machine has a second core (0.25 s an epoch instead of 0.34 on
 * the 2-core machines this kit was measured on; README, "Speed").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const expected = navigator.hardwareConcurrency >= 2 ? "wasm-workers" : "wasm";
 * assert.equal(DEFAULT_KERNELS, expected);
 * ```
 */
export const DEFAULT_KERNELS: KernelName = navigator.hardwareConcurrency >= 2
  ? "wasm-workers"
  : "wasm";

/**
 * Looks up a kernel set by name.
 *
 * @param name Which implementation.
 * @returns Its kernels (the WebAssembly ones are instantiated on first use;
 * `wasm-workers` starts a Worker thread, which lives until the process exits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const kernels = kernelsByName("reference");
 * const out = new Float64Array(1);
 * kernels.ab(new Float64Array([2, 3]), new Float64Array([4, 5]), out, 1, 2, 1);
 * assert.equal(out[0], 23);
 * ```
 */
export function kernelsByName(name: KernelName): Kernels {
  switch (name) {
    case "reference":
      return referenceKernels;
    case "fast":
      return fastKernels;
    case "wasm":
      return wasmKernels();
    case "wasm-workers":
      workerKernels ??= createWasmKernels({ worker: true });
      return workerKernels;
  }
}

let workerKernels: WasmKernels | null = null;
