/**
 * Exercise 11: the full MNIST run, with your own code from start to end.
 * `deno task train --impl exercises` calls {@link trainMnist} here.
 *
 * @module
 */

import { type LabeledImages, parseIdx } from "../09_data/data.ts";
import {
  type EpochReport,
  evaluate,
  type StepReport,
  type TrainConfig,
  trainModel,
} from "../10_training/training.ts";
import type { Mlp } from "../07_mlp/mlp.ts";

/** The four standard MNIST file names. (Given.) */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/**
 * A configuration that reaches 97% in a few minutes with plain loops.
 * (Given; `deno task train --impl ...` flags override single fields.)
 */
export const MNIST_CONFIG: TrainConfig = {
  epochs: 4,
  batchSize: 64,
  lr: 0.05,
  lrMin: 0,
  schedule: "cosine",
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  hidden: [128, 64],
  activation: "relu",
  seed: 1,
};

/** The three sets. */
export interface MnistData {
  /** The first 50,000 training images. */
  train: LabeledImages;
  /** The last 10,000 training images, held out to watch training. */
  validation: LabeledImages;
  /** The 10,000 test images, looked at once, at the end. */
  test: LabeledImages;
}

/**
 * **Task 11.1**: read the four files from `dir` with your `parseIdx`, check
 * they fit together, and split the training set.
 *
 * @param dir A folder holding the four files in {@link MNIST_FILES}.
 * @param validationCount How many of the last training images validate;
 * default 10,000.
 * @returns Train, validation and test sets (views, no copies needed).
 * @throws {Error} When a file is missing or not IDX, the image files are
 * not 3-D, or an image file's count differs from its label file's (naming
 * both files and both counts).
 */
export async function loadMnist(
  dir: string,
  validationCount = 10000,
): Promise<MnistData> {
  const read = async (name: string) => {
    const path = `${dir}/${name}`;
    return parseIdx(await Deno.readFile(path), path);
  };
  const load = async (
    imagesName: string,
    labelsName: string,
  ): Promise<LabeledImages> => {
    const images = await read(imagesName);
    const labels = await read(labelsName);
    if (images.dims.length !== 3) {
      throw new Error(
        `${dir}/${imagesName}: expected 3 dimensions (count, rows, cols), got [${images.dims}]`,
      );
    }
    if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
      throw new Error(
        `${dir}/${imagesName} holds ${
          images.dims[0]
        } images but ${dir}/${labelsName} holds [${labels.dims}] labels`,
      );
    }
    return {
      images: images.data,
      labels: labels.data,
      count: images.dims[0],
      pixels: images.dims[1] * images.dims[2],
    };
  };
  const all = await load(MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
  const test = await load(MNIST_FILES.testImages, MNIST_FILES.testLabels);
  if (!(validationCount >= 0 && validationCount < all.count)) {
    throw new RangeError(
      `loadMnist: cannot hold out ${validationCount} of ${all.count} training images`,
    );
  }
  const cut = all.count - validationCount;
  const slice = (start: number, end: number): LabeledImages => ({
    images: all.images.subarray(start * all.pixels, end * all.pixels),
    labels: all.labels.subarray(start, end),
    count: end - start,
    pixels: all.pixels,
  });
  return { train: slice(0, cut), validation: slice(cut, all.count), test };
}

/** What a full run measured. */
export interface MnistResult {
  /** The trained network. */
  model: Mlp;
  /** One report per epoch. */
  epochs: EpochReport[];
  /** The final model on the validation set. */
  validationAccuracy: number;
  /** The final model on the test set. */
  testAccuracy: number;
  /** Training time, summed over epochs, in seconds. */
  trainSeconds: number;
}

/**
 * **Task 11.2**: train on `data.train` with your `trainModel`, then measure
 * the final model on the validation and test sets with your `evaluate`.
 *
 * @param data From {@link loadMnist}.
 * @param config The hyperparameters; {@link MNIST_CONFIG} is a good start.
 * @param onEpoch Called after every epoch.
 * @param onStep Called after every step (pass it on to `trainModel`).
 * @returns The model and its accuracies.
 */
export function trainMnist(
  data: MnistData,
  config: TrainConfig,
  onEpoch?: (report: EpochReport) => void,
  onStep?: (report: StepReport) => void,
): MnistResult {
  const { model, scale, epochs } = trainModel(
    data,
    config,
    onEpoch,
    onStep,
  );
  return {
    model,
    epochs,
    validationAccuracy: evaluate(model, data.validation, scale),
    testAccuracy: evaluate(model, data.test, scale),
    trainSeconds: epochs.reduce((total, e) => total + e.seconds, 0),
  };
}
