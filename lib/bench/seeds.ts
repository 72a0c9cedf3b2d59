/**
 * How many epochs each implementation needs to reach 97% test accuracy,
 * over several seeds (`deno task bench --seeds N`). With one seed, "time
 * to 97%" is mostly luck: the same recipe reaches it after four epochs
 * with one initialization and shuffle and after six with another, and a
 * peer's seed 1 is not the kit's seed 1. Run over seeds 1..N, the counts
 * become a distribution, and the expected time to the target is its mean
 * times each implementation's own seconds per epoch.
 *
 * @module
 */

import type { Mnist } from "../data/mnist.ts";
import { evaluate, mnistTrainData, train } from "../train/train.ts";
import { DEFAULT_CONFIG } from "../train/settings.ts";
import { kernelsByName } from "../kernels/registry.ts";
import type { BenchProtocol, BenchRow } from "./bench.ts";
import { benchPeer, fastPeerRuns, type PeerRun } from "./peers.ts";

/** Every implementation trains at least this many epochs before it may stop. */
export const MIN_EPOCHS = 3;

/**
 * The epoch (1-based) at which training stops under the bench's protocol:
 * the first from {@link MIN_EPOCHS} on whose test accuracy reached the
 * target.
 *
 * @param testAccuracy Test accuracy after each epoch.
 * @returns That epoch, or `null` when none did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // 97% after epoch 2 does not stop training; epoch 4 does.
 * assert.equal(epochsToTarget([0.95, 0.971, 0.969, 0.972], 0.97), 4);
 * assert.equal(epochsToTarget([0.95, 0.96], 0.97), null);
 * ```
 */
export function epochsToTarget(
  testAccuracy: readonly number[],
  target: number,
): number | null {
  for (let epoch = MIN_EPOCHS; epoch <= testAccuracy.length; epoch++) {
    if (testAccuracy[epoch - 1] >= target) return epoch;
  }
  return null;
}

/** One implementation's epochs to the target, seed by seed. */
export interface SeedStudyRow {
  /** The name of its row in the main comparison, e.g. `"lib wasm-workers"`. */
  implementation: string;
  /** For seeds 1..N: epochs to the target, `null` if not within the limit. */
  epochs: (number | null)[];
  /** Why it did not run (then `epochs` is empty). */
  note?: string;
}

/**
 * Trains the kit's default recipe (`deno task train --seed S`: the same
 * code and kernels, so the same numbers) in this process and measures the
 * test set after every epoch, which `deno task train` does not.
 *
 * @param mnist The data.
 * @param protocol When to stop.
 * @param seeds How many seeds, from 1.
 * @returns The kit's row.
 */
export async function kitSeedStudy(
  mnist: Mnist,
  protocol: BenchProtocol,
  seeds: number,
): Promise<SeedStudyRow> {
  const data = mnistTrainData(mnist);
  const kernels = kernelsByName("wasm-workers");
  const epochs: (number | null)[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const accuracies: number[] = [];
    await train(data, { ...DEFAULT_CONFIG, seed }, {
      onEpoch: (_, model) => {
        accuracies.push(evaluate(model, data.test, data.normalizer).accuracy);
        return epochsToTarget(accuracies, protocol.target) === null &&
          accuracies.length < protocol.maxEpochs;
      },
    }, kernels);
    epochs.push(epochsToTarget(accuracies, protocol.target));
  }
  return { implementation: "lib wasm-workers", epochs };
}

/**
 * Runs a peer program once per seed (its `SEED` environment variable).
 *
 * @param run The program, as for its row in the main comparison.
 * @param protocol When to stop.
 * @param seeds How many seeds, from 1.
 * @returns Its row; a seed that fails makes the row skipped, with the reason.
 */
export async function peerSeedStudy(
  run: PeerRun,
  protocol: BenchProtocol,
  seeds: number,
): Promise<SeedStudyRow> {
  const { implementation } = run;
  const epochs: (number | null)[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const row = await benchPeer(implementation, run.dtype, run.command, 0, {
      ...run.env,
      SEED: String(seed),
    });
    if (row.status === "skipped") {
      return { implementation, epochs: [], note: row.note };
    }
    epochs.push(epochsToTarget(row.testAccuracy, protocol.target));
  }
  return { implementation, epochs };
}

