/**
 * `deno task train --resume RUN_DIR`: continues an interrupted run from its
 * `checkpoint.json`, with the flags it was started with, so it ends with
 * the numbers the uninterrupted run would have had.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import type { TrainCheckpoint } from "../train/checkpoint.ts";
import { loadCheckpoint } from "../train/checkpoint_file.ts";
import { CHECKPOINT_FILE } from "../train/checkpoint.ts";
import { METRICS_FILE } from "../train/run_files.ts";
import { flagOf, type Setting, TRAIN_SETTINGS } from "../train/settings.ts";
import {
  parseTrainArgs,
  RUN_SETTINGS,
  type TrainOptions,
  UsageError,
} from "./train_args.ts";

/** Run settings that belong to one invocation, not to the run. */
const NOT_SAVED = new Set(["out", "resume", "force", "lab", "labPort"]);

/**
 * Writes a run's options out as flags, every setting explicit, so that a
 * later default change cannot alter a resumed run.
 *
 * @param options The run's parsed options.
 * @returns Flags that `parseTrainArgs` reads back to the same options
 * (without `--out`, `--resume` and `--force`).
 */
export function savedFlags(options: TrainOptions): string[] {
  const flags: string[] = [];
  const add = (key: string, setting: Setting<unknown>, value: unknown) => {
    const flag = `--${flagOf(key, setting)}`;
    if (value === undefined) return;
    if (setting.kind === "switch") {
      flags.push(value ? flag : `--no-${flag.slice(2)}`);
    } else flags.push(flag, setting.show(value));
  };
  for (
    const [key, setting] of Object.entries<Setting<unknown>>(TRAIN_SETTINGS)
  ) {
    add(
      key,
      setting,
      (options.config as unknown as Record<string, unknown>)[key],
    );
  }
  for (const [key, setting] of Object.entries<Setting<unknown>>(RUN_SETTINGS)) {
    if (NOT_SAVED.has(key)) continue;
    add(key, setting, (options as unknown as Record<string, unknown>)[key]);
  }
  return flags;
}

/** A run to continue. */
export interface Resumption {
  /** The run's own options, `out` set to its folder. */
  options: TrainOptions;
  /** Where it stopped. */
  checkpoint: TrainCheckpoint;
}

/**
 * Refuses flags next to `--resume`: a resumed run keeps its own.
 *
 * @param args The command line.
 * @throws {UsageError} Naming the first other flag.
 */
export function assertResumeAlone(args: readonly string[]): void {
  const others = args.filter((arg, i) =>
    arg.startsWith("-") && !arg.startsWith("--resume") &&
    args[i - 1] !== "--resume"
  );
  if (others.length > 0) {
    throw new UsageError(
      `--resume: continues with the run's saved flags, so ${
        others[0]
      } cannot be given with it`,
    );
  }
}

/**
 * Reads the checkpoint of the run to continue.
 *
 * @param runDir The `--resume` folder.
 * @returns The saved options and the checkpoint.
 * @throws {KitError} When the run finished or has no valid checkpoint.
 */
export async function readResumption(runDir: string): Promise<Resumption> {
  if (
    await Deno.stat(join(runDir, METRICS_FILE)).then(() => true, () => false)
  ) {
    throw new KitError(
      `${runDir}: the run finished (${METRICS_FILE} is there); there is nothing to resume`,
    );
  }
  const { args: saved, checkpoint } = await loadCheckpoint(
    join(runDir, CHECKPOINT_FILE),
  );
  let options: TrainOptions | "help";
  try {
    options = parseTrainArgs(saved);
  } catch (error) {
    throw new KitError(
      `${join(runDir, CHECKPOINT_FILE)}: its saved flags are not valid (${
        (error as Error).message
      })`,
    );
  }
  if (options === "help") {
    throw new KitError(
      `${join(runDir, CHECKPOINT_FILE)}: its saved flags ask for --help`,
    );
  }
  return { options: { ...options, out: runDir, resume: runDir }, checkpoint };
}
