/**
 * Every matrix-kernel implementation by name: the one place a new one plugs
 * in, and what `--kernels` chooses from.
 *
 * @module
 */

import { fastKernels, type Kernels, referenceKernels } from "./gemm.ts";
import { wasmKernels } from "./wasm/kernels.ts";

/** The names `--kernels` accepts. */
export const KERNEL_NAMES = ["reference", "fast", "wasm"] as const;

/** `"reference"`, `"fast"` or `"wasm"`. */
export type KernelName = typeof KERNEL_NAMES[number];

/**
 * @param name Which implementation.
 * @returns Its kernels (the WebAssembly ones are instantiated on first use).
 */
export function kernelsByName(name: KernelName): Kernels {
  switch (name) {
    case "reference":
      return referenceKernels;
    case "fast":
      return fastKernels;
    case "wasm":
      return wasmKernels();
  }
}
