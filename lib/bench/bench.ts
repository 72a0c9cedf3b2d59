/**
 * Measurements behind `deno task bench`: the same network trained by each
 * implementation (the kit's TypeScript and WebAssembly kernels, the readable
 * solutions, NumPy, C++/Eigen) and matrix-product throughput, measured side
 * by side in one run so the ratios compare like with like on a shared,
 * noisy machine.
 *
 * @module
 */

import { join } from "node:path";
import {
  fitNormalizer,
  splitTrainValidation,
  toTensor,
} from "../data/dataset.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import { type KernelName, kernelsByName } from "../kernels/registry.ts";
import type { Mnist } from "../data/mnist.ts";
import { Rng } from "../base/rng.ts";
import { allocate, type DType, type FloatArray } from "../base/tensor.ts";
import {
  DEFAULT_CONFIG,
  evaluate,
  train,
  type TrainConfig,
} from "../train/train.ts";

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
  const median = sorted.length % 2
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const reached = testAccuracy.findIndex((a) => a >= target);
  return {
    implementation,
    dtype,
    status: "ok",
    epochSeconds,
    testAccuracy,
    median,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    samplesPerSecond: TRAIN_IMAGES / median,
    gflops: (trainingFlopsPerSample([784, 128, 64, 10]) * TRAIN_IMAGES) /
      median / 1e9,
    secondsToTarget: reached < 0
      ? null
      : epochSeconds.slice(0, reached + 1).reduce((a, b) => a + b, 0),
  };
}

/**
 * @param implementation The row's name.
 * @param dtype Its float type.
 * @param note Why it did not run.
 * @returns A row marked skipped.
 */
export function skippedRow(
  implementation: string,
  dtype: DType,
  note: string,
): BenchRow {
  return {
    implementation,
    dtype,
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

/**
 * Trains the default network (its 15-epoch schedule) with the kit's own
 * kernels, checking the test accuracy after every epoch (not timed).
 *
 * @param mnist The data.
 * @param kernels Which kernels.
 * @param dtype The float type.
 * @param protocol When to stop.
 * @returns The row.
 */
export async function benchKit(
  mnist: Mnist,
  kernels: KernelName,
  dtype: DType,
  protocol: BenchProtocol,
): Promise<BenchRow> {
  const { train: trainSet, validation } = splitTrainValidation(mnist.train);
  const normalizer = fitNormalizer(trainSet);
  const config: TrainConfig = { ...DEFAULT_CONFIG, dtype };
  const testAccuracy: number[] = [];
  const result = await train(
    { train: trainSet, validation, test: mnist.test, normalizer },
    config,
    {
      onEpoch(metrics, model) {
        testAccuracy.push(evaluate(model, mnist.test, normalizer).accuracy);
        const done = testAccuracy.at(-1)! >= protocol.target &&
          metrics.epoch >= 3;
        return !(done || metrics.epoch >= protocol.maxEpochs);
      },
    },
    kernelsByName(kernels),
  );
  const name = kernels === "wasm" && dtype === "f64"
    ? "lib wasm (f64: TypeScript fallback)"
    : `lib ${kernels}`;
  return benchRow(
    name,
    dtype,
    result.epochs.map((e) => e.seconds),
    testAccuracy,
    protocol.target,
  );
}

/**
 * Runs a peer program that prints `{epoch_seconds, test_accuracy}` JSON.
 *
 * @param implementation The row's name.
 * @param dtype Its float type.
 * @param command The program and its arguments.
 * @param target The accuracy that counts for `secondsToTarget`.
 * @param env Extra environment variables.
 * @returns The row, or a skipped row saying what failed.
 */
export async function benchPeer(
  implementation: string,
  dtype: DType,
  command: string[],
  target: number,
  env: Record<string, string> = {},
): Promise<BenchRow> {
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    env,
    stdout: "piped",
    stderr: "piped",
  }).output().catch((error: Error) => error);
  if (output instanceof Error) {
    return skippedRow(implementation, dtype, output.message);
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n")
      .at(-1);
    return skippedRow(
      implementation,
      dtype,
      `exited with ${output.code}: ${stderr}`,
    );
  }
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  return benchRow(
    implementation,
    dtype,
    result.epoch_seconds,
    result.test_accuracy,
    target,
  );
}

/** @returns Whether a command runs successfully. */
async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

/**
 * The NumPy rows (`bench/peers/numpy_mlp.py`): f32 and f64, with OpenBLAS's
 * default threads (both cores) and with one thread (like the kit's `wasm`).
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Four rows, skipped with a reason when NumPy is missing.
 */
