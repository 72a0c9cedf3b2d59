/**
 * What a saved model says about MNIST-style digits: the probabilities of
 * the ten classes, from the bytes alone (the model file holds the scale).
 *
 * @module
 */

import { zeros } from "../base/tensor.ts";
import { softmax } from "../nn/loss.ts";
import type { LoadedModel } from "./model_file.ts";

/**
 * Classifies digits given as bytes.
 *
 * @param loaded A model and its input scale, from `loadModel`.
 * @param digits `[count, 784]` bytes, 0 background to 255 ink.
 * @returns `[count, 10]` softmax probabilities, row by row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const loaded = { model: new Mlp({ sizes: [784, 10], seed: 1 }), normalizer: { scale: 0.0117 } };
 * const probabilities = classifyDigits(loaded, new Uint8Array(2 * 784).fill(40));
 * assert(probabilities.length === 20);
 * assert(Math.abs(probabilities.subarray(0, 10).reduce((a, b) => a + b) - 1) < 1e-6);
 * ```
 */
export function classifyDigits(
  loaded: LoadedModel,
  digits: Uint8Array,
): Float64Array {
  const { model, normalizer } = loaded;
  model.setTraining(false); // inference: no dropout
  const inputs = model.sizes[0];
  const count = digits.length / inputs;
  const x = zeros([count, inputs], model.dtype);
  for (let i = 0; i < digits.length; i++) {
    x.data[i] = digits[i] * normalizer.scale;
  }
  const logits = model.forward(x);
  const probabilities = softmax(logits, zeros(logits.shape, model.dtype));
  return Float64Array.from(probabilities.data);
}
