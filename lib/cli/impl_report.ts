/**
 * The learner's run recorded as a lib run is: `--impl exercises|solutions`
 * collects every step through exercise 10's `onStep` and every epoch
 * through `onEpoch`, then gets the same metrics.json, report.html and
 * figures (lib/report/) as `deno task train`. The learner's code computes
 * every number that training produced; lib only evaluates the saved model
 * again to list the missed digits with their confidences, which the
 * exercises' `evaluate` does not return.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import { fitNormalizer, type Normalizer } from "../data/dataset.ts";
import type { LabeledImages } from "../data/mnist.ts";
import type { Mlp } from "../nn/mlp.ts";
import { learningRateAt } from "../optim/schedule.ts";
import {
  type EpochMetrics,
  evaluate,
  type TrainHooks,
  type TrainResult,
} from "../train/train.ts";
import { saveModel } from "../train/model_file.ts";
import {
  METRICS_FILE,
  metricsJson,
  MODEL_FILE,
  writeMetrics,
} from "../train/run_files.ts";
import { writeReport } from "../report/write_report.ts";
import { formatEpoch } from "./progress_bar.ts";
import { configJson, type TrainOptions } from "./train_args.ts";

/** What exercise 10's `trainModel` reports after every step. */
export interface ImplStep {
  step: number;
  loss: number;
  accuracy: number;
}

/** What exercise 10's `trainModel` reports after every epoch. */
export interface ImplEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  seconds: number;
}

/** The schedule settings an impl run trains with. */
export interface ImplSchedule {
  epochs: number;
  batchSize: number;
  lr: number;
  lrMin: number;
  schedule: "constant" | "step" | "cosine";
}

/** The callbacks handed to `trainMnist`, and what they collected. */
export interface ImplRecorder {
  onEpoch(report: ImplEpoch): void;
  onStep(report: ImplStep): void;
  epochs: EpochMetrics[];
  batchLoss: number[];
  batchAccuracy: number[];
}

/**
 * Collects an impl run's steps and epochs as lib's training does, prints
 * each epoch (unless quiet) and passes both on to `watcher` (the lab).
 *
 * @param config The run's schedule settings.
 * @param trainCount Training images.
 * @param quiet Print nothing.
 * @param watcher More hooks, e.g. the lab's live stream.
 * @returns The callbacks and their records.
 */
export function implRecorder(
  config: ImplSchedule,
  trainCount: number,
  quiet: boolean,
  watcher: TrainHooks = {},
): ImplRecorder {
  const stepsPerEpoch = Math.ceil(trainCount / config.batchSize);
  const totalSteps = config.epochs * stepsPerEpoch;
  const schedule = {
    kind: config.schedule,
    lr: config.lr,
    lrMin: config.lrMin,
  };
  const recorder: ImplRecorder = {
    epochs: [],
    batchLoss: [],
    batchAccuracy: [],
    onStep({ step, loss, accuracy }) {
      recorder.batchLoss.push(loss);
      recorder.batchAccuracy.push(accuracy);
      const lr = learningRateAt(schedule, step - 1, totalSteps);
      watcher.onStep?.(step, totalSteps, loss, lr, accuracy);
    },
    onEpoch(report) {
      const metrics: EpochMetrics = {
        ...report,
        samplesPerSecond: trainCount / report.seconds,
        lr: learningRateAt(
          schedule,
          (report.epoch - 1) * stepsPerEpoch,
          totalSteps,
        ),
      };
      recorder.epochs.push(metrics);
      if (!quiet) console.log(formatEpoch(metrics, config.epochs));
      (watcher.onEpoch as ((m: EpochMetrics) => void) | undefined)?.(metrics);
    },
  };
  return recorder;
}

/** An impl run's sets, with the image shape lib's evaluation needs. */
export interface ImplSets {
  validation: LabeledImages;
  test: LabeledImages;
}

