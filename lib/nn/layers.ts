/**
 * Layers: each one a `forward` that keeps exactly what its `backward` needs,
 * and a `backward` that turns the gradient of the loss with respect to the
 * layer's output into the gradient with respect to its input (and, for
 * layers with parameters, fills their gradients).
 *
 * Shapes: inputs and outputs are `[batch, features]`. Output and gradient
 * buffers belong to the layer and are reused from step to step, so a
 * training step allocates nothing; a caller that wants to keep an output
 * past the next `forward` copies it.
 *
 * @module
 */

import { fastKernels } from "../kernels/gemm.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import type { Rng } from "../base/rng.ts";
import {
  allocate as allocateArray,
  assertShape,
  type DType,
  type FloatArray,
  Tensor,
} from "../base/tensor.ts";

/**
 * A learnable tensor and the gradient of the loss with respect to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const layer = new Linear(3, 2, { dtype: "f64" });
 * const [weights]: Parameter[] = layer.parameters();
 * assert(weights.name === "weights" && weights.grad.data.length === 6);
 * ```
 */
export interface Parameter {
  /** Where it lives, e.g. `"layer0.weights"`. */
  readonly name: string;
  /** The current values. */
  readonly value: Tensor;
  /** Filled by the owning layer's `backward`, same shape as `value`. */
  readonly grad: Tensor;
}

/**
 * A step of the network: `[batch, inFeatures] → [batch, outFeatures]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const layers: Layer[] = [new Linear(2, 3, { dtype: "f64" }), new ReLU(3, "f64")];
 * let x = fromValues([1, -1], [1, 2], "f64");
 * for (const layer of layers) x = layer.forward(x);
 * assert(x.cols === 3);
 * ```
 */
export interface Layer {
  /** For messages: `"Linear(784→128)"`, `"ReLU"`. */
  readonly name: string;
  /**
   * Computes the layer's output and keeps what `backward` needs.
   *
   * @param input `[batch, inFeatures]`.
   * @returns `[batch, outFeatures]`, a buffer reused by the next call.
   */
  forward(input: Tensor): Tensor;
  /**
   * Backpropagates: fills parameter gradients and returns dLoss/dInput.
   *
   * @param dOutput dLoss/dOutput, `[batch, outFeatures]`, for the last `forward`.
   * @returns dLoss/dInput, `[batch, inFeatures]`, or `null` when the layer
   * was told its input needs no gradient (the first layer's input is data).
   */
  backward(dOutput: Tensor): Tensor | null;
  /** The layer's parameters (none for activations). */
  parameters(): Parameter[];
  /**
   * Switches between training and evaluation, for layers that act
   * differently in each (dropout drops only while training). Layers that
   * do not care leave it out. Layers start in training mode.
   */
  setTraining?(training: boolean): void;
}

/**
 * Allocates the storage of a tensor: see `Kernels.allocate`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocate } from "@mnist-from-scratch/kit";
 *
 * const place: Allocator = (dtype, length) => allocate(dtype, length);
 * assert(place("f64", 4).length === 4);
 * ```
 */
export type Allocator = (dtype: DType, length: number) => FloatArray;

/**
 * Hands out a `[rows, cols]` buffer. Storage is allocated for the most rows
 * seen so far and smaller requests get a view of it, so the last, shorter
 * batch of an epoch allocates nothing new.
 */
export class RowBuffer {
  #storage: FloatArray | null = null;
  #tensor: Tensor | null = null;
  constructor(
    readonly cols: number,
    readonly dtype: DType,
    readonly allocate: Allocator,
  ) {}
  /** A `[rows, cols]` tensor over the storage, valid until the next call. */
  get(rows: number): Tensor {
    if (this.#tensor?.rows === rows) return this.#tensor;
    const length = rows * this.cols;
    if (this.#storage === null || this.#storage.length < length) {
      this.#storage = this.allocate(this.dtype, length);
    }
    this.#tensor = new Tensor(this.#storage.subarray(0, length), [
      rows,
      this.cols,
    ]);
    return this.#tensor;
  }
}

/**
 * Options for {@link Linear}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@mnist-from-scratch/kit";
 *
 * const options: LinearOptions = { dtype: "f64", rng: new Rng(1), inputGradient: false };
 * assert(new Linear(784, 128, options).weights.data.length === 784 * 128);
 * ```
 */
