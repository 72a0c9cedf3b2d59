/**
 * The parts of `deno task bench` that run whole programs: the readable
 * solutions' training, one complete default `deno task train`, the
 * full-batch recipe, and the bar chart of the comparison.
 *
 * @module
 */

import { join } from "node:path";
import { type BenchRow, benchRow, skippedRow } from "./bench.ts";
import { benchPeer, fullBatchPeerRuns } from "./peers.ts";
import { FULL_BATCH_PRESET } from "../cli/train_args.ts";
import type { KernelName } from "../kernels/registry.ts";
import type { DType } from "../base/tensor.ts";
import { renderSvg } from "../report/charts.ts";

const TRAIN_SCRIPT = new URL("../../bin/train.ts", import.meta.url).pathname;

/**
 * The V8 flag that drops WebAssembly's bounds checks, for one measurement
 * only (`benchKitRun`'s unchecked row): Deno 2.9 installs no WebAssembly
 * trap handler, so V8 checks every load and store of the kernels in
 * software, where Node and browsers catch stray accesses with guard pages
 * for free. Unsafe: a wrong pointer would then corrupt memory instead of
 * trapping. Never used by `deno task train`.
 */
export const UNCHECKED_V8_FLAGS: readonly string[] = [
  "--no-wasm-bounds-checks",
];

/**
 * Runs `bin/train.ts` with `args` plus `--quiet --out TMP` (and `v8Flags`
 * for V8); returns its metrics.json.
 */
async function trainRun(
  args: readonly string[],
  v8Flags: readonly string[] = [],
): Promise<{ metrics: Record<string, unknown>; wallSeconds: number }> {
  const out = join(await Deno.makeTempDir(), "run");
  const started = performance.now();
  const v8 = v8Flags.length ? [`--v8-flags=${v8Flags.join(",")}`] : [];
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...v8, TRAIN_SCRIPT, ...args, "--quiet", "--out", out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.code > 1) throw new Error(new TextDecoder().decode(child.stderr));
  const metrics = JSON.parse(
    await Deno.readTextFile(join(out, "metrics.json")),
  );
  await Deno.remove(join(out, ".."), { recursive: true });
  return { metrics, wallSeconds };
}

/**
 * `deno task train` with `args` (the default run cut to a few epochs, or a
 * few full-batch steps) in a fresh process: the same work an epoch, for
 * timing only.
 *
 * @param v8Flags For the unchecked measurement ({@link UNCHECKED_V8_FLAGS}).
 * @returns Each epoch's training seconds.
 */
export async function kitEpochSeconds(
  args: readonly string[],
  v8Flags: readonly string[] = [],
): Promise<number[]> {
  const { metrics } = await trainRun(args, v8Flags);
  return (metrics.epochs as { seconds: number }[]).map((e) => e.seconds);
}

/**
 * Times the kit as `deno task train --kernels K --dtype D` runs: that very
 * command in a fresh process, all 15 epochs of the default recipe, each
 * epoch's training seconds from its metrics.json. `deno task train` does
 * not measure the test set after every epoch, so "to 97%" counts epochs
 * until the validation accuracy reached it.
 *
 * @param kernels Which kernel set.
 * @param dtype The float type.
 * @param target The accuracy that counts for `secondsToTarget`.
 * @param unchecked Run it with {@link UNCHECKED_V8_FLAGS}: what the same
 * code would take without Deno's software bounds checks (a row of its own,
 * for measurement).
 * @returns The row, or a skipped row saying what failed.
 */
export async function benchKitRun(
  kernels: KernelName,
  dtype: DType,
  target: number,
  unchecked = false,
): Promise<BenchRow> {
  const name = `lib ${kernels}${unchecked ? ", unchecked (unsafe)" : ""}`;
  try {
    const { metrics } = await trainRun(
      ["--kernels", kernels, "--dtype", dtype],
      unchecked ? UNCHECKED_V8_FLAGS : [],
    );
    const epochs = metrics.epochs as {
      seconds: number;
      val_accuracy: number;
    }[];
    const row = benchRow(
      name,
      dtype,
      epochs.map((e) => e.seconds),
      epochs.map((e) => e.val_accuracy),
      target,
    );
    row.note = unchecked
      ? `measurement only: deno run --v8-flags=${
        UNCHECKED_V8_FLAGS.join(",")
      } bin/train.ts; accuracy: validation`
      : "deno task train in a fresh process; accuracy: validation";
    return row;
  } catch (error) {
    return skippedRow(
      name,
      dtype,
      (error as Error).message.split("\n")[0],
      "kit",
    );
  }
}

/**
 * Times the readable reference solutions (`--impl solutions`, plain f64
 * loops, no zero skipping in the solutions' own matmul) for a few epochs.
 *
 * @param epochs How many epochs to time.
 * @returns The row (no per-epoch test accuracy: the solutions report only
 * the final one).
 */
