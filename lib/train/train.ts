/**
 * The training loop: minibatch SGD over the training split, validation after
 * every epoch, then one look at the test set.
 *
 * @module
 */

import {
  type Batch,
  Batcher,
  fitNormalizer,
  type Normalizer,
  splitTrainValidation,
  toTensor,
} from "../data/dataset.ts";
import { setImmediate } from "node:timers";
import { KitError } from "../base/errors.ts";
import { softmaxCrossEntropy } from "../nn/loss.ts";
import type { LabeledImages, Mnist } from "../data/mnist.ts";
import { Mlp } from "../nn/mlp.ts";
import { createOptimizer } from "../optim/registry.ts";
import type { TrainConfig } from "./settings.ts";
import { Rng } from "../base/rng.ts";
import { learningRateAt, type Schedule } from "../optim/schedule.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import { argmaxRows, type DType, Tensor, zeros } from "../base/tensor.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import {
  captureCheckpoint,
  freshProgress,
  restoreCheckpoint,
  type TrainCheckpoint,
  type TrainParts,
  type TrainProgress,
} from "./checkpoint.ts";

/**
 * The data a run uses; see `splitTrainValidation` and `fitNormalizer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * assert(data.train.rows * data.train.cols === 4);
 * ```
 */
export interface TrainData {
  /** What the network learns from. */
  train: LabeledImages;
  /** Checked after every epoch. */
  validation: LabeledImages;
  /** Checked once, at the end. */
  test: LabeledImages;
  /** Fitted on `train`. */
  normalizer: Normalizer;
}

/**
 * MNIST as every run uses it: the first 50,000 training images to learn
 * from, the last 10,000 to validate on, the test set, and a normalizer
 * fitted on the 50,000.
 *
 * @returns Views of `mnist`'s arrays, nothing copied.
 */
export function mnistTrainData(mnist: Mnist): TrainData {
  const { train, validation } = splitTrainValidation(mnist.train);
  return {
    train,
    validation,
    test: mnist.test,
    normalizer: fitNormalizer(train),
  };
}

/**
 * What one epoch did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const result = await train(data, { ...DEFAULT_CONFIG, epochs: 2, hidden: [] });
 * const last: EpochMetrics = result.epochs[1];
 * assert(last.epoch === 2 && last.lr < DEFAULT_CONFIG.lr);
 * ```
 */
export interface EpochMetrics {
  /** From 1. */
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  trainLoss: number;
  /** Fraction of training images classified right during the epoch. */
  trainAccuracy: number;
  /** Fraction of validation images right after the epoch. */
  validationAccuracy: number;
  /** Training time of the epoch, without validation. */
  seconds: number;
  /** Training images per second. */
  samplesPerSecond: number;
  /** The learning rate at the epoch's first step. */
  lr: number;
}

/**
 * A misclassified image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const { test } = await train(data, { ...DEFAULT_CONFIG, epochs: 1, hidden: [] });
 * const misses: Miss[] = test.missed;
 * assert(misses.every((m) => m.label !== m.predicted));
 * ```
 */
export interface Miss {
  /** Its index in its set (validation indices count from the split's start). */
  index: number;
  /** The true digit. */
  label: number;
  /** What the network said. */
  predicted: number;
  /** The softmax probability of the prediction. */
  confidence: number;
}

/**
 * A set's accuracy, its predictions and its mistakes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const { model } = await train(data, { ...DEFAULT_CONFIG, epochs: 1, hidden: [] });
 * const evaluation: Evaluation = evaluate(model, data.test, data.normalizer);
 * assert(evaluation.missed.length === Math.round((1 - evaluation.accuracy) * 8));
 * ```
 */
export interface Evaluation {
  /** Fraction right. */
  accuracy: number;
  /** `[count]` predicted digits. */
  predicted: Int32Array;
  /** Every mistake, in index order. */
  missed: Miss[];
}

/**
 * Everything a run measured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const result: TrainResult = await train(data, { ...DEFAULT_CONFIG, epochs: 1, hidden: [] });
 * assert(result.epochs.length === 1 && result.trainSeconds >= 0);
 * ```
 */
export interface TrainResult {
  /** The trained network. */
  model: Mlp;
  /** One entry per epoch. */
  epochs: EpochMetrics[];
  /** Training accuracy of every batch, in order. */
  batchAccuracy: number[];
  /** Training loss of every batch, in order. */
  batchLoss: number[];
  /** Total training time, without validation and test. */
  trainSeconds: number;
  /** The final model on the validation split. */
  validation: Evaluation;
  /** The final model on the test set. */
  test: Evaluation;
}

