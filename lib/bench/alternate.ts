/**
 * The f32 race, alternated (`deno task bench --rounds R`): the kit's
 * default run and each f32 peer on one and two threads, one after the
 * other, R times over. The main table runs each implementation once, in
 * blocks minutes apart, and this machine's speed drifts by up to 2x over
 * minutes; alternating puts every implementation in each round under about
 * the same conditions, so the ratio of each round and their median say more
 * than one run.
 *
 * @module
 */

import { type BenchProtocol, median } from "./bench.ts";
import { kitEpochSeconds } from "./bench_runs.ts";
import { benchPeer, fastPeerRuns, type MissingRun } from "./peers.ts";

/** Epochs each implementation trains in a round; the first is left out. */
export const ROUND_EPOCHS = 4;

/** The kit's name in a round. */
const KIT = "lib wasm-workers";

/**
 * An epoch's time once warm: the median of every epoch but the first (the
 * kit's first is its slowest; the others' differ little).
 *
 * @param epochSeconds Each epoch's seconds, at least two.
 * @returns The median of `epochSeconds.slice(1)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(warmEpoch([0.9, 0.3, 0.5, 0.4]), 0.4);
 * assert.equal(warmEpoch([0.9, 0.3, 0.5]), 0.4);
 * ```
 */
export function warmEpoch(epochSeconds: readonly number[]): number {
  const rest = epochSeconds.slice(1).sort((a, b) => a - b);
  if (rest.length === 0) throw new RangeError("warmEpoch needs two epochs");
  return median(rest);
}

/** One round: each implementation's warm epoch, `null` where it failed. */
export type Round = Record<string, number | null>;

/**
 * Runs `rounds` rounds of the kit and the f32 peers (NumPy and Eigen, one and
 * two threads), each for {@link ROUND_EPOCHS} epochs.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param rounds How many.
 * @returns The rounds, in order, and the peers that could not run.
 */
export async function alternatedRounds(
  peersDir: string,
  dataDir: string,
  rounds: number,
): Promise<{ rounds: Round[]; missing: MissingRun[] }> {
  // A target past 100% keeps each peer training all its epochs.
  const protocol: BenchProtocol = { maxEpochs: ROUND_EPOCHS, target: 2 };
  const build = await Deno.makeTempDir();
  const { runs, missing } = await fastPeerRuns(
    peersDir,
    dataDir,
    protocol,
    build,
  );
  const result: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const round: Round = {};
    round[KIT] = await kitEpochSeconds(ROUND_EPOCHS).then(
      warmEpoch,
      () => null,
    );
    for (const run of runs) {
      const row = await benchPeer(
        run.implementation,
        "f32",
        run.command,
        protocol.target,
        run.env,
      );
      round[run.implementation] = row.status === "ok"
        ? warmEpoch(row.epochSeconds)
        : null;
    }
    result.push(round);
  }
  await Deno.remove(build, { recursive: true });
  return { rounds: result, missing };
}

/**
 * Each round's ratio of the kit's warm epoch to the fastest peer's in that
 * round, and their median.
 *
 * @param rounds From {@link alternatedRounds}.
 * @returns The ratios (`null` for a round without the kit or any peer) and
 * the median of those there are (`null` if none).
 */
export function kitRatios(
  rounds: readonly Round[],
): { ratios: (number | null)[]; median: number | null } {
  const ratios = rounds.map((round) => {
    const peers = Object.entries(round)
      .filter(([name, s]) => name !== KIT && s !== null)
      .map(([, s]) => s!);
    const kit = round[KIT];
    return kit == null || peers.length === 0 ? null : kit / Math.min(...peers);
  });
  const known = ratios.filter((r) => r !== null).sort((a, b) => a - b);
  return { ratios, median: known.length ? median(known) : null };
}

/**
 * Renders the rounds: one line per implementation with its warm epoch in
 * each round, then the kit's ratio to the round's fastest peer.
 *
 * @param rounds From {@link alternatedRounds}.
 * @returns The table's lines.
 */
export function formatRounds(rounds: readonly Round[]): string {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  const cell = (s: number | null | undefined) =>
    (s == null ? "-" : s.toFixed(3)).padStart(7);
  const lines = [
    [
      "implementation".padEnd(30),
      ...rounds.map((_, i) => `#${i + 1}`.padStart(7)),
    ]
      .join(" "),
  ];
  for (const name of names) {
    lines.push(
      [name.padEnd(30), ...rounds.map((r) => cell(r[name]))].join(" "),
    );
  }
  const { ratios, median } = kitRatios(rounds);
  lines.push(
    [
      "kit / fastest peer".padEnd(30),
      ...ratios.map((r) => (r === null ? "-" : `${r.toFixed(2)}x`).padStart(7)),
    ].join(" ") +
      `   median ${median === null ? "-" : `${median.toFixed(2)}x`}`,
  );
  return lines.join("\n");
}
