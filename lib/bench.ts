/**
 * Measurements behind `deno task bench`: matrix-product throughput and
 * seconds per training epoch, measured side by side in one process so the
 * ratios compare like with like on a shared, noisy machine.
 *
 * @module
 */

import { fitNormalizer, splitTrainValidation, toTensor } from "./dataset.ts";
import type { Kernels } from "./gemm.ts";
import type { Mnist } from "./mnist.ts";
import { Rng } from "./rng.ts";
import { allocate, type DType, type FloatArray } from "./tensor.ts";
import { DEFAULT_CONFIG, train, type TrainConfig } from "./train.ts";

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
 * images, or dense normals) and a random `b` = `[k, n]`.
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

/** Seconds per epoch of one configuration. */
export interface EpochMeasurement {
  /** `"f32"` or `"f64"`. */
  dtype: DType;
  /** Each epoch's training seconds. */
  epochSeconds: number[];
  /** Their median. */
  median: number;
  /** Training images per second at the median. */
  samplesPerSecond: number;
}

/**
 * Trains the default network for a few epochs and times each one.
 *
 * @param mnist The data.
 * @param dtype The float type.
 * @param epochs How many epochs to time.
 * @param kernels The matrix products to use.
 * @returns Each epoch's seconds and their median.
 */
export async function measureEpochs(
  mnist: Mnist,
  dtype: DType,
  epochs: number,
  kernels?: Kernels,
): Promise<EpochMeasurement> {
  const { train: trainSet, validation } = splitTrainValidation(mnist.train);
  const config: TrainConfig = { ...DEFAULT_CONFIG, dtype, epochs };
  const result = await train(
    {
      train: trainSet,
      validation,
      test: mnist.test,
      normalizer: fitNormalizer(trainSet),
    },
    config,
    {},
    kernels,
  );
  const epochSeconds = result.epochs.map((e) => e.seconds);
  const median =
    [...epochSeconds].sort((x, y) =>
      x - y
    )[Math.floor(epochSeconds.length / 2)];
  return {
    dtype,
    epochSeconds,
    median,
    samplesPerSecond: trainSet.count / median,
  };
}
