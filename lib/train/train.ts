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
import type { ActivationName } from "../nn/layers.ts";
import { softmaxCrossEntropy } from "../nn/loss.ts";
import type { LabeledImages } from "../data/mnist.ts";
import { Mlp } from "../nn/mlp.ts";
import { Sgd } from "../optim/optimizer.ts";
import { Rng } from "../base/rng.ts";
import { learningRateAt, type ScheduleName } from "../optim/schedule.ts";
import { argmaxRows, type DType, type Tensor, zeros } from "../base/tensor.ts";
import type { Kernels } from "../kernels/kernel_set.ts";

/** Everything that decides a training run. */
export interface TrainConfig {
  /** Passes over the training split. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** The peak learning rate. */
  lr: number;
  /** Where the cosine schedule ends. */
  lrMin: number;
  /** How the learning rate moves over the run. */
  schedule: ScheduleName;
  /** SGD momentum. */
  momentum: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** L2 weight decay. */
  weightDecay: number;
  /** Hidden layer widths, e.g. `[128, 64]`. */
  hidden: number[];
  /** The hidden activation. */
  activation: ActivationName;
  /** The dtype of the whole computation. */
  dtype: DType;
  /** Seeds initialization and shuffling. */
  seed: number;
}

/** The kit's default run: 784-128-64-10 ReLU, f32. */
export const DEFAULT_CONFIG: Readonly<TrainConfig> = {
  epochs: 15,
  batchSize: 64,
  lr: 0.05,
  lrMin: 0,
  schedule: "cosine",
  momentum: 0.9,
  nesterov: false,
  weightDecay: 5e-4,
  hidden: [128, 64],
  activation: "relu",
  dtype: "f32",
  seed: 1,
};

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
 * Trains an MLP `[pixels, ...hidden, 10]` from scratch.
 *
 * @param data Train, validation and test sets and the normalizer.
 * @param config The hyperparameters and seed.
 * @param hooks Progress callbacks.
 * @param kernels The matrix products to use; the fast ones by default.
 * @returns The model and everything measured.
 * @throws {DivergedError} When the loss turns NaN or infinite.
 */
export async function train(
  data: TrainData,
  config: TrainConfig,
  hooks: TrainHooks = {},
  kernels?: Kernels,
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
  const optimizer = new Sgd(model.parameters(), { ...config, kernels });
  const batcher = new Batcher(
    data.train,
    config.batchSize,
    data.normalizer,
    config.dtype,
    kernels,
  );
  const totalSteps = config.epochs * batcher.batchesPerEpoch;
  const schedule = {
    kind: config.schedule,
    lr: config.lr,
    lrMin: config.lrMin,
  };
  // The loss gradient and predictions, one set of buffers per batch size
  // (the last batch of an epoch is shorter), so a step allocates nothing.
  const classes = model.sizes[model.sizes.length - 1];
  const stepBuffers = new Map<
    number,
    { dLogits: Tensor; predicted: Int32Array }
  >();
  const buffersFor = (size: number) => {
    let buffers = stepBuffers.get(size);
    if (!buffers) {
      buffers = {
        dLogits: zeros([size, classes], config.dtype),
        predicted: new Int32Array(size),
      };
      stepBuffers.set(size, buffers);
    }
    return buffers;
  };

  const epochs: EpochMetrics[] = [];
  const batchAccuracy: number[] = [];
  const batchLoss: number[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const started = performance.now();
    const epochLr = learningRateAt(schedule, step, totalSteps);
    let lossSum = 0;
    let correct = 0;
    for (const batch of batcher.epoch(rng)) {
      const size = batch.labels.length;
      const lr = learningRateAt(schedule, step, totalSteps);
      const logits = model.forward(batch.images);
      const { dLogits, predicted } = buffersFor(size);
      const loss = softmaxCrossEntropy(logits, batch.labels, dLogits);
      step++;
      if (!Number.isFinite(loss)) {
        throw new DivergedError(step, epoch, lr, loss);
      }
      const right = countCorrect(argmaxRows(logits, predicted), batch);
      model.backward(dLogits);
      optimizer.step(lr);
      lossSum += loss * size;
      correct += right;
      batchAccuracy.push(right / size);
      batchLoss.push(loss);
      hooks.onStep?.(step, totalSteps, loss, lr);
    }
    const seconds = (performance.now() - started) / 1000;
    const metrics: EpochMetrics = {
      epoch,
      trainLoss: lossSum / data.train.count,
      trainAccuracy: correct / data.train.count,
      validationAccuracy:
        evaluate(model, data.validation, data.normalizer).accuracy,
      seconds,
      samplesPerSecond: data.train.count / seconds,
      lr: epochLr,
    };
    epochs.push(metrics);
    if ((await hooks.onEpoch?.(metrics, model)) === false) break;
  }
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