export interface LinearOptions {
  /** `"f32"` (the default) or `"f64"`. */
  dtype?: DType;
  /** Draws the initial weights; without it they start at zero. */
  rng?: Rng;
  /** The matrix-product implementation; {@link fastKernels} by default. */
  kernels?: Kernels;
  /**
   * Whether `backward` computes dLoss/dInput. The first layer's input is the
   * data, whose gradient nobody needs; skipping it saves a third of that
   * layer's work. Default `true`.
   */
  inputGradient?: boolean;
}

/**
 * A fully connected layer: `output = input · weights + bias`.
 *
 * - `weights`: `[inFeatures, outFeatures]`, He-initialized:
 *   normal with std `sqrt(2 / inFeatures)`, which keeps the scale of the
 *   signal steady through ReLU layers.
 * - `bias`: `[outFeatures]`, zeros.
 *
 * Backward, with `dY` = dLoss/dOutput `[batch, out]`:
 * `dWeights = inputᵀ · dY`, `dBias = Σ_rows dY`, `dInput = dY · weightsᵀ`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const layer = new Linear(2, 1, { dtype: "f64" });
 * layer.weights.data.set([3, 4]);
 * layer.bias.data.set([1]);
 * const y = layer.forward(fromValues([1, 1], [1, 2], "f64"));
 * assert(y.data[0] === 3 + 4 + 1);
 * ```
 */
export class Linear implements Layer {
  readonly name: string;
  /** `[inFeatures, outFeatures]` */
  readonly weights: Tensor;
  /** `[outFeatures]` */
  readonly bias: Tensor;
  /** dLoss/dWeights, `[inFeatures, outFeatures]` */
  readonly dWeights: Tensor;
  /** dLoss/dBias, `[outFeatures]` */
  readonly dBias: Tensor;
  readonly #kernels: Kernels;
  readonly #inputGradient: boolean;
  readonly #output: RowBuffer;
  readonly #dInput: RowBuffer;
  /** The last forward's input: backward needs it for dWeights. */
  #input: Tensor | null = null;

  /**
   * Creates the layer with He-initialized weights (when given an RNG) and zero bias.
   *
   * @param inFeatures Input width, e.g. 784.
   * @param outFeatures Output width, e.g. 128.
   * @param options dtype, initialization RNG, kernels, input gradient.
   */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    const dtype = options.dtype ?? "f32";
    this.name = `Linear(${inFeatures}→${outFeatures})`;
    this.#kernels = options.kernels ?? fastKernels;
    const allocate: Allocator = this.#kernels.allocate?.bind(this.#kernels) ??
      allocateArray;
    const tensor = (shape: number[]) =>
      new Tensor(allocate(dtype, shape.reduce((a, b) => a * b)), shape);
    this.weights = tensor([inFeatures, outFeatures]);
    this.bias = tensor([outFeatures]);
    this.dWeights = tensor([inFeatures, outFeatures]);
    this.dBias = tensor([outFeatures]);
    this.#inputGradient = options.inputGradient ?? true;
    this.#output = new RowBuffer(outFeatures, dtype, allocate);
    this.#dInput = new RowBuffer(inFeatures, dtype, allocate);
    if (options.rng) {
      const std = Math.sqrt(2 / inFeatures);
      const w = this.weights.data;
      for (let i = 0; i < w.length; i++) w[i] = options.rng.normal(0, std);
    }
  }

  /**
   * Computes `input · weights + bias` and keeps `input` for backward.
   *
   * @param input `[batch, inFeatures]`.
   * @returns `[batch, outFeatures]`.
   */
  forward(input: Tensor): Tensor {
    assertShape(input, [-1, this.inFeatures], `${this.name} input`);
    const batch = input.rows;
    const output = this.#output.get(batch);
    const n = this.outFeatures;
    this.#kernels.ab(
      input.data,
      this.weights.data,
      output.data,
      batch,
      this.inFeatures,
      n,
    );
    const out = output.data;
    const bias = this.bias.data;
    if (!this.#kernels.addRowVector?.(out, bias, batch, n)) {
      for (let r = 0; r < batch; r++) {
        const row = r * n;
        for (let j = 0; j < n; j++) out[row + j] += bias[j];
      }
    }
    this.#input = input;
    return output;
  }

  /**
   * Fills `dWeights` and `dBias` and returns dLoss/dInput.
   *
   * @param dOutput `[batch, outFeatures]`.
   * @returns dLoss/dInput `[batch, inFeatures]`, or `null` when the layer
   * was built with `inputGradient: false`.
   */
  backward(dOutput: Tensor): Tensor | null {
    const input = this.#input;
    if (input === null) {
      throw new Error(`${this.name}: backward() called before forward()`);
    }
    const batch = input.rows;
    const n = this.outFeatures;
    assertShape(dOutput, [batch, n], `${this.name} dOutput`);
    const dY = dOutput.data;
    const dInput = this.#inputGradient ? this.#dInput.get(batch) : null;
    const both = dInput !== null && this.#kernels.atbAbt?.(
      input.data,
      dY,
      this.weights.data,
      this.dWeights.data,
      dInput.data,
      batch,
      this.inFeatures,
      n,
    );
    if (!both) {
      this.#kernels.atb(
        input.data,
        dY,
        this.dWeights.data,
        this.inFeatures,
        batch,
        n,
      );
      if (dInput !== null) {
        this.#kernels.abt(
          dY,
          this.weights.data,
          dInput.data,
          batch,
          n,
          this.inFeatures,
        );
      }
    }
    const dBias = this.dBias.data;
    if (!this.#kernels.sumRows?.(dY, dBias, batch, n)) {
      dBias.fill(0);
      for (let r = 0; r < batch; r++) {
        const row = r * n;
        for (let j = 0; j < n; j++) dBias[j] += dY[row + j];
      }
    }
    return dInput;
  }

  /** The learnable tensors. @returns `weights` and `bias` with their gradients. */
  parameters(): Parameter[] {
    return [
      { name: "weights", value: this.weights, grad: this.dWeights },
      { name: "bias", value: this.bias, grad: this.dBias },
    ];
  }
}