export async function benchSolutions(epochs: number): Promise<BenchRow> {
  try {
    const { metrics } = await trainRun([
      "--impl",
      "solutions",
      "--epochs",
      String(epochs),
    ]);
    const seconds = (metrics.epochs as { seconds: number }[]).map((e) =>
      e.seconds
    );
    const row = benchRow(
      "solutions (readable TypeScript)",
      "f64",
      seconds,
      [],
      0.97,
    );
    row.note = `${epochs} epochs of its own schedule`;
    row.kind = "kit";
    return row;
  } catch (error) {
    return skippedRow(
      "solutions (readable TypeScript)",
      "f64",
      (error as Error).message.split("\n")[0],
      "kit",
    );
  }
}

/** What one whole default run cost. */
export interface WholeRun {
  /** From launch to exit, loading and report included. */
  wallSeconds: number;
  /** Training only. */
  trainSeconds: number;
  /** Peak resident memory of the training process. */
  peakRssMiB: number | null;
  /** The run's test accuracy. */
  testAccuracy: number;
}

/** @returns The cost of one `deno task train --quiet` in a fresh process. */
export async function benchWholeRun(): Promise<WholeRun> {
  const { metrics, wallSeconds } = await trainRun([]);
  const rss = metrics.peak_rss_bytes as number | null;
  return {
    wallSeconds,
    trainSeconds: metrics.train_seconds as number,
    peakRssMiB: rss === null ? null : rss / 2 ** 20,
    testAccuracy: metrics.test_accuracy as number,
  };
}

/** The full-batch recipe's steps (`--full-batch`'s epochs). */
const FULL_BATCH_STEPS = FULL_BATCH_PRESET.epochs!;

/** One implementation's time for the full-batch recipe. */
export interface FullBatchResult {
  /** E.g. `"numpy (2 threads)"`. */
  implementation: string;
  /** `"f32"` or `"f64"`. */
  dtype: "f32" | "f64";
  /** Training seconds for the 300 steps, or `null` when it did not run. */
  seconds: number | null;
  /** Final test accuracy, or `null` when it did not run. */
  testAccuracy: number | null;
  /** Why it did not run. */
  note?: string;
}

/**
 * Times the original project's recipe (`--full-batch`: 300 steps over all
 * 50,000 images) with the kit, NumPy and Eigen, each in f32 and f64 (the
 * peers on two threads, their faster setting for products this large),
 * where present.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @returns One result per implementation and dtype.
 */
export async function benchFullBatch(
  peersDir: string,
  dataDir: string,
): Promise<FullBatchResult[]> {
  const results: FullBatchResult[] = [];
  for (const dtype of ["f32", "f64"] as const) {
    const { metrics } = await trainRun(["--full-batch", "--dtype", dtype]);
    results.push({
      implementation: "lib wasm-workers",
      dtype,
      seconds: metrics.train_seconds as number,
      testAccuracy: metrics.test_accuracy as number,
    });
  }
  const fromRow = (row: BenchRow): FullBatchResult => ({
    implementation: row.implementation,
    dtype: row.dtype,
    seconds: row.status === "ok"
      ? row.epochSeconds.reduce((a, b) => a + b, 0)
      : null,
    testAccuracy: row.testAccuracy.at(-1) ?? null,
    note: row.note,
  });
  const build = await Deno.makeTempDir();
  for (const dtype of ["f32", "f64"] as const) {
    const { runs, missing } = await fullBatchPeerRuns(
      peersDir,
      dataDir,
      dtype,
      FULL_BATCH_STEPS,
      build,
    );
    for (const run of runs) {
      const row = await benchPeer(
        run.implementation,
        dtype,
        run.command,
        2,
        run.env,
      );
      results.push(fromRow(row));
    }
    for (const { implementation, note } of missing) {
      results.push(fromRow(skippedRow(implementation, dtype, note)));
    }
  }
  await Deno.remove(build, { recursive: true });
  return results;
}

/**
 * Draws seconds per epoch of every row that ran, as horizontal bars.
 *
 * @param rows The comparison.
 * @param machine Named in the title.
 * @returns An SVG document.
 */
export async function benchChartSvg(
  rows: BenchRow[],
  machine: string,
): Promise<string> {
  const values = rows.filter((r) => r.status === "ok").map((r) => ({
    implementation: `${r.implementation} ${r.dtype}`,
    seconds: r.median,
  }));
  return await renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: "Seconds per epoch (median), 784-128-64-10, batch 64",
      subtitle: machine,
    },
    width: 520,
    data: { values },
    mark: { type: "bar", color: "#4c78a8" },
    encoding: {
      y: {
        field: "implementation",
        type: "nominal",
        sort: "x",
        title: null,
        axis: { labelLimit: 300 },
      },
      x: {
        field: "seconds",
        type: "quantitative",
        title: "seconds per epoch (shorter is faster)",
      },
    },
  });
}
