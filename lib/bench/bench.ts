/**
 * Measurements behind `deno task bench`: the same network trained by each
 * implementation (the kit's TypeScript and WebAssembly kernels, the readable
 * solutions, NumPy, C++/Eigen) and matrix-product throughput, measured side
 * by side in one run so the ratios compare like with like on a shared,
 * noisy machine.
 *
 * @module
 */

import { fitNormalizer, toTensor } from "../data/dataset.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import type { Mnist } from "../data/mnist.ts";
import { Rng } from "../base/rng.ts";
import { allocate, type DType, type FloatArray } from "../base/tensor.ts";

/**
 * Floating-point operations of one training step per image, counting the
 * three products per layer as dense (`2·in·out` each: forward, weight
 * gradient, and input gradient for all but the first layer).
 *
 * @param sizes Layer widths, e.g. `[784, 128, 64, 10]`.
 * @returns FLOPs per training image (454,400 for the default network).
 */
export function trainingFlopsPerSample(sizes: readonly number[]): number {
  let flops = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const product = 2 * sizes[l] * sizes[l + 1];
    flops += l === 0 ? 2 * product : 3 * product;
  }
  return flops;
}

/** One row of the comparison: an implementation in one dtype. */
export interface BenchRow {
  /** E.g. `"lib wasm"`, `"numpy (2 threads)"`. */
  implementation: string;
  /** `"f32"` or `"f64"`. */
  dtype: DType;
  /** The kit's own, or a peer (ratios are against the fastest peer). */
  kind: "kit" | "peer";
  /** Whether it ran. */
  status: "ok" | "skipped";
  /** Why it was skipped, or what to know about it. */
  note?: string;
  /** Training seconds of each epoch. */
  epochSeconds: number[];
  /** Test accuracy after each epoch (may be empty when not measured). */
  testAccuracy: number[];
  /** Median, fastest and slowest epoch. */
  median: number;
  /** Fastest epoch. */
  min: number;
  /** Slowest epoch. */
  max: number;
  /** Training images per second at the median. */
  samplesPerSecond: number;
  /** Nominal dense GFLOPS at the median (see {@link trainingFlopsPerSample}). */
  gflops: number;
  /** Training seconds until the test accuracy first reached the target. */
  secondsToTarget: number | null;
}

const TRAIN_IMAGES = 50000;

/**
 * The median of numbers already sorted in ascending order (the mean of the
 * middle two for an even count).
 *
 * @returns The median, or NaN for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(median([1, 2, 9]), 2);
 * assert.equal(median([1, 2, 4, 9]), 3);
 * ```
 */
export function median(sorted: readonly number[]): number {
  const half = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2
    ? sorted[half]
    : (sorted[half - 1] + sorted[half]) / 2;
}

/**
 * Builds a row from measured epochs.
 *
 * @param implementation The row's name.
 * @param dtype Its float type.
 * @param epochSeconds Each epoch's training time.
 * @param testAccuracy Test accuracy after each epoch.
 * @param target The accuracy that counts for `secondsToTarget`.
 * @returns The row with its statistics.
 */
export function benchRow(
  implementation: string,
  dtype: DType,
  epochSeconds: number[],
  testAccuracy: number[],
  target: number,
): BenchRow {
  const sorted = [...epochSeconds].sort((x, y) => x - y);
  const middle = median(sorted);
  const reached = testAccuracy.findIndex((a) => a >= target);
  return {
    implementation,
    dtype,
    kind: "kit",
    status: "ok",
    epochSeconds,
    testAccuracy,
    median: middle,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    samplesPerSecond: TRAIN_IMAGES / middle,
    gflops: (trainingFlopsPerSample([784, 128, 64, 10]) * TRAIN_IMAGES) /
      middle / 1e9,
    secondsToTarget: reached < 0
      ? null
      : epochSeconds.slice(0, reached + 1).reduce((a, b) => a + b, 0),
  };
}

/**
 * @param implementation The row's name.
 * @param dtype Its float type.
 * @param note Why it did not run.
 * @param kind The kit's own row or a peer's.
 * @returns A row marked skipped.
 */
export function skippedRow(
  implementation: string,
  dtype: DType,
  note: string,
  kind: BenchRow["kind"] = "peer",
): BenchRow {
  return {
    implementation,
    dtype,
    kind,
    status: "skipped",
    note,
    epochSeconds: [],
    testAccuracy: [],
    median: NaN,
    min: NaN,
    max: NaN,
    samplesPerSecond: NaN,
    gflops: NaN,
    secondsToTarget: null,
  };
}