/**
 * The shared shape of the elementwise activations: `forward` applies `f` and
 * keeps its output; `backward` multiplies `dOutput` by `f'`, which for all
 * three can be written from the output alone, so nothing else is kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * class Softplus extends Activation {
 *   readonly name = "Softplus";
 *   apply(x: number): number {
 *     return Math.log1p(Math.exp(x));
 *   }
 *   slopeFromOutput(y: number): number {
 *     return 1 - Math.exp(-y); // σ(x), written from y = softplus(x)
 *   }
 * }
 * const y = new Softplus(1, "f64").forward(fromValues([0], [1, 1], "f64"));
 * assert(Math.abs(y.data[0] - Math.LN2) < 1e-15);
 * ```
 */
export abstract class Activation implements Layer {
  /** The activation's name, e.g. `"ReLU"`. */
  abstract readonly name: string;
  /** Where the buffers live, and faster whole-array loops if any. */
  protected readonly kernels: Kernels;
  readonly #output: RowBuffer;
  readonly #dInput: RowBuffer;
  #lastOutput: Tensor | null = null;

  /**
   * Creates the activation for inputs of a given width.
   *
   * @param features The width of its input and output.
   * @param dtype `"f32"` (the default) or `"f64"`.
   * @param kernels Where its buffers live (`kernels.allocate`); ordinary
   * typed arrays with {@link fastKernels}, the default.
   */
  constructor(
    readonly features: number,
    dtype: DType = "f32",
    kernels: Kernels = fastKernels,
  ) {
    this.kernels = kernels;
    const allocate = kernels.allocate?.bind(kernels) ?? allocateArray;
    this.#output = new RowBuffer(features, dtype, allocate);
    this.#dInput = new RowBuffer(features, dtype, allocate);
  }

  /**
   * The function, for one number.
   *
   * @returns f(x).
   */
  abstract apply(x: number): number;

  /**
   * The derivative, written in terms of the output.
   *
   * @returns f'(x).
   */
  abstract slopeFromOutput(y: number): number;

  /**
   * Applies `f` elementwise and keeps the output for backward.
   *
   * @param input `[batch, features]`.
   * @returns `[batch, features]`.
   */
  forward(input: Tensor): Tensor {
    assertShape(input, [-1, this.features], `${this.name} input`);
    const output = this.#output.get(input.rows);
    this.applyAll(input.data, output.data);
    this.#lastOutput = output;
    return output;
  }

  /**
   * `output[i] = f(input[i])` for every entry; a subclass may replace the
   * loop with a faster one that computes the same numbers.
   *
   * @param output Receives them, same length.
   */
  protected applyAll(input: FloatArray, output: FloatArray): void {
    for (let i = 0; i < input.length; i++) output[i] = this.apply(input[i]);
  }

  /**
   * `dInput[i] = dOutput[i] · f'` at `output[i]`, for every entry; a
   * subclass may replace the loop with a faster one that computes the same
   * numbers.
   *
   * @param output The outputs of the last forward.
   * @param dOutput The gradient arriving from above.
   * @param dInput Receives the gradient to pass down.
   */
  protected slopeTimesAll(
    output: FloatArray,
    dOutput: FloatArray,
    dInput: FloatArray,
  ): void {
    for (let i = 0; i < output.length; i++) {
      dInput[i] = dOutput[i] * this.slopeFromOutput(output[i]);
    }
  }