export async function benchNumpy(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const available = await succeeds("python3", ["-c", "import numpy"]);
  for (
    const [threads, env] of [["2 threads", {}], ["1 thread", {
      OPENBLAS_NUM_THREADS: "1",
      OMP_NUM_THREADS: "1",
    }]] as const
  ) {
    for (const dtype of ["f32", "f64"] as const) {
      const name = `numpy (${threads})`;
      rows.push(
        available
          ? await benchPeer(
            name,
            dtype,
            [
              "python3",
              join(peersDir, "numpy_mlp.py"),
              dataDir,
              dtype,
              String(protocol.maxEpochs),
              String(protocol.target),
            ],
            protocol.target,
            env,
          )
          : skippedRow(
            name,
            dtype,
            "python3 with NumPy not found (pip install numpy)",
          ),
      );
    }
  }
  return rows;
}

/**
 * Builds `bench/peers/eigen_mlp.cpp` with `g++ -O3 -march=native`.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dtype `"f64"` builds with `-DUSE_DOUBLE`.
 * @param buildDir Where the binary goes.
 * @returns The binary's path, or `null` when the build failed.
 */
export async function buildEigenPeer(
  peersDir: string,
  dtype: DType,
  buildDir: string,
): Promise<string | null> {
  const binary = join(buildDir, `eigen_${dtype}`);
  const flags = [
    "-O3",
    "-march=native",
    "-DNDEBUG",
    `-I${EIGEN_INCLUDE}`,
    ...(dtype === "f64" ? ["-DUSE_DOUBLE"] : []),
  ];
  return await succeeds("g++", [
      ...flags,
      join(peersDir, "eigen_mlp.cpp"),
      "-o",
      binary,
    ])
    ? binary
    : null;
}

/** Where Debian's libeigen3-dev puts the headers. */
export const EIGEN_INCLUDE = "/usr/include/eigen3";

/**
 * The C++/Eigen rows (`bench/peers/eigen_mlp.cpp`), built with
 * `g++ -O3 -march=native` into a temporary folder, f32 and f64.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Two rows, skipped with a reason when g++ or Eigen is missing.
 */
export async function benchEigen(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const hasCompiler = await succeeds("g++", ["--version"]);
  const hasEigen = await Deno.stat(join(EIGEN_INCLUDE, "Eigen/Dense")).then(
    () => true,
    () => false,
  );
  const build = await Deno.makeTempDir();
  for (const dtype of ["f32", "f64"] as const) {
    const name = "c++ eigen -O3";
    if (!hasCompiler || !hasEigen) {
      rows.push(
        skippedRow(
          name,
          dtype,
          "needs g++ and Eigen headers (apt-get install -y g++ libeigen3-dev)",
        ),
      );
      continue;
    }
    const binary = await buildEigenPeer(peersDir, dtype, build);
    if (binary === null) {
      rows.push(
        skippedRow(
          name,
          dtype,
          "g++ failed to build bench/peers/eigen_mlp.cpp",
        ),
      );
      continue;
    }
    rows.push(
      await benchPeer(name, dtype, [
        binary,
        dataDir,
        String(protocol.maxEpochs),
        String(protocol.target),
      ], protocol.target),
    );
  }
  await Deno.remove(build, { recursive: true });
  return rows;
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
 * Renders the comparison as a fixed-width table, with each row's time per
 * epoch as a ratio to the fastest row's.
 *
 * @param rows The rows.
 * @returns The table's lines.
 */
export function formatBenchTable(rows: BenchRow[]): string {
  const ran = rows.filter((r) => r.status === "ok");
  const fastest = Math.min(...ran.map((r) => r.median));
  const header = [
    "implementation".padEnd(38),
    "dtype",
    "s/epoch (min-max)".padStart(20),
    "img/s".padStart(8),
    "GFLOPS".padStart(7),
    "to 97%".padStart(8),
    "ratio".padStart(6),
  ].join("  ");
  const lines = [header, "-".repeat(header.length)];
  for (const r of rows) {
    if (r.status === "skipped") {
      lines.push(
        `${r.implementation.padEnd(38)}  ${r.dtype}   skipped: ${r.note}`,
      );
      continue;
    }
    lines.push([
      r.implementation.padEnd(38),
      r.dtype.padEnd(5),
      `${r.median.toFixed(3)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`
        .padStart(20),
      Math.round(r.samplesPerSecond).toString().padStart(8),
      r.gflops.toFixed(1).padStart(7),
      (r.secondsToTarget === null ? "-" : `${r.secondsToTarget.toFixed(1)} s`)
        .padStart(8),
      `${(r.median / fastest).toFixed(2)}x`.padStart(6),
    ].join("  "));
  }
  return lines.join("\n");
}