/** How long each implementation trains. */
export interface BenchProtocol {
  /** Stop after this many epochs at the most. */
  maxEpochs: number;
  /** Stop once the test accuracy reaches this (after at least 3 epochs). */
  target: number;
}

/** One timed matrix product. */
export interface GemmMeasurement {
  /** Which kernels. */
  kernels: string;
  /** What `a` held: `"mnist"` (81% zeros) or `"dense"` random values. */
  input: "mnist" | "dense";
  /** Seconds for one `[m,k]·[k,n]` product (best of the repeats). */
  seconds: number;
  /** `2·m·k·n / seconds / 1e9`: nominal GFLOPS, zeros skipped or not. */
  gflops: number;
}

/**
 * Times `out = a · b` for `a` = `[m, k]` (the first `m` MNIST training
 * images, or dense normals) and a random `b` = `[k, n]`, all ordinary
 * arrays (the WebAssembly kernels copy them in, and that is timed too).
 *
 * @param kernels The implementation to time.
 * @param options Shape, input kind, repeats and the data.
 * @returns The best time of `repeats` and its GFLOPS.
 */
export function measureGemm(
  kernels: Kernels,
  options: {
    m: number;
    k: number;
    n: number;
    input: "mnist" | "dense";
    repeats: number;
    mnist: Mnist;
  },
): GemmMeasurement {
  const { m, k, n } = options;
  const rng = new Rng(1);
  let a: FloatArray;
  if (options.input === "mnist") {
    const set = options.mnist.train;
    a = toTensor(set, 0, m, fitNormalizer(set), "f32").data;
  } else {
    a = allocate("f32", m * k);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  }
  const b = allocate("f32", k * n);
  for (let i = 0; i < b.length; i++) b[i] = rng.normal(0, 0.05);
  const out = allocate("f32", m * n);
  let best = Infinity;
  for (let r = 0; r < options.repeats; r++) {
    const started = performance.now();
    kernels.ab(a, b, out, m, k, n);
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return {
    kernels: kernels.name,
    input: options.input,
    seconds: best,
    gflops: (2 * m * k * n) / best / 1e9,
  };
}

/**
 * The fastest peer of each float type: what every row's ratio is against.
 *
 * @returns Median seconds per epoch by dtype (absent: no peer ran).
 */
export function fastestPeers(rows: BenchRow[]): Partial<Record<DType, number>> {
  const fastest: Partial<Record<DType, number>> = {};
  for (const r of rows) {
    if (r.kind !== "peer" || r.status !== "ok") continue;
    fastest[r.dtype] = Math.min(fastest[r.dtype] ?? Infinity, r.median);
  }
  return fastest;
}

/**
 * Renders the comparison as a fixed-width table, with each row's time per
 * epoch as a ratio to the fastest peer's in the same float type (below 1:
 * faster than every peer).
 *
 * @param rows The rows.
 * @returns The table's lines.
 */
export function formatBenchTable(rows: BenchRow[]): string {
  const fastest = fastestPeers(rows);
  const header = [
    "implementation".padEnd(38),
    "dtype",
    "s/epoch (min-max)".padStart(20),
    "img/s".padStart(8),
    "GFLOPS".padStart(7),
    "to 97%".padStart(8),
    "vs peer".padStart(7),
  ].join("  ");
  const lines = [header, "-".repeat(header.length)];
  for (const r of rows) {
    if (r.status === "skipped") {
      lines.push(
        `${r.implementation.padEnd(38)}  ${r.dtype}   skipped: ${r.note}`,
      );
      continue;
    }
    const peer = fastest[r.dtype];
    lines.push([
      r.implementation.padEnd(38),
      r.dtype.padEnd(5),
      `${r.median.toFixed(3)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`
        .padStart(20),
      Math.round(r.samplesPerSecond).toString().padStart(8),
      r.gflops.toFixed(1).padStart(7),
      (r.secondsToTarget === null ? "-" : `${r.secondsToTarget.toFixed(1)} s`)
        .padStart(8),
      (peer === undefined ? "-" : `${(r.median / peer).toFixed(2)}x`)
        .padStart(7),
    ].join("  "));
  }
  return lines.join("\n");
}
