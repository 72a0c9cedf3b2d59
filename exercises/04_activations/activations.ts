// deno-lint-ignore-file no-unused-vars verbatim-module-syntax
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 04: activations, the non-linear steps between linear layers.
 * Each works entry by entry, so the output has the input's shape, and each
 * backward multiplies `dOutput` by the function's slope:
 * `dInput = dOutput ⊙ f'(input)`.
 *
 * @module
 */

import { type Tensor, zeros } from "../01_tensors/tensors.ts";

/**
 * **Task 04.1**: `relu(x) = max(0, x)`.
 *
 * @param input Any shape.
 * @returns A new tensor of the same shape.
 */
export function reluForward(input: Tensor): Tensor {
  throw new Error(
    "TODO(04.1): implement reluForward in exercises/04_activations/activations.ts",
  );
}

/**
 * **Task 04.1**: relu's slope is 1 where the input was positive, else 0
 * (at exactly 0, use 0).
 *
 * @param dOutput dLoss/dOutput, the shape of `input`.
 * @param input What the forward pass saw.
 * @returns dLoss/dInput.
 */
export function reluBackward(dOutput: Tensor, input: Tensor): Tensor {
  throw new Error(
    "TODO(04.1): implement reluBackward in exercises/04_activations/activations.ts",
  );
}

/**
 * **Task 04.2**: `sigmoid(x) = 1 / (1 + e^-x)`, squashing to (0, 1).
 *
 * @param input Any shape.
 * @returns A new tensor of the same shape.
 */
export function sigmoidForward(input: Tensor): Tensor {
  throw new Error(
    "TODO(04.2): implement sigmoidForward in exercises/04_activations/activations.ts",
  );
}

/**
 * **Task 04.2**: with `y = sigmoid(x)`, the slope is `y (1 - y)`.
 *
 * @param dOutput dLoss/dOutput.
 * @param output What the forward pass returned (`y`, not `x`).
 * @returns dLoss/dInput.
 */
export function sigmoidBackward(dOutput: Tensor, output: Tensor): Tensor {
  throw new Error(
    "TODO(04.2): implement sigmoidBackward in exercises/04_activations/activations.ts",
  );
}

/**
 * **Task 04.3**: `tanh(x)`, squashing to (-1, 1).
 *
 * @param input Any shape.
 * @returns A new tensor of the same shape.
 */
export function tanhForward(input: Tensor): Tensor {
  throw new Error(
    "TODO(04.3): implement tanhForward in exercises/04_activations/activations.ts",
  );
}

/**
 * **Task 04.3**: with `y = tanh(x)`, the slope is `1 - y²`.
 *
 * @param dOutput dLoss/dOutput.
 * @param output What the forward pass returned (`y`, not `x`).
 * @returns dLoss/dInput.
 */
export function tanhBackward(dOutput: Tensor, output: Tensor): Tensor {
  throw new Error(
    "TODO(04.3): implement tanhBackward in exercises/04_activations/activations.ts",
  );
}

/** The hidden activations by name, as `--activation` names them. */
export type ActivationName = "relu" | "sigmoid" | "tanh";

/** An activation's pair of functions, in one shape. (Given.) */
export interface Activation {
  /** @returns f(input). */
  forward(input: Tensor): Tensor;
  /** @returns dLoss/dInput, from the forward pass's input and output. */
  backward(dOutput: Tensor, input: Tensor, output: Tensor): Tensor;
}

/** Your activations by name; the MLP of exercise 07 uses this. (Given.) */
export const ACTIVATIONS: Record<ActivationName, Activation> = {
  relu: {
    forward: (input) => reluForward(input),
    backward: (dOutput, input) => reluBackward(dOutput, input),
  },
  sigmoid: {
    forward: (input) => sigmoidForward(input),
    backward: (dOutput, _input, output) => sigmoidBackward(dOutput, output),
  },
  tanh: {
    forward: (input) => tanhForward(input),
    backward: (dOutput, _input, output) => tanhBackward(dOutput, output),
  },
};
