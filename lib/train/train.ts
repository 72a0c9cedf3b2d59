/**
 * The training loop: minibatch SGD over the training split, validation after
 * every epoch, then one look at the test set.
 *
 * @module
 */

import {
  type Batch,
  Batcher,
  type Normalizer,
  toTensor,
} from "../data/dataset.ts";
import { KitError } from "../base/errors.ts";
import { softmaxCrossEntropy } from "../nn/loss.ts";
import type { LabeledImages } from "../data/mnist.ts";
import { Mlp } from "../nn/mlp.ts";
import { createOptimizer } from "../optim/registry.ts";
import type { TrainConfig } from "./settings.ts";
import { Rng } from "../base/rng.ts";
import { learningRateAt } from "../optim/schedule.ts";
import { argmaxRows, type Tensor, zeros } from "../base/tensor.ts";
import type { Kernels } from "../kernels/gemm.ts";
import {
  captureCheckpoint,
  freshProgress,
  restoreCheckpoint,
  type TrainCheckpoint,
  type TrainParts,
  type TrainProgress,
} from "./checkpoint.ts";

/** The data a run uses; see `splitTrainValidation` and `fitNormalizer`. */
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

/** What one epoch did. */
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

/** A misclassified image. */
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

/** A set's accuracy, its predictions and its mistakes. */
export interface Evaluation {
  /** Fraction right. */
  accuracy: number;
  /** `[count]` predicted digits. */
  predicted: Int32Array;
  /** Every mistake, in index order. */
  missed: Miss[];
}

/** Everything a run measured. */
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

/** Called as training goes, e.g. to draw a progress bar or save checkpoints. */
export interface TrainHooks {
  /** After every step. */
  onStep?(step: number, totalSteps: number, loss: number, lr: number): void;
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
 */
export class TrainInterrupted extends KitError {
  /**
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
 */
export async function train(
  data: TrainData,
  config: TrainConfig,
  hooks: TrainHooks = {},
  kernels?: Kernels,
  resume?: TrainCheckpoint,
): Promise<TrainResult> {
  const rng = new Rng(config.seed);
  const pixels = data.train.rows * data.train.cols;
  const model = new Mlp({
    sizes: [pixels, ...config.hidden, 10],
    activation: config.activation,
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
  const progress = resume ? restoreCheckpoint(resume, parts) : freshProgress();
  const loop = { data, config, hooks, batcher, parts, progress };
  const buffersFor = stepBuffers(model.sizes[model.sizes.length - 1], config);
  while (progress.epoch <= config.epochs) {
    const metrics = await runEpoch(loop, buffersFor);
    if (hooks.onCheckpoint) {
      await hooks.onCheckpoint(captureCheckpoint(progress, parts));
    }
    if ((await hooks.onEpoch?.(metrics, model)) === false) break;
  }
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

/** What {@link runEpoch} works on. */
interface TrainLoop {
  data: TrainData;
  config: TrainConfig;
  hooks: TrainHooks;
  batcher: Batcher;
  parts: TrainParts;
  progress: TrainProgress;
}

/**
 * How often training lets the event loop run when stops can be requested,
 * so a Ctrl-C handler gets to set its flag (a step alone never awaits).
 */
const YIELD_MS = 50;

/**
 * Runs the rest of the epoch in progress (all of it, unless resumed
 * mid-epoch), validates, and moves `progress` to the next epoch.
 */
async function runEpoch(
  loop: TrainLoop,
  buffersFor: ReturnType<typeof stepBuffers>,
): Promise<EpochMetrics> {
  const { data, config, hooks, batcher, parts, progress } = loop;
  const { model, optimizer, rng } = parts;
  const schedule = {
    kind: config.schedule,
    lr: config.lr,
    lrMin: config.lrMin,
  };
  const totalSteps = config.epochs * batcher.batchesPerEpoch;
  const epoch = progress.epoch;
  const epochStart = progress.step - progress.stepInEpoch;
  const started = performance.now();
  let lastYield = started;
  for (const batch of batcher.epoch(rng, progress.stepInEpoch)) {
    const size = batch.labels.length;
    const lr = learningRateAt(schedule, progress.step, totalSteps);
    const logits = model.forward(batch.images);
    const { dLogits, predicted } = buffersFor(size);
    const loss = softmaxCrossEntropy(logits, batch.labels, dLogits);
    progress.step++;
    if (!Number.isFinite(loss)) {
      throw new DivergedError(progress.step, epoch, lr, loss);
    }
    const right = countCorrect(argmaxRows(logits, predicted), batch);
    model.backward(dLogits);
    optimizer.step(lr);
    progress.stepInEpoch++;
    progress.lossSum += loss * size;
    progress.correct += right;
    progress.batchAccuracy.push(right / size);
    progress.batchLoss.push(loss);
    hooks.onStep?.(progress.step, totalSteps, loss, lr);
    if (hooks.stopRequested) {
      if (performance.now() - lastYield > YIELD_MS) {
        // A signal handler (Ctrl-C) runs only when the event loop does.
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      if (hooks.stopRequested()) {
        progress.secondsInEpoch += (performance.now() - started) / 1000;
        await hooks.onCheckpoint?.(captureCheckpoint(progress, parts));
        throw new TrainInterrupted(progress.step, epoch);
      }
    }
  }
  const seconds = progress.secondsInEpoch +
    (performance.now() - started) / 1000;
  const metrics: EpochMetrics = {
    epoch,
    trainLoss: progress.lossSum / data.train.count,
    trainAccuracy: progress.correct / data.train.count,
    validationAccuracy:
      evaluate(model, data.validation, data.normalizer).accuracy,
    seconds,
    samplesPerSecond: data.train.count / seconds,
    lr: learningRateAt(schedule, epochStart, totalSteps),
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
 * The loss gradient and predictions, one set of buffers per batch size (the
 * last batch of an epoch is shorter), so a step allocates nothing.
 */
function stepBuffers(
  classes: number,
  config: TrainConfig,
): (size: number) => { dLogits: Tensor; predicted: Int32Array } {
  const buffers = new Map<number, { dLogits: Tensor; predicted: Int32Array }>();
  return (size) => {
    let held = buffers.get(size);
    if (!held) {
      held = {
        dLogits: zeros([size, classes], config.dtype),
        predicted: new Int32Array(size),
      };
      buffers.set(size, held);
    }
    return held;
  };
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
 * @param model The network.
 * @param set The images and their labels.
 * @param normalizer The same normalizer the model trained with.
 * @returns Accuracy, predictions and every mistake.
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
