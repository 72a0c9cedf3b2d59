/**
 * `deno task train`: parse flags, load MNIST, train, write the run folder,
 * and end with one line judging the run against `--target`.
 *
 * @module
 */

import { join } from "node:path";
import { KitError, reportKitError } from "../base/errors.ts";
import { chooseKernels, kernelsByName } from "../kernels/registry.ts";
import { loadMnist, type Mnist } from "../data/mnist.ts";
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
import {
  DivergedError,
  mnistTrainData,
  train,
  type TrainData,
  type TrainHooks,
  TrainInterrupted,
  type TrainResult,
} from "../train/train.ts";
import { implTrainCommand } from "./impl.ts";
import { trainWithLab } from "./train_lab.ts";
import { writeReport } from "../report/write_report.ts";
import {
  configJson,
  parseTrainArgs,
  trainHelp,
  type TrainOptions,
  UsageError,
} from "./train_args.ts";
import { epochsText, printVerdict } from "./run_folder.ts";
import {
  INTERRUPTED_EXIT_CODE,
  listenForStop,
  RunInterrupted,
} from "./interrupt.ts";
import { assertResumeAlone, readResumption, savedFlags } from "./resume.ts";
import { CHECKPOINT_FILE, type TrainCheckpoint } from "../train/checkpoint.ts";
import { saveCheckpoint } from "../train/checkpoint_file.ts";
import {
  checkData,
  checkMemory,
  parameterCount,
  withRunFolder,
} from "./preflight.ts";

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
    if (options !== "help" && options.resume) assertResumeAlone(args);
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
  const run = async (options: TrainOptions, watcher?: TrainHooks) => {
    const resumed = options.resume
      ? await readResumption(options.resume)
      : undefined;
    if (resumed) options = resumed.options;
    if (options.impl !== "lib") {
      return await implTrainCommand(options, args, watcher);
    }
    const kernels = chooseKernels(options.kernels);
    if (kernels.note) console.error(`note: ${kernels.note}`);
    options = { ...options, kernels: kernels.name };
    const { result, runDir } = await runTraining(
      options,
      watcher,
      resumed?.checkpoint,
    );
    return printSummary(options, result, runDir) ? 0 : 1;
  };
  try {
    return options.lab ? await trainWithLab(options, run) : await run(options);
  } catch (error) {
    const code = reportKitError(error);
    return error instanceof RunInterrupted ? INTERRUPTED_EXIT_CODE : code;
  }
}

/**
 * Loads the data, trains, and writes `model.bin` (after every epoch, so a
 * diverging run keeps its last good model) and `metrics.json`.
 *
 * @param options The parsed command line.
 * @param watcher More hooks, called after the progress display's (the lab's
 * live stream).
 * @param resume A checkpoint of this run to continue from (`--resume`).
 * @returns What training measured and the run folder.
 * @throws {KitError} On bad data, an unusable run folder, or divergence.
 * @throws {RunInterrupted} After Ctrl-C, once the checkpoint is saved.
 */
export async function runTraining(
  options: TrainOptions,
  watcher: TrainHooks = {},
  resume?: TrainCheckpoint,
): Promise<{ result: TrainResult; runDir: string }> {
  const startedAt = new Date();
  const mnist = await loadMnist({ dir: options.data });
  checkData(mnist);
  const c = options.config;
  const sizes = [mnist.train.rows * mnist.train.cols, ...c.hidden, 10];
  checkMemory(sizes, c, options.maxMemoryMb);
  return await withRunFolder(
    options.out,
    {
      startedAt,
      force: options.force,
      resume: resume !== undefined,
      quiet: options.quiet,
      // model.bin plus room for metrics.json and the report
      probeBytes: parameterCount(sizes) * (c.dtype === "f64" ? 8 : 4) + 2 ** 22,
    },
    (runDir) =>
      trainInto(runDir, mnist, { sizes, options, startedAt, watcher, resume }),
  );
}