/**
 * The impl run as lib's {@link TrainResult}: the learner's numbers, plus
 * the missed digits from evaluating the saved model with lib.
 *
 * @param recorder What the callbacks collected.
 * @param result What `trainMnist` returned.
 * @param model The learner's network in lib's form.
 * @param sets Validation and test images.
 * @param normalizer The input scale.
 * @returns The result to write as metrics.json.
 */
export function implTrainResult(
  recorder: ImplRecorder,
  result: {
    validationAccuracy: number;
    testAccuracy: number;
    trainSeconds: number;
  },
  model: Mlp,
  sets: ImplSets,
  normalizer: Normalizer,
): TrainResult {
  return {
    model,
    epochs: recorder.epochs,
    batchAccuracy: recorder.batchAccuracy,
    batchLoss: recorder.batchLoss,
    trainSeconds: result.trainSeconds,
    validation: {
      ...evaluate(model, sets.validation, normalizer),
      accuracy: result.validationAccuracy,
    },
    test: {
      ...evaluate(model, sets.test, normalizer),
      accuracy: result.testAccuracy,
    },
  };
}

/**
 * An impl's set with the image shape lib needs (square images).
 *
 * @param set Images, labels, count and pixels per image.
 * @returns The same set as lib's {@link LabeledImages}.
 */
export function asLabeledImages(
  set: {
    images: Uint8Array;
    labels: Uint8Array;
    count: number;
    pixels: number;
  },
): LabeledImages {
  const side = Math.round(Math.sqrt(set.pixels));
  return {
    images: set.images,
    labels: set.labels,
    count: set.count,
    rows: side,
    cols: set.pixels / side,
  };
}

/** An impl's data set as its `loadMnist` returns it. */
interface ImplSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  pixels: number;
}

/** Everything a finished impl run leaves for its run folder. */
export interface ImplRun {
  runDir: string;
  impl: string;
  target: number;
  /** The command line, its config the impl run's own. */
  options: TrainOptions;
  startedAt: Date;
  recorder: ImplRecorder;
  result: {
    validationAccuracy: number;
    testAccuracy: number;
    trainSeconds: number;
  };
  /** The learner's network in lib's form. */
  model: Mlp;
  data: { train: ImplSet; validation: ImplSet; test: ImplSet };
  /** Where the data came from. */
  dir: string;
}

/**
 * Writes an impl run's folder as a lib run's: model.bin (with the input
 * scale, which the exercises fit as lib does: mean square 1 on the training
 * split), metrics.json, report.html and figures; prints the report's end
 * unless quiet.
 *
 * @param run The finished run.
 * @throws {KitError} When the impl never reported a step.
 */
export async function writeImplRun(run: ImplRun): Promise<void> {
  const normalizer = fitNormalizer(run.data.train);
  await saveModel(join(run.runDir, MODEL_FILE), run.model, normalizer);
  if (run.recorder.batchLoss.length === 0) {
    throw new KitError(
      `${run.impl}/11_mnist/mnist.ts: trainMnist never called onStep, so the run has no per-step curves for its report (model.bin is saved in ${run.runDir})`,
      "call onStep after every step in trainModel and pass it on in trainMnist (tasks 10.3 and 11.2)",
    );
  }
  const sets = {
    train: asLabeledImages(run.data.train),
    validation: asLabeledImages(run.data.validation),
    test: asLabeledImages(run.data.test),
  };
  const result = implTrainResult(
    run.recorder,
    run.result,
    run.model,
    sets,
    normalizer,
  );
  const config = configJson({
    ...run.options,
    config: { ...run.options.config, dtype: "f64" },
  });
  await writeMetrics(join(run.runDir, METRICS_FILE), {
    impl: run.impl,
    target: run.target,
    ...metricsJson(
      config,
      { ...sets, normalizer, dir: run.dir },
      result,
      run.startedAt,
    ),
  });
  const report = await writeReport(run.runDir);
  if (!run.options.quiet) {
    console.log(`${report.terminal}\nreport: ${report.path}`);
  }
}