/**
 * Called as training goes, e.g. to draw a progress bar or save checkpoints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const losses: number[] = [];
 * const hooks: TrainHooks = {
 *   onStep: (_step, _total, loss) => void losses.push(loss),
 *   onEpoch: () => false, // stop after the first epoch
 * };
 * const config = { ...DEFAULT_CONFIG, epochs: 5, hidden: [], batchSize: 4 };
 * const result = await train(data, config, hooks);
 * assert(result.epochs.length === 1 && losses.length === 2);
 * ```
 */
export interface TrainHooks {
  /** After every step, with the batch's loss and accuracy. */
  onStep?(
    step: number,
    totalSteps: number,
    loss: number,
    lr: number,
    accuracy: number,
  ): void;
  /**
   * After every epoch's validation; awaited before the next epoch. Returning
   * `false` ends training there (the schedule still spans `config.epochs`).
   */
  onEpoch?(
    metrics: EpochMetrics,
    model: Mlp,
  ): void | boolean | Promise<void | boolean>;
  /**
   * The state to resume from: after every epoch, and at a requested stop.
   * Awaited, so a checkpoint is on disk before training goes on.
   */
  onCheckpoint?(checkpoint: TrainCheckpoint): void | Promise<void>;
  /**
   * Asked after every step: `true` stops training there (after
   * `onCheckpoint`) with {@link TrainInterrupted}. With this hook the
   * event loop also runs every 50 ms, so signal handlers can set it.
   */
  stopRequested?(): boolean;
}

/**
 * Thrown when the loss stops being a finite number: a learning rate too
 * high, usually. Training stops at that step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const error = new DivergedError(12, 1, 10, NaN);
 * assert(error.message.includes("step 12") && error.help !== undefined);
 * ```
 */
export class DivergedError extends KitError {
  /**
   * Describes where the loss stopped being finite.
   *
   * @param step The step (from 1) whose loss was not finite.
   * @param epoch The epoch it was in.
   * @param lr That step's learning rate.
   * @param loss The loss, NaN or ±Infinity.
   */
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly lr: number,
    readonly loss: number,
  ) {
    super(
      `training diverged: the loss became ${loss} at step ${step} (epoch ${epoch}) with learning rate ${lr}`,
      "lower --lr (or raise --batch-size) and run again",
    );
    this.name = "DivergedError";
  }
}

/**
 * Thrown when {@link TrainHooks.stopRequested} asked training to stop (a
 * Ctrl-C): the step finished, `onCheckpoint` saved the state, and
 * `train(..., resume)` with that checkpoint continues exactly there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const error = new TrainInterrupted(40, 2);
 * assert(error.message === "training stopped after step 40 (epoch 2) as asked");
 * ```
 */
export class TrainInterrupted extends KitError {
  /**
   * Describes where training stopped.
   *
   * @param step The last finished step (from 1).
   * @param epoch The epoch it was in.
   */
  constructor(readonly step: number, readonly epoch: number) {
    super(`training stopped after step ${step} (epoch ${epoch}) as asked`);
    this.name = "TrainInterrupted";
  }
}

/**
 * Trains an MLP `[pixels, ...hidden, 10]` from scratch, or continues an
 * interrupted run from its checkpoint.
 *
 * @param data Train, validation and test sets and the normalizer.
 * @param config The hyperparameters and seed.
 * @param hooks Progress callbacks, checkpoints and stop requests.
 * @param kernels The matrix products to use; the fast ones by default.
 * @param resume A checkpoint of this run (same data and config): training
 * continues from it and ends with the numbers the uninterrupted run has.
 * @returns The model and everything measured.
 * @throws {DivergedError} When the loss turns NaN or infinite.
 * @throws {TrainInterrupted} When `hooks.stopRequested` said so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const result = await train(data, { ...DEFAULT_CONFIG, epochs: 30, hidden: [8], batchSize: 4, weightDecay: 0 });
 * assert(result.test.accuracy === 1 && result.batchLoss.length === 60);
 * ```
 */
