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
  if (sizes.length < 2) {
    throw new RangeError(
      `createMlp: sizes needs at least an input and an output width, got [${sizes}]`,
    );
  }
  const layers: LinearParams[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(initLinear(sizes[i], sizes[i + 1], rng));
  }
  const last = layers[layers.length - 1].weights.data;
  for (let i = 0; i < last.length; i++) last[i] *= 0.1;
  return { sizes: [...sizes], activation, layers };
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
  const cache: MlpCache = { linearInputs: [], linearOutputs: [] };
  const act = ACTIVATIONS[model.activation];
  let x = input;
  for (let i = 0; i < model.layers.length; i++) {
    cache.linearInputs.push(x);
    const z = linearForward(x, model.layers[i]);
    cache.linearOutputs.push(z);
    x = i + 1 < model.layers.length ? act.forward(z) : z;
  }
  return { logits: x, cache };
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
  const act = ACTIVATIONS[model.activation];
  const grads: LinearGrads[] = new Array(model.layers.length);
  let dOutput = dLogits;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    grads[i] = linearBackward(
      dOutput,
      cache.linearInputs[i],
      model.layers[i],
      i > 0,
    );
    if (i > 0) {
      // Layer i's input is act(linear output of layer i - 1).
      dOutput = act.backward(
        grads[i].dInput as Tensor,
        cache.linearOutputs[i - 1],
        cache.linearInputs[i],
      );
    }
  }
  return grads;
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