/**
 * The whole study, in f32: the kit, then NumPy and C++/Eigen on one and two
 * threads (the fastest peers; PyTorch and TensorFlow.js are left out).
 *
 * @param peersDir The folder holding the peer programs.
 * @param mnist The data (and its folder, for the peers).
 * @param protocol When to stop.
 * @param seeds How many seeds, from 1.
 * @param peers Whether to run the peers too.
 * @returns One row per implementation.
 */
export async function seedStudy(
  peersDir: string,
  mnist: Mnist,
  protocol: BenchProtocol,
  seeds: number,
  peers: boolean,
): Promise<SeedStudyRow[]> {
  const study = [await kitSeedStudy(mnist, protocol, seeds)];
  if (!peers) return study;
  const build = await Deno.makeTempDir();
  const { runs, missing } = await fastPeerRuns(
    peersDir,
    mnist.dir,
    protocol,
    build,
  );
  for (const run of runs) study.push(await peerSeedStudy(run, protocol, seeds));
  for (const { implementation, note } of missing) {
    study.push({ implementation, epochs: [], note });
  }
  await Deno.remove(build, { recursive: true });
  return study;
}

/**
 * Expected training seconds to the target: the first epoch (the kit's is
 * its slowest) plus the mean count's other epochs at the median epoch.
 *
 * @param row The implementation's row in the main comparison.
 * @param meanEpochs The mean over seeds.
 * @returns Seconds, or `null` when the row did not run.
 */
export function expectedSeconds(
  row: BenchRow | undefined,
  meanEpochs: number,
): number | null {
  if (row === undefined || row.status !== "ok") return null;
  return row.epochSeconds[0] + (meanEpochs - 1) * row.median;
}

/**
 * Renders the study: each implementation's epochs by seed, their mean, and
 * the expected seconds to the target with its ratio to the fastest peer's.
 * A seed that never reached the target counts as the epoch limit, so the
 * mean is then a lower bound (marked `≥`).
 *
 * @param study The rows.
 * @param rows The main comparison (f32), for each one's seconds per epoch.
 * @param protocol Its epoch limit and target.
 * @returns The table's lines.
 */
export function formatSeedStudy(
  study: SeedStudyRow[],
  rows: BenchRow[],
  protocol: BenchProtocol,
): string {
  const measured = study.filter((s) => s.epochs.length > 0).map((s) => {
    const counts = s.epochs.map((e) => e ?? protocol.maxEpochs);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const row = rows.find((r) =>
      r.implementation === s.implementation && r.dtype === "f32"
    );
    return { s, mean, seconds: expectedSeconds(row, mean), row };
  });
  const peerSeconds = measured
    .filter((m) => m.row?.kind === "peer" && m.seconds !== null)
    .map((m) => m.seconds!);
  const fastest = peerSeconds.length ? Math.min(...peerSeconds) : null;
  const header = [
    "implementation".padEnd(30),
    "epochs by seed".padEnd(Math.max(14, 3 * (study[0]?.epochs.length ?? 0))),
    "mean".padStart(6),
    "expected".padStart(9),
    "vs peer".padStart(7),
  ].join("  ");
  const lines = [header, "-".repeat(header.length)];
  for (const { s, mean, seconds } of measured) {
    const open = s.epochs.includes(null) ? "≥" : "";
    lines.push([
      s.implementation.padEnd(30),
      s.epochs.map((e) => e === null ? "-" : String(e)).join(" ")
        .padEnd(Math.max(14, 3 * s.epochs.length)),
      `${open}${mean.toFixed(2)}`.padStart(6),
      (seconds === null ? "-" : `${seconds.toFixed(2)} s`).padStart(9),
      (seconds === null || fastest === null
        ? "-"
        : `${(seconds / fastest).toFixed(2)}x`).padStart(7),
    ].join("  "));
  }
  for (const s of study.filter((s) => s.epochs.length === 0)) {
    lines.push(`${s.implementation.padEnd(30)}  skipped: ${s.note}`);
  }
  return lines.join("\n");
}
