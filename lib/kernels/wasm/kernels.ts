/**
 * The WebAssembly SIMD kernels (`gemm.wat`) as a kernel set, put
 * together from their parts: the memory they share ({@link Arena}, in
 * arena.ts), the thread split (threads.ts, over the worker protocol in
 * protocol.ts and worker.ts), and one module per kernel family: the
 * products (products.ts), the elementwise loops (elementwise.ts) and the
 * SGD step (sgd.ts).
 *
 * Every kernel runs in f32 and in f64 (f64x2 SIMD: two lanes a vector
 * instead of four). The elementwise and SGD kernels return `false` on
 * arrays outside the memory or of mixed types, so that the layers, the
 * batcher and the optimizer use their own loops.
 *
 * @module
 */

import type { MatrixKernels } from "../gemm.ts";
import type { ElementwiseKernels } from "../elementwise.ts";
import type { OptimizerKernels } from "../optimizer_kernels.ts";
import { Arena, MiB } from "./arena.ts";
import { instantiate, RELAXED_SIMD_AVAILABLE } from "./module.ts";
import { WasmElementwise } from "./elementwise.ts";
import { WasmLoss } from "./loss.ts";
import { WasmProducts } from "./products.ts";
import { WasmOptimizer } from "./sgd.ts";
import { Threads } from "./threads.ts";
import { measurePeak } from "./peak.ts";

export { RELAXED_SIMD_AVAILABLE };

/**
 * Options for {@link createWasmKernels}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const options: WasmKernelOptions = { worker: false };
 * const kernels = createWasmKernels(options);
 * assert.ok(kernels.name.startsWith("wasm"));
 * ```
 */
export interface WasmKernelOptions {
  /** Use relaxed SIMD (fused multiply-add) where the runtime has it; default true. */
  relaxed?: boolean;
  /**
   * Bytes for tensors allocated through `allocate`; default 1 GiB, enough
   * for a full batch of 50,000 images in f64 and the index of its nonzeros
   * (about 910 MiB). Reserved, not used: pages cost memory only once
   * written.
   */
  arenaBytes?: number;
  /** Bytes of each scratch region for copied operands; default 16 MiB. */
  scratchBytes?: number;
  /**
   * Run large products and SGD updates on two threads: a Worker takes half
   * of each (see products.ts for how they are split). Default false. Row
   * splits give identical results; a split along a product's inner
   * dimension adds two partial sums, which can move the last bits, the same
   * way on every run.
   */
  worker?: boolean;
  /**
   * The smallest product, in multiply-adds (`m·k·n`), worth splitting:
   * below it the hand-off costs more than it saves. Default 2^18 (the
   * second layer's products at batch 64, 2^19, gain a little from it).
   */
  splitThreshold?: number;
}

/**
 * The kernels plus what a benchmark wants to know about them: every
 * product, elementwise and optimizer kernel is there (the last two return
 * `false` on arrays outside the memory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const kernels: WasmKernels = wasmKernels();
 * const a = kernels.allocate!("f32", 2);
 * const b = kernels.allocate!("f32", 2);
 * const out = kernels.allocate!("f32", 1);
 * a.set([1, 2]);
 * b.set([3, 4]);
 * kernels.ab(a, b, out, 1, 2, 1);
 * assert.equal(out[0], 11);
 * ```
 */
export interface WasmKernels
  extends MatrixKernels, ElementwiseKernels, OptimizerKernels {
  /** Whether the relaxed-SIMD build is in use. */
  readonly relaxed: boolean;
  /** See {@link MatrixKernels.atbAbt}: declines without a worker. */
  readonly atbAbt: NonNullable<MatrixKernels["atbAbt"]>;
  /** See {@link MatrixKernels.freeze}: arrays outside the memory are not frozen. */
  readonly freeze: NonNullable<MatrixKernels["freeze"]>;
  /** Stops the worker thread, if any; the kernels stay usable on one thread. */
  dispose(): void;
  /**
   * Measures the SIMD multiply-add peak of this set's threads (both, with
   * a worker): register-only work, no memory traffic.
   *
   * @returns GFLOPS, the best of three runs of 2^24 loop trips.
   */
  peakGflops(): number;
}

/**
 * Instantiates the kernels in a fresh memory (about 1.1 GiB reserved by
 * default; pages count toward memory use only once touched).
 *
 * @param options Relaxed SIMD, arena and scratch sizes, a worker thread.
 * @returns Kernels named `"wasm"` (`"wasm-plain"` without relaxed SIMD),
 * with `-workers` appended when a worker thread shares the work.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // One thread here; { worker: true } shares the products with a second core.
 * const kernels = createWasmKernels({ worker: false });
 * const out = new Float32Array(2);
 * kernels.ab(
 *   new Float32Array([1, 0, 2, 0, 3, 0]),
 *   new Float32Array([1, 1, 1]),
 *   out,
 *   2,
 *   3,
 *   1,
 * );
 * assert.deepEqual([...out], [3, 3]);
 * ```
 */
export function createWasmKernels(
  options: WasmKernelOptions = {},
): WasmKernels {
  const relaxed = (options.relaxed ?? true) && RELAXED_SIMD_AVAILABLE;
  const worker = options.worker ?? false;
  const arena = new Arena({
    arenaBytes: options.arenaBytes ?? 1024 * MiB,
    scratchBytes: options.scratchBytes ?? 16 * MiB,
    worker,
  });
  const wasm = instantiate(arena.memory, relaxed);
  const threads = new Threads(arena, wasm, relaxed, worker);
  const products = new WasmProducts(
    arena,
    threads,
    wasm,
    options.splitThreshold ?? 2 ** 18,
  );
  const elementwise = new WasmElementwise(arena, threads, wasm);
  const optimizer = new WasmOptimizer(arena, threads);
  return {
    name: (relaxed ? "wasm" : "wasm-plain") + (worker ? "-workers" : ""),
    relaxed,
    dispose: () => threads.dispose(),
    peakGflops: () => measurePeak(threads, 2 ** 24, 3),
    allocate: (dtype, length) => arena.allocate(dtype, length),
    ab: products.ab,
    atb: products.atb,
    abt: products.abt,
    atbAbt: products.atbAbt,
    freeze: products.freeze,
    addRowVector: elementwise.addRowVector,
    sumRows: elementwise.sumRows,
    relu: elementwise.relu,
    reluBackward: elementwise.reluBackward,
    placeBytes: elementwise.placeBytes,
    gatherScaled: elementwise.gatherScaled,
    gatherScaledLater: elementwise.gatherScaledLater,
    softmaxCrossEntropy: new WasmLoss(arena, threads).softmaxCrossEntropy,
    sgdStep: optimizer.sgdStep,
  };
}

let shared: WasmKernels | null = null;

/**
 * The single-threaded WebAssembly kernels, shared by everything in the process.
 *
 * @returns One shared instance, created on first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // The one-thread set, made once and shared.
 * assert.equal(wasmKernels(), wasmKernels());
 * ```
 */
export function wasmKernels(): WasmKernels {
  shared ??= createWasmKernels();
  return shared;
}
