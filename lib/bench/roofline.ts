/**
 * The bench's roofline: the machine's WebAssembly SIMD multiply-add peak
 * (register-only work, one and two threads), and how close the kernels and
 * the kit's training rows come to it.
 *
 * @module
 */

import {
  type BenchRow,
  type GemmMeasurement,
  trainingFlopsPerSample,
} from "./bench.ts";

/** The peak on one and on two threads. */
export interface Peaks {
  /** GFLOPS of one thread. */
  one: number;
  /** GFLOPS of both threads of a `wasm-workers` set. */
  two: number;
}

/** The default network's layer widths. */
const SIZES = [784, 128, 64, 10] as const;

/**
 * Floating-point work of one training image after the kernels skip zero
 * pixels: the first layer's two products (forward and weight gradient) over
 * its nonzero inputs only; the other layers counted dense, so this is an
 * upper bound (about half of the hidden activations are zero too).
 *
 * @param nonzero The fraction of nonzero pixels.
 * @returns FLOPs per image.
 */
export function effectiveFlopsPerSample(nonzero: number): number {
  const firstLayer = 2 * 2 * SIZES[0] * SIZES[1];
  return trainingFlopsPerSample(SIZES) - firstLayer * (1 - nonzero);
}

/** @returns The fraction of nonzero bytes. */
export function nonzeroFraction(images: Uint8Array): number {
  let nonzero = 0;
  for (const pixel of images) if (pixel !== 0) nonzero++;
  return nonzero / images.length;
}

/**
 * The roofline section of the bench's report.
 *
 * @param peaks The measured peaks.
 * @param gemms The product measurements (one core).
 * @param rows The training rows.
 * @param nonzero The training images' fraction of nonzero pixels.
 * @returns Its lines.
 */
export function rooflineLines(
  peaks: Peaks,
  gemms: GemmMeasurement[],
  rows: BenchRow[],
  nonzero: number,
): string[] {
  const percent = (gflops: number, peak: number) =>
    `${(100 * gflops / peak).toFixed(0).padStart(4)}%`;
  const dense = trainingFlopsPerSample(SIZES) * 50000 / 1e9;
  const effective = effectiveFlopsPerSample(nonzero) * 50000 / 1e9;
  const lines = [
    `WebAssembly SIMD multiply-add peak: ${
      peaks.one.toFixed(1)
    } GFLOPS on one thread, ` +
    `${peaks.two.toFixed(1)} on two`,
    ...gemms.map((g) =>
      `  ${g.kernels.padEnd(10)} ${g.input.padEnd(6)} product ${
        g.gflops.toFixed(1).padStart(6)
      } ${g.input === "mnist" ? "effective " : ""}GFLOPS ${
        percent(g.gflops, peaks.one)
      } of one thread's peak`
    ),
    `Work per epoch: ${dense.toFixed(1)} GFLOP dense, at most ${
      effective.toFixed(1)
    } after skipping zero pixels (${(100 * nonzero).toFixed(0)}% nonzero)`,
  ];
  for (const r of rows) {
    if (r.kind !== "kit" || r.status !== "ok" || r.dtype !== "f32") continue;
    const peak = r.implementation.includes("workers") ? peaks.two : peaks.one;
    const gflops = effective / r.median;
    lines.push(
      `  ${r.implementation.padEnd(28)} ${gflops.toFixed(1).padStart(6)} ` +
        `effective GFLOPS ${percent(gflops, peak)} of its threads' peak`,
    );
  }
  return lines;
}
