/**
 * `deno task train`: parse flags, load MNIST, train, write the run folder,
 * and end with one line judging the run against `--target`.
 *
 * @module
 */

import { join } from "node:path";
import { fitNormalizer, splitTrainValidation } from "../data/dataset.ts";
import { KitError } from "../base/errors.ts";
import { kernelsByName } from "../kernels/registry.ts";
import { loadMnist } from "../data/mnist.ts";
import { saveModel } from "../train/model_file.ts";
import {
  barProgress,
  lineProgress,
  percent,
  type ProgressReporter,
  silentProgress,
} from "./progress_bar.ts";
import {
  METRICS_FILE,
  metricsJson,
  MODEL_FILE,
  writeMetrics,
} from "../train/run_files.ts";
import { DivergedError, train, type TrainResult } from "../train/train.ts";
import { implTrainCommand } from "./impl.ts";
import { writeReport } from "../report/write_report.ts";
import {
  parseTrainArgs,
  trainHelp,
  type TrainOptions,
  UsageError,
} from "./train_args.ts";

/**
 * Runs the command.
 *
 * @param args The command-line arguments.
 * @returns The exit code: 0 for PASS (or `--help`), 1 for FAIL or a bad
 * input, 2 for a bad flag.
 */
export async function trainCommand(args: string[]): Promise<number> {
  let options: TrainOptions | "help";
  try {
    options = parseTrainArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}`);
    console.error("help: run `deno task train --help` to see every flag");
    return 2;
  }
  if (options === "help") {
    console.log(trainHelp());
    return 0;
  }
  if (options.impl && options.impl !== "lib") {
    return await implTrainCommand(options, args);
  }
  try {
    const { result, runDir } = await runTraining(options);
    return printSummary(options, result, runDir) ? 0 : 1;
  } catch (error) {
    if (!(error instanceof KitError)) throw error;
    console.error(`error: ${error.message}`);
    if (error.help) console.error(`help: ${error.help}`);
    return 1;
  }
}

/**
 * Loads the data, trains, and writes `model.bin` (after every epoch, so a
 * diverging run keeps its last good model) and `metrics.json`.
 *
 * @param options The parsed command line.
 * @returns What training measured and the run folder.
 * @throws {KitError} On bad data, an unusable run folder, or divergence.
 */
export async function runTraining(
  options: TrainOptions,
): Promise<{ result: TrainResult; runDir: string }> {
  const startedAt = new Date();
  const mnist = await loadMnist({ dir: options.data });
  const { train: trainSet, validation } = splitTrainValidation(mnist.train);
  const data = {
    train: trainSet,
    validation,
    test: mnist.test,
    normalizer: fitNormalizer(trainSet),
    dir: mnist.dir,
  };
  const runDir = await makeRunDir(options.out, startedAt);
  const progress: ProgressReporter = options.quiet
    ? silentProgress()
    : Deno.stderr.isTerminal()
    ? barProgress()
    : lineProgress();
  if (!options.quiet) {
    const c = options.config;
    console.log(
      `training ${
        [784, ...c.hidden, 10].join("-")
      } ${c.activation} ${c.dtype} on ` +
        `${trainSet.count} images for ${c.epochs} epochs (seed ${c.seed}) → ${runDir}`,
    );
  }
  let savedEpoch = 0;
  let result: TrainResult;
  try {
    result = await train(data, options.config, {
      onStep: (step, total, loss) => progress.step(step, total, loss),
      onEpoch: async (metrics, model) => {
        progress.epoch(metrics, options.config.epochs);
        await saveModel(join(runDir, MODEL_FILE), model, data.normalizer);
        savedEpoch = metrics.epoch;
      },
    }, kernelsByName(options.kernels));
  } catch (error) {
    if (!(error instanceof DivergedError)) throw error;
    const kept = savedEpoch > 0
      ? `the last good model (epoch ${savedEpoch}) is in ${
        join(runDir, MODEL_FILE)
      }`
      : "no epoch finished, so no model was saved";
    throw new KitError(`${error.message}; ${kept}`, error.help);
  } finally {
    progress.stop();
  }
  await writeMetrics(
    join(runDir, METRICS_FILE),
    metricsJson(options, data, result, startedAt),
  );
  const report = await writeReport(runDir, { mnist });
  if (!options.quiet) console.log(`${report.terminal}\nreport: ${report.path}`);
  return { result, runDir };
}

/**
 * Creates the run folder: `out`, or `runs/<timestamp>/`. Refuses a folder
 * that already holds a run, so no earlier result is overwritten.
 */
async function makeRunDir(
  out: string | undefined,
  startedAt: Date,
): Promise<string> {
  const dir = out ??
    join(
      "runs",
      startedAt.toISOString().replace(/:/g, "-").replace(/\..*$/, ""),
    );
  for (const file of [METRICS_FILE, MODEL_FILE]) {
    const exists = await Deno.stat(join(dir, file)).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new KitError(
        `${dir}: already holds a run (${file}); it is left untouched`,
        "choose another --out folder, or leave --out out for a new runs/<timestamp>/",
      );
    }
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new KitError(
      `${dir}: cannot create the run folder (${(error as Error).message})`,
    );
  }
  return dir;
}

/** Prints the closing lines; returns whether the run met its target. */
function printSummary(
  options: TrainOptions,
  result: TrainResult,
  runDir: string,
): boolean {
  const accuracy = result.test.accuracy;
  const passed = accuracy * 100 >= options.targetPercent - 1e-9;
  const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
  const verdict = passed ? "PASS" : "FAIL";
  const painted = color
    ? `\x1b[${passed ? 32 : 31};1m${verdict}\x1b[0m`
    : verdict;
  if (!options.quiet) {
    console.log(
      `validation ${
        percent(result.validation.accuracy)
      } (${result.validation.missed.length} missed), ` +
        `test ${
          percent(accuracy)
        } (${result.test.missed.length} missed); run folder ${runDir}`,
    );
  }
  console.log(
    `${painted} test accuracy ${percent(accuracy)} (target ${
      options.targetPercent.toFixed(2)
    }%) ` +
      `in ${
        result.trainSeconds.toFixed(1)
      } s of training, ${result.epochs.length} epochs`,
  );
  return passed;
}
