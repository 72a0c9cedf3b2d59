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
  RELAXED_SIMD_AVAILABLE,
  type WasmKernels,
  wasmKernels,
} from "./wasm/kernels.ts";
import { SIMD_AVAILABLE } from "./wasm/module.ts";

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

/**
 * What a kernel set needs from the machine: CPU cores, WebAssembly SIMD,
 * and relaxed SIMD (fused multiply-add).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.ok(THIS_MACHINE.cores >= 1);
 * ```
 */
export interface Machine {
  /** Logical CPU cores (`navigator.hardwareConcurrency`). */
  readonly cores: number;
  /** Whether the runtime has WebAssembly SIMD (and threads). */
  readonly simd: boolean;
  /** Whether it has relaxed SIMD. */
  readonly relaxedSimd: boolean;
}

/**
 * The machine this process runs on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof THIS_MACHINE.simd, "boolean");
 * ```
 */
export const THIS_MACHINE: Machine = {
  cores: navigator.hardwareConcurrency,
  simd: SIMD_AVAILABLE,
  relaxedSimd: RELAXED_SIMD_AVAILABLE,
};

/**
 * The kernel set a run asking for `requested` gets on `machine`: the
 * WebAssembly sets need SIMD (else the TypeScript `fast` kernels run), and
 * `wasm-workers` a second core (else `wasm`, on one thread). A `note` says
 * what changed and why, for the command line to print; without relaxed SIMD
 * the WebAssembly kernels still run, multiplying and adding separately,
 * and the note says so (their last bits then differ from a fused run's).
 *
 * @returns The kernels to use, and a note when they are not what was asked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const oneCore = { cores: 1, simd: true, relaxedSimd: true };
 * const choice = chooseKernels("wasm-workers", oneCore);
 * assert.equal(choice.name, "wasm");
 * assert.match(choice.note!, /one CPU core/);
 * assert.deepEqual(chooseKernels("fast", oneCore), { name: "fast" });
 * ```
 */
export function chooseKernels(
  requested: KernelName,
  machine: Machine = THIS_MACHINE,
): { name: KernelName; note?: string } {
  const flag = `--kernels ${requested}`;
  if (requested !== "wasm" && requested !== "wasm-workers") {
    return { name: requested };
  }
  if (!machine.simd) {
    return {
      name: "fast",
      note:
        `this runtime has no WebAssembly SIMD: ${flag} runs on the TypeScript kernels (fast)`,
    };
  }
  if (requested === "wasm-workers" && machine.cores < 2) {
    return {
      name: "wasm",
      note: `one CPU core: ${flag} runs on one thread (wasm)`,
    };
  }
  if (!machine.relaxedSimd) {
    return {
      name: requested,
      note:
        `this runtime has no relaxed SIMD: ${flag} multiplies and adds separately (wasm-plain), so its last bits differ from a fused run's`,
    };
  }
  return { name: requested };
}
