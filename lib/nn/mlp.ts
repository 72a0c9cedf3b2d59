/**
 * A multilayer perceptron built from a sizes list:
 * `new Mlp({ sizes: [784, 128, 64, 10] })` stacks
 * `Linear(784→128) ReLU Linear(128→64) ReLU Linear(64→10)` (with `dropout`,
 * a Dropout after each ReLU; any other stack through `layers`) and returns
 * logits; the loss (softmax cross-entropy) sits outside the model.
 *
 * @module
 */

import { fastKernels } from "../kernels/gemm.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import {
  type ActivationName,
  type Layer,
  Linear,
  type Parameter,
} from "./layers.ts";
import { buildLayers, type LayerSpec, mlpSpecs } from "./layer_specs.ts";
import { softmax } from "./loss.ts";
import { Rng } from "../base/rng.ts";
import { argmaxRows, type DType, type Tensor, zeros } from "../base/tensor.ts";

/**
 * The network the kit trains by default: 784 pixels → 128 → 64 → 10 digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(new Mlp({ sizes: DEFAULT_SIZES }).toString() === "Mlp(784-128-64-10 relu f32)");
 * ```
 */
export const DEFAULT_SIZES: readonly number[] = [784, 128, 64, 10];

/**
 * What defines an MLP's architecture: everything a saved model must match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const architecture: MlpArchitecture = { sizes: [784, 32, 10], activation: "tanh" };
 * assert(new Mlp(architecture).activation === "tanh");
 * ```
 */
export interface MlpArchitecture {
  /** Layer widths, input first, classes last, e.g. `[784, 128, 64, 10]`. */
  sizes: readonly number[];
  /** The hidden layers' activation; default `"relu"`. */
  activation?: ActivationName;
  /** `"f32"` (the default) or `"f64"`. */
  dtype?: DType;
}

/**
 * Options for {@link Mlp}: the architecture plus how to build it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const options: MlpOptions = { sizes: [784, 32, 10], dtype: "f64", seed: 3, dropout: 0.2 };
 * assert(new Mlp(options).layers.length === 4);
 * ```
 */
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
  /** Dropout rate after each hidden activation, in [0, 1); default 0 (none). */
  dropout?: number;
  /**
   * The stack itself, when it is not the plain one `sizes`, `activation`
   * and `dropout` describe (see `mlpSpecs`); its Linear widths must be
   * `sizes` after the first.
   */
  layers?: readonly LayerSpec[];
}

/**
 * Predicted classes and how sure the model is of each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const model = new Mlp({ sizes: [2, 3], seed: 1 });
 * const { labels, confidences }: Predictions = model.predict(fromValues([1, 2], [1, 2]));
 * assert(labels[0] < 3 && confidences[0] >= 1 / 3);
 * ```
 */
export interface Predictions {
  /** `[batch]` argmax classes. */
  labels: Int32Array;
  /** `[batch]` softmax probability of the predicted class. */
  confidences: Float64Array;
}

/**
 * Linear layers with an activation between each pair.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues, Sgd, softmaxCrossEntropy, zeros } from "@mnist-from-scratch/kit";
 *
 * const model = new Mlp({ sizes: [4, 8, 3], dtype: "f64", seed: 1 });
 * const sgd = new Sgd(model.parameters());
 * const images = fromValues([1, 0, 0.5, 2, 0, 1, 1, 0], [2, 4], "f64");
 * const dLogits = zeros([2, 3], "f64");
 * const before = softmaxCrossEntropy(model.forward(images), [2, 0], dLogits);
 * model.backward(dLogits);
 * sgd.step(0.1);
 * const after = softmaxCrossEntropy(model.forward(images), [2, 0]);
 * assert(after < before);
 * ```
 */
export class Mlp {
  /** Layer widths, input first. */
  readonly sizes: readonly number[];
  /** The hidden activation. */
  readonly activation: ActivationName;
  /** The dtype of every parameter and buffer. */
  readonly dtype: DType;
  /** Linear, activation, (Dropout,) Linear, ... Linear. */
  readonly layers: readonly Layer[];
  #training = true;

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
    const specs = options.layers ??
      mlpSpecs(sizes, this.activation, options.dropout);
    const widths = specs.flatMap((spec) =>
      spec.kind === "linear" ? [spec.out] : []
    );
    if (widths.join() !== sizes.slice(1).join()) {
      throw new RangeError(
        `Mlp: the layers' widths [${widths}] do not match sizes [${sizes}]`,
      );
    }
    const layers = buildLayers(sizes[0], specs, {
      dtype: this.dtype,
      rng: options.rng ?? new Rng(options.seed ?? 0),
      kernels: options.kernels ?? fastKernels,
    });
    this.layers = layers;
    const output = layers.findLast((layer) => layer instanceof Linear)!;
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

  /** Whether the layers act as in training (dropout on); true at first. */
  get training(): boolean {
    return this.#training;
  }

  /**
   * Switches every layer between training and evaluation. Training turns
   * it on; {@link predict} runs in evaluation mode.
   */
  setTraining(training: boolean): void {
    this.#training = training;
    for (const layer of this.layers) layer.setTraining?.(training);
  }

  /**
   * Classifies a batch, in evaluation mode (the mode is restored after).
   *
   * @param input `[batch, sizes[0]]`.
   * @returns The argmax class of each row and its softmax probability.
   */
  predict(input: Tensor): Predictions {
    const training = this.#training;
    this.setTraining(false);
    let logits: Tensor;
    try {
      logits = this.forward(input);
    } finally {
      this.setTraining(training);
    }
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