/** Trains, then writes the run's files into its prepared folder. */
async function trainInto(
  runDir: string,
  mnist: Mnist,
  run: {
    sizes: number[];
    options: TrainOptions;
    startedAt: Date;
    watcher: TrainHooks;
    resume?: TrainCheckpoint;
  },
): Promise<{ result: TrainResult; runDir: string }> {
  const { options, startedAt, resume } = run;
  const data = { ...mnistTrainData(mnist), dir: mnist.dir };
  if (!options.quiet) {
    const c = options.config;
    const from = resume
      ? ` from step ${resume.progress.step} (epoch ${resume.progress.epoch})`
      : "";
    console.log(
      `${resume ? "resuming" : "training"} ${
        run.sizes.join("-")
      } ${c.activation} ${c.dtype} on ` +
        `${data.train.count} images for ${
          epochsText(c.epochs)
        } (seed ${c.seed})${from} → ${runDir}`,
    );
  }
  const result = await trainSavingModels(options, data, runDir, {
    watcher: run.watcher,
    resume,
  });
  await writeMetrics(
    join(runDir, METRICS_FILE),
    metricsJson(configJson(options), data, result, startedAt),
  );
  // The run is complete: its checkpoint has served.
  await Deno.remove(join(runDir, CHECKPOINT_FILE)).catch(() => {});
  const report = await writeReport(runDir, { mnist });
  if (!options.quiet) console.log(`${report.terminal}\nreport: ${report.path}`);
  return { result, runDir };
}

/**
 * Trains with a progress display, saving the model after every epoch; a
 * diverging run's error says which epoch's model was kept.
 */
async function trainSavingModels(
  options: TrainOptions,
  data: TrainData,
  runDir: string,
  { watcher, resume }: { watcher: TrainHooks; resume?: TrainCheckpoint },
): Promise<TrainResult> {
  const progress: ProgressReporter = options.quiet
    ? silentProgress()
    : Deno.stderr.isTerminal()
    ? barProgress()
    : lineProgress();
  const modelPath = join(runDir, MODEL_FILE);
  let savedEpoch = resume?.progress.epochs.length ?? 0;
  const stop = listenForStop();
  const checkpoints = checkpointWriter(runDir, options);
  try {
    return await train(
      data,
      options.config,
      {
        onStep: (step, total, loss, lr, accuracy) => {
          progress.step(step, total, loss);
          watcher.onStep?.(step, total, loss, lr, accuracy);
        },
        onEpoch: async (metrics, model) => {
          progress.epoch(metrics, options.config.epochs);
          await saveModel(modelPath, model, data.normalizer);
          savedEpoch = metrics.epoch;
          return await watcher.onEpoch?.(metrics, model);
        },
        onCheckpoint: checkpoints,
        stopRequested: stop.requested,
      },
      kernelsByName(options.kernels),
      resume,
    );
  } catch (error) {
    if (error instanceof TrainInterrupted) {
      throw new RunInterrupted(error.step, error.epoch, runDir);
    }
    if (!(error instanceof DivergedError)) throw error;
    const kept = savedEpoch > 0
      ? `the last good model (epoch ${savedEpoch}) is in ${modelPath}`
      : "no epoch finished, so no model was saved";
    throw new KitError(`${error.message}; ${kept}`, error.help);
  } finally {
    stop.dispose();
    progress.stop();
  }
}

/** Saves each checkpoint with the run's flags, atomically. */
function checkpointWriter(
  runDir: string,
  options: TrainOptions,
): (checkpoint: TrainCheckpoint) => Promise<void> {
  const path = join(runDir, CHECKPOINT_FILE);
  const args = savedFlags(options);
  return (checkpoint) => saveCheckpoint(path, { args, checkpoint });
}

/** Prints the closing lines; returns whether the run met its target. */
function printSummary(
  options: TrainOptions,
  result: TrainResult,
  runDir: string,
): boolean {
  const { validation, test } = result;
  if (!options.quiet) {
    console.log(
      `validation ${
        percent(validation.accuracy)
      } (${validation.missed.length} missed), ` +
        `test ${
          percent(test.accuracy)
        } (${test.missed.length} missed); run folder ${runDir}`,
    );
  }
  return printVerdict({
    testAccuracy: test.accuracy,
    targetPercent: options.targetPercent,
    trainSeconds: result.trainSeconds,
    epochs: result.epochs.length,
  });
}
