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