export async function train(
  data: TrainData,
  config: TrainConfig,
  hooks: TrainHooks = {},
  kernels?: Kernels,
  resume?: TrainCheckpoint,
): Promise<TrainResult> {
  const run = startRun(data, config, kernels, resume);
  const { progress } = run;
  while (progress.epoch <= config.epochs) {
    const metrics = await trainEpoch(run, data, hooks);
    if (hooks.onCheckpoint) {
      await hooks.onCheckpoint(captureCheckpoint(progress, run.parts));
    }
    if ((await hooks.onEpoch?.(metrics, run.model)) === false) break;
  }
  const { model } = run;
  const { epochs, batchAccuracy, batchLoss } = progress;
  return {
    model,
    epochs,
    batchAccuracy,
    batchLoss,
    trainSeconds: epochs.reduce((sum, e) => sum + e.seconds, 0),
    validation: evaluate(model, data.validation, data.normalizer),
    test: evaluate(model, data.test, data.normalizer),
  };
}

/** A run in progress: what it trains, with what, and what it measured. */
interface Run {
  readonly rng: Rng;
  readonly model: Mlp;
  readonly optimizer: Optimizer;
  readonly batcher: Batcher;
  readonly schedule: Schedule;
  readonly totalSteps: number;
  readonly buffers: StepBuffers;
  /** The kernels the model runs on, which the loss may use too. */
  readonly kernels: Kernels | undefined;
  /** What a checkpoint copies: model, optimizer, RNG and batch order. */
  readonly parts: TrainParts;
  /** Counters and everything measured so far. */
  readonly progress: TrainProgress;
}

/**
 * Builds the network, optimizer and batcher. The one RNG draws the initial
 * weights first, then each epoch's shuffle and dropout masks. A checkpoint,
 * when given, then overwrites all of their state.
 */
function startRun(
  data: TrainData,
  config: TrainConfig,
  kernels: Kernels | undefined,
  resume: TrainCheckpoint | undefined,
): Run {
  const rng = new Rng(config.seed);
  const model = new Mlp({
    sizes: [data.train.rows * data.train.cols, ...config.hidden, 10],
    activation: config.activation,
    dropout: config.dropout,
    dtype: config.dtype,
    rng,
    kernels,
  });
  const optimizer = createOptimizer(config.optimizer, model.parameters(), {
    ...config,
    kernels,
  });
  const batcher = new Batcher(
    data.train,
    config.batchSize,
    data.normalizer,
    config.dtype,
    kernels,
  );
  const parts = { model, optimizer, rng, order: batcher.order };
  return {
    rng,
    model,
    optimizer,
    batcher,
    schedule: { kind: config.schedule, lr: config.lr, lrMin: config.lrMin },
    totalSteps: config.epochs * batcher.batchesPerEpoch,
    buffers: new StepBuffers(
      model.sizes[model.sizes.length - 1],
      config.dtype,
      kernels,
    ),
    kernels,
    parts,
    progress: resume ? restoreCheckpoint(resume, parts) : freshProgress(),
  };
}

/**
 * The rest of the epoch in progress (all of it, unless resumed mid-epoch),
 * then validation; moves `run.progress` on to the next epoch.
 *
 * @throws {TrainInterrupted} After saving a checkpoint, when asked to stop.
 */
async function trainEpoch(
  run: Run,
  data: TrainData,
  hooks: TrainHooks,
): Promise<EpochMetrics> {
  const { progress } = run;
  const epoch = progress.epoch;
  const started = performance.now();
  const epochStart = progress.step - progress.stepInEpoch;
  const stopAsked = stopChecker(hooks);
  for (const batch of run.batcher.epoch(run.rng, progress.stepInEpoch)) {
    const { loss, right, lr } = trainStep(run, batch, epoch);
    progress.stepInEpoch++;
    progress.lossSum += loss * batch.labels.length;
    progress.correct += right;
    const accuracy = right / batch.labels.length;
    hooks.onStep?.(progress.step, run.totalSteps, loss, lr, accuracy);
    if (hooks.stopRequested && await stopAsked()) {
      progress.secondsInEpoch += (performance.now() - started) / 1000;
      await hooks.onCheckpoint?.(captureCheckpoint(progress, run.parts));
      throw new TrainInterrupted(progress.step, epoch);
    }
  }
  const seconds = progress.secondsInEpoch +
    (performance.now() - started) / 1000;
  const count = data.train.count;
  const metrics: EpochMetrics = {
    epoch,
    trainLoss: progress.lossSum / count,
    trainAccuracy: progress.correct / count,
    validationAccuracy:
      evaluate(run.model, data.validation, data.normalizer).accuracy,
    seconds,
    samplesPerSecond: count / seconds,
    lr: learningRateAt(run.schedule, epochStart, run.totalSteps),
  };
  progress.epochs.push(metrics);
  Object.assign(progress, {
    epoch: epoch + 1,
    stepInEpoch: 0,
    lossSum: 0,
    correct: 0,
    secondsInEpoch: 0,
  });
  return metrics;
}

