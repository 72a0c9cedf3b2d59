/**
 * A multilayer perceptron built from a sizes list:
 * `new Mlp({ sizes: [784, 128, 64, 10] })` stacks
 * `Linear(784→128) ReLU Linear(128→64) ReLU Linear(64→10)` and returns
 * logits; the loss (softmax cross-entropy) sits outside the model.
 *
 * @module
 */

import { fastKernels } from "../kernels/gemm.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import {
  type ActivationName,
  ACTIVATIONS,
  type Layer,
  Linear,
  type Parameter,
} from "./layers.ts";
import { softmax } from "./loss.ts";
import { Rng } from "../base/rng.ts";
import { argmaxRows, type DType, type Tensor, zeros } from "../base/tensor.ts";

/** The network the kit trains by default: 784 pixels → 128 → 64 → 10 digits. */
export const DEFAULT_SIZES: readonly number[] = [784, 128, 64, 10];

/** What defines an MLP's architecture: everything a saved model must match. */
export interface MlpArchitecture {
  /** Layer widths, input first, classes last, e.g. `[784, 128, 64, 10]`. */
  sizes: readonly number[];
  /** The hidden layers' activation; default `"relu"`. */
  activation?: ActivationName;
  /** `"f32"` (the default) or `"f64"`. */
  dtype?: DType;
}

/** Options for {@link Mlp}: the architecture plus how to build it. */
export interface MlpOptions extends MlpArchitecture {
  /** Seeds the He initialization; default 0. */
  seed?: number;
  /** Or an RNG to draw from (overrides `seed`). */
  rng?: Rng;
  /** The matrix-product implementation; {@link fastKernels} by default. */
  kernels?: Kernels;
  /**
   * Multiplies the output layer's He-initialized weights; default 0.1. Small
   * logits make the untrained network guess uniformly, so its loss starts at
   * ln 10 ≈ 2.30 (the classic sanity check) instead of about 2.9, with a
   * slightly better final accuracy too (README, "The default recipe").
   */
  outputScale?: number;
}

/** Predicted classes and how sure the model is of each. */
export interface Predictions {
  /** `[batch]` argmax classes. */
  labels: Int32Array;
  /** `[batch]` softmax probability of the predicted class. */
  confidences: Float64Array;
}

/** Linear layers with an activation between each pair. */
export class Mlp {
  /** Layer widths, input first. */
  readonly sizes: readonly number[];
  /** The hidden activation. */
  readonly activation: ActivationName;
  /** The dtype of every parameter and buffer. */
  readonly dtype: DType;
  /** Linear, activation, Linear, ... Linear. */
  readonly layers: readonly Layer[];

  /**
   * Builds the layers and initializes their weights.
   *
   * @param options Sizes, activation, dtype, seed or RNG, kernels.
   * @throws {RangeError} When `sizes` has fewer than two entries or a width
   * that is not a positive integer.
   */
  constructor(options: MlpOptions) {
    const sizes = [...options.sizes];
    if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
      throw new RangeError(
        `Mlp: sizes must be two or more positive integers, got [${sizes}]`,
      );
    }
    this.sizes = sizes;
    this.activation = options.activation ?? "relu";
    this.dtype = options.dtype ?? "f32";
    const rng = options.rng ?? new Rng(options.seed ?? 0);
    const kernels = options.kernels ?? fastKernels;
    const Activation = ACTIVATIONS[this.activation];
    const layers: Layer[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(
        new Linear(sizes[i], sizes[i + 1], {
          dtype: this.dtype,
          rng,
          kernels,
          inputGradient: i > 0,
        }),
      );
      if (i + 2 < sizes.length) {
        layers.push(
          new Activation(sizes[i + 1], this.dtype, kernels),
        );
      }
    }
    this.layers = layers;
    const output = layers[layers.length - 1] as Linear;
    const scale = options.outputScale ?? 0.1;
    for (let i = 0; i < output.weights.data.length; i++) {
      output.weights.data[i] *= scale;
    }
  }

  /**
   * Runs a batch through every layer.
   *
   * @param input `[batch, sizes[0]]`.
   * @returns logits `[batch, classes]`; a buffer the next call overwrites.
   */
  forward(input: Tensor): Tensor {
    let x = input;
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }

  /**
   * Backpropagates through every layer, filling every parameter's gradient.
   *
   * @param dLogits dLoss/dLogits `[batch, classes]` for the last `forward`.
   */
  backward(dLogits: Tensor): void {
    let grad: Tensor | null = dLogits;
    for (let i = this.layers.length - 1; i >= 0 && grad !== null; i--) {
      grad = this.layers[i].backward(grad);
    }
  }

  /**
   * Every learnable tensor of every layer.
   *
   * @returns Every parameter, named `layer<i>.weights` / `layer<i>.bias`
   * where `i` counts Linear layers from 0.
   */
  parameters(): Parameter[] {
    return this.layers.filter((layer) => layer instanceof Linear).flatMap((
      layer,
      i,
    ) =>
      layer.parameters().map((p) => ({ ...p, name: `layer${i}.${p.name}` }))
    );
  }

  /** Counts the learnable numbers. @returns How many numbers the model learns. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.value.data.length, 0);
  }

  /**
   * Classifies a batch.
   *
   * @param input `[batch, sizes[0]]`.
   * @returns The argmax class of each row and its softmax probability.
   */
  predict(input: Tensor): Predictions {
    const logits = this.forward(input);
    const probabilities = softmax(logits, zeros(logits.shape, this.dtype));
    const labels = argmaxRows(probabilities);
    const confidences = new Float64Array(labels.length);
    const classes = logits.cols;
    for (let r = 0; r < labels.length; r++) {
      confidences[r] = probabilities.data[r * classes + labels[r]];
    }
    return { labels, confidences };
  }

  /** For messages: `Mlp(784-128-64-10 relu f32)`. */
  toString(): string {
    return `Mlp(${this.sizes.join("-")} ${this.activation} ${this.dtype})`;
  }
}
