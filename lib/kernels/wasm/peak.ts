/**
 * The machine's WebAssembly SIMD multiply-add peak, on the threads of a
 * kernel set: the roof of the bench's roofline.
 *
 * @module
 */

import { JOB } from "./protocol.ts";
import type { Threads } from "./threads.ts";

/** Multiply-adds of the peak loop per trip: 8 vectors of 4 lanes, 2 flops each. */
const FLOPS_PER_TRIP = 64;

/**
 * Runs `trips` trips of the register-only multiply-add loop (`peak` in
 * gemm.wat), split between the threads when there is a worker, `repeats`
 * times.
 *
 * @returns The best GFLOPS.
 */
export function measurePeak(
  threads: Threads,
  trips: number,
  repeats: number,
): number {
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    threads.splitRows(JOB.peak, trips, true, (_, count, scratch) => [
      count,
      scratch,
    ]);
    const seconds = (performance.now() - started) / 1000;
    best = Math.max(best, (trips * FLOPS_PER_TRIP) / seconds / 1e9);
  }
  return best;
}