  /**
   * Multiplies the incoming gradient by the slope: `dInput = dOutput ⊙ f'`.
   *
   * @param dOutput `[batch, features]`.
   * @returns dLoss/dInput `[batch, features]`.
   */
  backward(dOutput: Tensor): Tensor {
    const output = this.#lastOutput;
    if (output === null) {
      throw new Error(`${this.name}: backward() called before forward()`);
    }
    assertShape(dOutput, output.shape, `${this.name} dOutput`);
    const dInput = this.#dInput.get(output.rows);
    this.slopeTimesAll(output.data, dOutput.data, dInput.data);
    return dInput;
  }

  /** Activations learn nothing. @returns `[]`. */
  parameters(): Parameter[] {
    return [];
  }
}

/**
 * `max(0, x)`; its slope is 1 where the output is positive, else 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const y = new ReLU(3, "f64").forward(fromValues([-1, 0, 2], [1, 3], "f64"));
 * assert(y.data.join() === "0,0,2");
 * ```
 */
export class ReLU extends Activation {
  /** `"ReLU"` */
  readonly name = "ReLU";
  /**
   * `max(0, x)`. `Math.max` lets NaN through (`x > 0 ? x : 0` would turn it
   * into 0 and hide a diverging layer from the loss check), and it compiles
   * without a branch: about half the inputs are negative, in no pattern a
   * branch predictor could learn, and a branch here made the activation 3×
   * slower.
   */
  apply(x: number): number {
    return Math.max(x, 0);
  }
  /**
   * 1 where `y > 0`, else 0, without a branch (see `apply`).
   */
  slopeFromOutput(y: number): number {
    return +(y > 0);
  }
  /**
   * `max(input, 0)` for every entry, in WebAssembly SIMD when the kernels
   * offer it.
   *
   * @param output Receives `max(input, 0)`.
   */
  protected override applyAll(input: FloatArray, output: FloatArray): void {
    if (!this.kernels.relu?.(input, output)) super.applyAll(input, output);
  }
  /**
   * `dOutput` where `output > 0`, else 0, in WebAssembly SIMD when the
   * kernels offer it.
   *
   * @param output The outputs of the last forward.
   * @param dOutput The gradient arriving from above.
   * @param dInput Receives the gradient to pass down.
   */
  protected override slopeTimesAll(
    output: FloatArray,
    dOutput: FloatArray,
    dInput: FloatArray,
  ): void {
    if (!this.kernels.reluBackward?.(output, dOutput, dInput)) {
      super.slopeTimesAll(output, dOutput, dInput);
    }
  }
}

/**
 * `1 / (1 + e^-x)`; its slope is `y (1 - y)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const y = new Sigmoid(1, "f64").forward(fromValues([0], [1, 1], "f64"));
 * assert(y.data[0] === 0.5);
 * ```
 */
export class Sigmoid extends Activation {
  /** `"Sigmoid"` */
  readonly name = "Sigmoid";
  /** `1 / (1 + e^-x)` */
  apply(x: number): number {
    return 1 / (1 + Math.exp(-x));
  }
  /** `y (1 - y)` */
  slopeFromOutput(y: number): number {
    return y * (1 - y);
  }
}

/**
 * `tanh(x)`; its slope is `1 - y²`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const y = new Tanh(1, "f64").forward(fromValues([0], [1, 1], "f64"));
 * assert(y.data[0] === 0);
 * ```
 */
export class Tanh extends Activation {
  /** `"Tanh"` */
  readonly name = "Tanh";
  /** `tanh(x)` */
  apply(x: number): number {
    return Math.tanh(x);
  }
  /** `1 - y²` */
  slopeFromOutput(y: number): number {
    return 1 - y * y;
  }
}

/**
 * The activation functions by name, as `--activation` accepts them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const layer = new ACTIVATIONS["tanh"](4);
 * assert(layer.name === "Tanh");
 * ```
 */
export const ACTIVATIONS = {
  relu: ReLU,
  sigmoid: Sigmoid,
  tanh: Tanh,
} as const;

/**
 * `"relu"`, `"sigmoid"` or `"tanh"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const name: ActivationName = "sigmoid";
 * assert(name in ACTIVATIONS);
 * ```
 */
export type ActivationName = keyof typeof ACTIVATIONS;
