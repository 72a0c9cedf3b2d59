/**
 * The races, alternated (`deno task bench --rounds R`): the kit's run, the
 * same run without Deno's software bounds checks (a measurement, see
 * `UNCHECKED_V8_FLAGS`), and each f32 peer, one after the other, R times
 * over; with `--full-batch`, the full-batch recipe's race too. The main
 * table runs each implementation once, in blocks minutes apart, and this
 * machine's speed drifts by up to 2x over minutes; alternating puts every
 * implementation in each round under about the same conditions, so the
 * ratio of each round and their median say more than one run.
 *
 * @module
 */

import { type BenchProtocol, median } from "./bench.ts";
import { kitEpochSeconds, UNCHECKED_V8_FLAGS } from "./bench_runs.ts";
import {
  benchPeer,
  fastPeerRuns,
  fullBatchPeerRuns,
  type MissingRun,
  type PeerRun,
} from "./peers.ts";

/** Epochs each implementation trains in a minibatch round; the first is left out. */
export const ROUND_EPOCHS = 4;

/** Steps each implementation takes in a full-batch round; the first is left out. */
export const ROUND_STEPS = 30;

/**
 * The accuracy target a round gives the peers: past 100%, so that each
 * trains every epoch or step it was given.
 */
const EVERY_EPOCH = 2;

/** The kit's name in a round. */
const KIT = "lib wasm-workers";

/** The kit without the bounds checks, as the main table names it. */
const UNCHECKED = `${KIT}, unchecked (unsafe)`;

/**
 * What a round runs: the kit's `deno task train` arguments, and the peers'
 * runs of the same work.
 */
export interface Race {
  /** For the heading, e.g. `"f32 race"`. */
  readonly title: string;
  /** What a round times, per implementation. */
  readonly unit: "epoch" | "step";
  /** After `deno task train`. */
  readonly kitArgs: readonly string[];
  /** The peers' runs (Eigen built into `build`), and those that cannot run. */
  peers(build: string): Promise<{ runs: PeerRun[]; missing: MissingRun[] }>;
}

/**
 * The default recipe, batch 64: the kit against NumPy and Eigen on one and
 * two threads, {@link ROUND_EPOCHS} epochs each.
 *
 * @returns The race.
 */
export function minibatchRace(peersDir: string, dataDir: string): Race {
  const protocol: BenchProtocol = {
    maxEpochs: ROUND_EPOCHS,
    target: EVERY_EPOCH,
  };
  return {
    title: "f32 race",
    unit: "epoch",
    kitArgs: ["--epochs", String(ROUND_EPOCHS)],
    peers: (build) => fastPeerRuns(peersDir, dataDir, protocol, build),
  };
}

/**
 * The full-batch recipe: the kit against NumPy and Eigen on two threads,
 * {@link ROUND_STEPS} steps each.
 *
 * @returns The race.
 */
export function fullBatchRace(peersDir: string, dataDir: string): Race {
  return {
    title: "full-batch race (f32)",
    unit: "step",
    kitArgs: ["--full-batch", "--epochs", String(ROUND_STEPS)],
    peers: (build) =>
      fullBatchPeerRuns(peersDir, dataDir, "f32", ROUND_STEPS, build),
  };
}

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
 * Runs `rounds` rounds of `race`: the kit, the kit unchecked, then each
 * peer.
 *
 * @param rounds How many.
 * @returns The rounds, in order, and the peers that could not run.
 */
export async function alternatedRounds(
  race: Race,
  rounds: number,
): Promise<{ rounds: Round[]; missing: MissingRun[] }> {
  const build = await Deno.makeTempDir();
  const { runs, missing } = await race.peers(build);
  const kit = (v8Flags: readonly string[]) =>
    kitEpochSeconds(race.kitArgs, v8Flags).then(warmEpoch, () => null);
  const result: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const round: Round = {};
    round[KIT] = await kit([]);
    round[UNCHECKED] = await kit(UNCHECKED_V8_FLAGS);
    for (const run of runs) {
      const row = await benchPeer(
        run.implementation,
        "f32",
        run.command,
        EVERY_EPOCH,
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
 * Each round's ratio of one of the kit's runs (by default the kit as
 * `deno task train` runs it) to the fastest peer in that round, and their
 * median. The kit's runs (named `lib ...`) are never peers.
 *
 * @param rounds From {@link alternatedRounds}.
 * @param kit Which of the kit's runs.
 * @returns The ratios (`null` for a round without that run or any peer)
 * and the median of those there are (`null` if none).
 */
export function kitRatios(
  rounds: readonly Round[],
  kit: string = KIT,
): { ratios: (number | null)[]; median: number | null } {
  const ratios = rounds.map((round) => {
    const peers = Object.entries(round)
      .filter(([name, s]) => !name.startsWith("lib ") && s !== null)
      .map(([, s]) => s!);
    const mine = round[kit];
    return mine == null || peers.length === 0
      ? null
      : mine / Math.min(...peers);
  });
  const known = ratios.filter((r) => r !== null).sort((a, b) => a - b);
  return { ratios, median: known.length ? median(known) : null };
}

/**
 * Renders the rounds: one line per implementation with its warm epoch (or
 * step) in each round, then the ratio of the kit, and of the kit without
 * the bounds checks when it ran, to the round's fastest peer.
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
      "implementation".padEnd(36),
      ...rounds.map((_, i) => `#${i + 1}`.padStart(7)),
    ]
      .join(" "),
  ];
  for (const name of names) {
    lines.push(
      [name.padEnd(36), ...rounds.map((r) => cell(r[name]))].join(" "),
    );
  }
  const ratioLine = (label: string, kit: string) => {
    const { ratios, median } = kitRatios(rounds, kit);
    return [
      label.padEnd(36),
      ...ratios.map((r) => (r === null ? "-" : `${r.toFixed(2)}x`).padStart(7)),
    ].join(" ") +
      `   median ${median === null ? "-" : `${median.toFixed(2)}x`}`;
  };
  lines.push(ratioLine("kit / fastest peer", KIT));
  if (names.includes(UNCHECKED)) {
    lines.push(ratioLine("unchecked kit / fastest peer", UNCHECKED));
  }
  return lines.join("\n");
}
