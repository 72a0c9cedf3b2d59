/**
 * A kernel set: what the layers, the optimizer and the batcher are handed.
 * The products are required; the elementwise and optimizer kernels are
 * optional fast paths, so the TypeScript products alone are a complete set.
 *
 * @module
 */

import type { MatrixKernels } from "./gemm.ts";
import type { ElementwiseKernels } from "./elementwise.ts";
import type { OptimizerKernels } from "./optimizer_kernels.ts";

/**
 * The three products ({@link MatrixKernels}), plus whichever
 * {@link ElementwiseKernels} and {@link OptimizerKernels} the
 * implementation has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * import { referenceKernels } from "@mnist-from-scratch/kit";
 *
 * // The products are required; elementwise and optimizer helpers are optional,
 * // and the layers run their own loops where a set leaves them out.
 * const kernels: Kernels = referenceKernels;
 * assert.equal(kernels.addRowVector, undefined);
 * ```
 */
export interface Kernels
  extends
    MatrixKernels,
    Partial<ElementwiseKernels>,
    Partial<OptimizerKernels> {}
