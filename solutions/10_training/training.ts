/**
 * Exercise 10: the training loop and evaluation: every piece so far, put to
 * work. One step: forward, loss, backward, optimizer step.
 *
 * @module
 */

import { argmaxRows, makeRng, type Tensor } from "../01_tensors/tensors.ts";
import type { ActivationName } from "../04_activations/activations.ts";
import { crossEntropy } from "../05_softmax/softmax.ts";
import {
  createMlp,
  gradientList,
  type Mlp,
  mlpBackward,
  mlpForward,
  mlpParameters,
} from "../07_mlp/mlp.ts";
import {
  createSgd,
  learningRateAt,
  type ScheduleName,
  type Sgd,
  sgdStep,
} from "../08_sgd/sgd.ts";
import {
  batchIndices,
  fitScale,
  type LabeledImages,
  toInputs,
} from "../09_data/data.ts";

/** Everything that decides a training run. */
export interface TrainConfig {
  /** Passes over the training set. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Where the cosine schedule ends. */
  lrMin: number;
  /** The learning-rate curve. */
  schedule: ScheduleName;
  /** SGD momentum. */
  momentum: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** L2 weight decay. */
  weightDecay: number;
  /** Hidden widths, e.g. `[128, 64]`. */
  hidden: number[];
  /** The hidden activation. */
  activation: ActivationName;
  /** Seeds the initial weights and the shuffling. */
  seed: number;
}

/** What one epoch did. */
export interface EpochReport {
  /** From 1. */
  epoch: number;
  /** Mean training loss over the epoch's steps, weighted by batch size. */
  trainLoss: number;
  /** Fraction of training images right during the epoch. */
  trainAccuracy: number;
  /** Fraction of validation images right after the epoch. */
  validationAccuracy: number;
  /** Training time of the epoch, in seconds. */
  seconds: number;
}

/** What one step did: the live curves and the report plot these. */
export interface StepReport {
  /** From 1, counted over all epochs. */
  step: number;
  /** The batch's mean loss. */
  loss: number;
  /** Fraction of the batch classified right (before the update). */
  accuracy: number;
}

/**
 * **Task 10.1**: one training step on one batch.
 *
 * @param model Changed in place.
 * @param sgd The optimizer for `mlpParameters(model)`.
 * @param x `[batch, sizes[0]]`.
 * @param labels `[batch]`.
 * @param lr This step's learning rate.
 * @returns The batch's loss (before the update) and how many of its images
 * the model got right (before the update).
 */
export function trainStep(
  model: Mlp,
  sgd: Sgd,
  x: Tensor,
  labels: ArrayLike<number>,
  lr: number,
): { loss: number; correct: number } {
  const { logits, cache } = mlpForward(model, x);
  const { loss, dLogits } = crossEntropy(logits, labels);
  const predicted = argmaxRows(logits);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (predicted[i] === labels[i]) correct++;
  }
  const grads = mlpBackward(model, dLogits, cache);
  sgdStep(sgd, mlpParameters(model), gradientList(grads), lr);
  return { loss, correct };
}

/**
 * **Task 10.2**: the fraction of a set the model classifies right, in
 * chunks of 1,000 images so memory stays small.
 *
 * @param model The network.
 * @param set The images.
 * @param scale The normalizer the model trained with.
 * @returns Accuracy in [0, 1] (0 for an empty set).
 */
export function evaluate(
  model: Mlp,
  set: LabeledImages,
  scale: number,
): number {
  let correct = 0;
  for (let start = 0; start < set.count; start += 1000) {
    const end = Math.min(start + 1000, set.count);
    const indices = Int32Array.from(
      { length: end - start },
      (_, i) => start + i,
    );
    const { x, labels } = toInputs(set, indices, scale);
    const predicted = argmaxRows(mlpForward(model, x).logits);
    for (let i = 0; i < labels.length; i++) {
      if (predicted[i] === labels[i]) correct++;
    }
  }
  return set.count > 0 ? correct / set.count : 0;
}

/**
 * **Task 10.3**: train a fresh model: `[pixels, ...hidden, 10]`, seeded
 * with `makeRng(config.seed)` (one generator for the weights, then the
 * shuffling), the scale fitted on `train`, one learning rate per step from
 * the schedule over all `epochs × batches` steps; after each epoch,
 * measure the validation accuracy and call `onEpoch`. After every step, call
 * `onStep` with the step number (from 1), the batch's loss and its accuracy.
 *
 * @param data The training and validation sets.
 * @param config The hyperparameters.
 * @param onEpoch Called after every epoch, e.g. to print progress.
 * @param onStep Called after every step, e.g. to plot the loss live.
 * @returns The trained model, the scale it expects, and one report per epoch.
 * @throws {Error} When the loss stops being finite, naming the step, the
 * epoch and the learning rate.
 */
export function trainModel(
  data: { train: LabeledImages; validation: LabeledImages },
  config: TrainConfig,
  onEpoch?: (report: EpochReport) => void,
  onStep?: (report: StepReport) => void,
): { model: Mlp; scale: number; epochs: EpochReport[] } {
  const rng = makeRng(config.seed);
  const model = createMlp(
    [data.train.pixels, ...config.hidden, 10],
    config.activation,
    rng,
  );
  const params = mlpParameters(model);
  const sgd = createSgd(params, config);
  const scale = fitScale(data.train.images);
  const schedule = {
    kind: config.schedule,
    lr: config.lr,
    lrMin: config.lrMin,
  };
  const stepsPerEpoch = Math.ceil(data.train.count / config.batchSize);
  const totalSteps = config.epochs * stepsPerEpoch;
  const epochs: EpochReport[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    for (const batch of batchIndices(data.train.count, config.batchSize, rng)) {
      const lr = learningRateAt(schedule, step, totalSteps);
      const { x, labels } = toInputs(data.train, batch, scale);
      const result = trainStep(model, sgd, x, labels, lr);
      step++;
      if (!Number.isFinite(result.loss)) {
        throw new Error(
          `training diverged: loss ${result.loss} at step ${step} (epoch ${epoch}) with learning rate ${lr}; lower the learning rate`,
        );
      }
      lossSum += result.loss * batch.length;
      correct += result.correct;
      onStep?.({
        step,
        loss: result.loss,
        accuracy: result.correct / batch.length,
      });
    }
    const report: EpochReport = {
      epoch,
      trainLoss: lossSum / data.train.count,
      trainAccuracy: correct / data.train.count,
      validationAccuracy: evaluate(model, data.validation, scale),
      seconds: (performance.now() - started) / 1000,
    };
    epochs.push(report);
    onEpoch?.(report);
  }
  return { model, scale, epochs };
}
