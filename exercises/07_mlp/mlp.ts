// deno-lint-ignore-file no-unused-vars verbatim-module-syntax
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 07: the multilayer perceptron. Sizes `[784, 128, 64, 10]` give
 * `Linear(784→128) act Linear(128→64) act Linear(64→10)`: the last layer's
 * output is the logits, with no activation (softmax belongs to the loss).
 *
 * @module
 */

import type { Rng, Tensor } from "../01_tensors/tensors.ts";
import {
  initLinear,
  linearBackward,
  linearForward,
  type LinearGrads,
  type LinearParams,
} from "../03_linear/linear.ts";
import {
  type ActivationName,
  ACTIVATIONS,
} from "../04_activations/activations.ts";

/** A network: its sizes, its hidden activation and each layer's parameters. */
export interface Mlp {
  /** Widths, input first, classes last, e.g. `[784, 128, 64, 10]`. */
  sizes: number[];
  /** Between every pair of linear layers. */
  activation: ActivationName;
  /** `sizes.length - 1` linear layers; layer `i` maps `sizes[i] → sizes[i+1]`. */
  layers: LinearParams[];
}

/** What the forward pass keeps for the backward pass. */
export interface MlpCache {
  /** `linearInputs[i]`: what linear layer `i` received. */
  linearInputs: Tensor[];
  /** `linearOutputs[i]`: what linear layer `i` produced (before activation). */
  linearOutputs: Tensor[];
}

/**
 * **Task 07.1**: build the layers with {@link initLinear}, first to last,
 * then multiply the last layer's weights by 0.1: the untrained network's
 * logits start near 0, so its first guess is close to uniform and its loss
 * close to ln 10 ≈ 2.30 (with full He scale it starts near 3, confidently
 * wrong).
 *
 * @param sizes At least two positive widths.
 * @param activation The hidden activation.
 * @param rng Draws every layer's initial weights, in order.
 * @returns The network.
 * @throws {RangeError} When `sizes` has fewer than two entries.
 */
export function createMlp(
  sizes: number[],
  activation: ActivationName,
  rng: Rng,
): Mlp {
  throw new Error(
    "TODO(07.1): implement createMlp in exercises/07_mlp/mlp.ts",
  );
}

/**
 * **Task 07.2**: the forward pass: linear, activation, linear, ..., linear.
 *
 * @param model The network.
 * @param input `[batch, sizes[0]]`.
 * @returns The logits `[batch, classes]` and the cache for backward.
 */
export function mlpForward(
  model: Mlp,
  input: Tensor,
): { logits: Tensor; cache: MlpCache } {
  throw new Error(
    "TODO(07.2): implement mlpForward in exercises/07_mlp/mlp.ts",
  );
}

/**
 * **Task 07.3**: the backward pass, last layer first. Between linear layers,
 * go back through the activation; skip the first layer's input gradient.
 *
 * @param model The network.
 * @param dLogits dLoss/dLogits `[batch, classes]`.
 * @param cache From the matching {@link mlpForward}.
 * @returns One {@link LinearGrads} per layer, in layer order (first to last).
 */
export function mlpBackward(
  model: Mlp,
  dLogits: Tensor,
  cache: MlpCache,
): LinearGrads[] {
  throw new Error(
    "TODO(07.3): implement mlpBackward in exercises/07_mlp/mlp.ts",
  );
}

/**
 * Every parameter, in a fixed order: layer 0 weights, layer 0 bias, layer 1
 * weights, ... (Given.)
 */
export function mlpParameters(model: Mlp): Tensor[] {
  return model.layers.flatMap((layer) => [layer.weights, layer.bias]);
}

/** The gradients in the order of {@link mlpParameters}. (Given.) */
export function gradientList(grads: LinearGrads[]): Tensor[] {
  return grads.flatMap((g) => [g.dWeights, g.dBias]);
}
