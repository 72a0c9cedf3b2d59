/**
 * `deno task train --lab`: the lab's server runs in a worker beside the
 * training (lib/lab/lab_thread.ts), its Live view streaming every step;
 * when the run ends the page shows its accuracy and report, and the server
 * keeps serving (the run and every other under `runs/`) until Ctrl-C.
 *
 * @module
 */

import { basename } from "node:path";
import { KitError } from "../base/errors.ts";
import { startLabThread } from "../lab/lab_thread.ts";
import { liveHooks } from "../lab/live.ts";
import { findRuns } from "../lab/runs.ts";
import { METRICS_FILE } from "../train/run_files.ts";
import type { TrainHooks } from "../train/train.ts";
import { chooseRunFolder } from "./preflight.ts";
import { RUNS_ROOT } from "./lab_command.ts";
import type { TrainOptions } from "./train_args.ts";
import { join } from "node:path";

/** Trains (lib or `--impl`) with extra hooks; returns the exit code. */
export type Trainer = (
  options: TrainOptions,
  watcher?: TrainHooks,
) => Promise<number>;

/**
 * Serves the lab, trains with its live hooks, announces the end, then
 * serves until the process is stopped.
 *
 * @param options The parsed command line (with `lab`).
 * @param trainer Runs the training and prints its summary.
 * @returns The training's exit code, only when the run ended without
 * results (a finished run keeps serving).
 * @throws {KitError} When the port is in use or the run folder unusable.
 */
export async function trainWithLab(
  options: TrainOptions,
  trainer: Trainer,
): Promise<number> {
  const { dir: runDir, created } = await chooseRunFolder(
    options.out,
    new Date(),
  );
  // A run that ends without results leaves no empty folder behind.
  const removeIfEmpty = async () => {
    if (created) await Deno.remove(runDir).catch(() => {});
  };
  const others = (await findRuns(RUNS_ROOT)).filter((d) => d !== runDir);
  const lab = await startLabThread([runDir, ...others], options.labPort)
    .catch(async (error) => {
      await removeIfEmpty();
      throw asLabPortError(error);
    });
  const { publisher } = lab;
  console.log(`lab: ${lab.url} (the Live view follows this run)`);
  const id = basename(runDir);
  let code: number;
  try {
    code = await trainer(
      { ...options, out: runDir },
      liveHooks(publisher, id, options.config.epochs),
    );
  } catch (error) {
    publisher.send({ type: "failed", message: (error as Error).message });
    await lab.stop();
    await removeIfEmpty();
    throw error;
  }
  const metrics = await Deno.readTextFile(join(runDir, METRICS_FILE))
    .then(JSON.parse, () => null);
  if (typeof metrics?.test_accuracy !== "number") {
    publisher.send({ type: "failed", message: "the run wrote no results" });
    await lab.stop();
    await removeIfEmpty();
    return code;
  }
  publisher.send({
    type: "done",
    run: id,
    testAccuracy: metrics.test_accuracy,
    valAccuracy: Number(metrics.val_accuracy),
  });
  console.log(`lab: still serving ${lab.url} (Ctrl-C stops it)`);
  return await new Promise<number>(() => {});
}

/**
 * The lab's errors name its own flag, `--port`; under `deno task train` the
 * flag is `--lab-port`.
 */
function asLabPortError(error: unknown): unknown {
  if (!(error instanceof KitError)) return error;
  const rename = (text: string) => text.replaceAll("--port", "--lab-port");
  return new KitError(
    rename(error.message),
    error.help === undefined ? undefined : rename(error.help),
  );
}