/**
 * How often training lets the event loop run when stops can be requested,
 * so a Ctrl-C handler gets to set its flag (a step alone never awaits).
 */
const YIELD_MS = 50;

/**
 * Asks `hooks.stopRequested`, first letting the event loop run every 50 ms.
 * It yields with `setImmediate`, which runs the loop's pending I/O and
 * signals and returns in microseconds: `setTimeout(0)` waited about 2 ms
 * each time, 4% of every epoch (both threads idle meanwhile).
 */
function stopChecker(hooks: TrainHooks): () => Promise<boolean> {
  let lastYield = performance.now();
  return async () => {
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    return hooks.stopRequested?.() ?? false;
  };
}

/**
 * Forward, loss, backward and one optimizer step on a batch; records the
 * batch's loss and accuracy.
 *
 * @throws {DivergedError} When the loss is not finite.
 */
function trainStep(
  run: Run,
  batch: Batch,
  epoch: number,
): { loss: number; right: number; lr: number } {
  const size = batch.labels.length;
  const { progress } = run;
  const lr = learningRateAt(run.schedule, progress.step, run.totalSteps);
  const logits = run.model.forward(batch.images);
  // The next batch is gathered on the kernels' second thread, if any,
  // while this one's loss and gradients are computed.
  run.batcher.prefetch();
  const { dLogits, predicted } = run.buffers.for(size);
  const loss = softmaxCrossEntropy(
    logits,
    batch.labels,
    dLogits,
    run.kernels,
  );
  progress.step++;
  if (!Number.isFinite(loss)) {
    throw new DivergedError(progress.step, epoch, lr, loss);
  }
  const right = countCorrect(argmaxRows(logits, predicted), batch);
  run.model.backward(dLogits);
  run.optimizer.step(lr);
  progress.batchAccuracy.push(right / size);
  progress.batchLoss.push(loss);
  return { loss, right, lr };
}

/**
 * The loss gradient and predictions, one set of buffers per batch size (the
 * last batch of an epoch is shorter), so a step allocates nothing. The
 * gradient lives where the kernels allocate, so that they can write it.
 */
class StepBuffers {
  readonly #bySize = new Map<
    number,
    { dLogits: Tensor; predicted: Int32Array }
  >();
  constructor(
    readonly classes: number,
    readonly dtype: DType,
    readonly kernels: Kernels | undefined,
  ) {}
  for(size: number): { dLogits: Tensor; predicted: Int32Array } {
    let buffers = this.#bySize.get(size);
    if (!buffers) {
      const length = size * this.classes;
      buffers = {
        dLogits: new Tensor(
          this.kernels?.allocate?.(this.dtype, length) ??
            zeros([length], this.dtype).data,
          [size, this.classes],
        ),
        predicted: new Int32Array(size),
      };
      this.#bySize.set(size, buffers);
    }
    return buffers;
  }
}

function countCorrect(predicted: Int32Array, batch: Batch): number {
  let right = 0;
  for (let i = 0; i < batch.labels.length; i++) {
    if (predicted[i] === batch.labels[i]) right++;
  }
  return right;
}

/**
 * Classifies a whole set, 1,000 images at a time.
 *
 * @param set The images and their labels.
 * @param normalizer The same normalizer the model trained with.
 * @returns Accuracy, predictions and every mistake.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const { model } = await train(data, { ...DEFAULT_CONFIG, epochs: 1, hidden: [] });
 * const { accuracy, predicted } = evaluate(model, data.test, data.normalizer);
 * assert(predicted.length === 8 && accuracy >= 0 && accuracy <= 1);
 * ```
 */
export function evaluate(
  model: Mlp,
  set: LabeledImages,
  normalizer: Normalizer,
): Evaluation {
  const chunk = 1000;
  const predicted = new Int32Array(set.count);
  const missed: Miss[] = [];
  for (let start = 0; start < set.count; start += chunk) {
    const end = Math.min(start + chunk, set.count);
    const { labels, confidences } = model.predict(
      toTensor(set, start, end, normalizer, model.dtype),
    );
    predicted.set(labels, start);
    for (let i = 0; i < labels.length; i++) {
      const label = set.labels[start + i];
      if (labels[i] !== label) {
        missed.push({
          index: start + i,
          label,
          predicted: labels[i],
          confidence: confidences[i],
        });
      }
    }
  }
  return {
    accuracy: set.count > 0 ? (set.count - missed.length) / set.count : 0,
    predicted,
    missed,
  };
}
