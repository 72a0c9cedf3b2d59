/**
 * What the lab's Draw and Inside views show for one drawing: the 28x28
 * input the network sees (lib/data/preprocess.ts), the ten probabilities,
 * every hidden layer's activations, and the last hidden layer's units that
 * pushed the winning digit's score up most. The forward pass is the
 * model's own layers: the page computes nothing itself.
 *
 * @module
 */

import { zeros } from "../base/tensor.ts";
import { type Picture, toMnistDigit } from "../data/preprocess.ts";
import { Activation, Linear } from "../nn/layers.ts";
import { softmax } from "../nn/loss.ts";
import type { LoadedModel } from "../train/model_file.ts";

/** One hidden unit's push on the winning digit's score. */
export interface UnitPush {
  /** The unit's index in the last hidden layer. */
  unit: number;
  /** activation × outgoing weight to the winning digit. */
  push: number;
}

/** A drawing, as the network read it. */
export interface Inspection {
  /** The most probable digit. */
  digit: number;
  /** The ten class probabilities. */
  probabilities: number[];
  /** `[784]` the preprocessed input bytes. */
  input: number[];
  /** Each hidden layer's activations, first layer first. */
  hidden: number[][];
  /** The last hidden layer's units with the largest push, largest first. */
  pushes: UnitPush[];
}

/**
 * Preprocesses a picture and runs it through the model, layer by layer.
 *
 * @param loaded The model and its input scale.
 * @param picture The drawing, any size.
 * @param source Names the picture in messages.
 * @returns What the network saw, said and used.
 * @throws {KitError} When the picture holds no ink.
 */
export function inspectPicture(
  loaded: LoadedModel,
  picture: Picture,
  source: string,
): Inspection {
  const bytes = toMnistDigit(picture, source);
  const { model, normalizer } = loaded;
  model.setTraining(false); // inference: no dropout
  let x = zeros([1, bytes.length], model.dtype);
  for (let i = 0; i < bytes.length; i++) {
    x.data[i] = bytes[i] * normalizer.scale;
  }
  const hidden: number[][] = [];
  for (const layer of model.layers) {
    x = layer.forward(x);
    if (layer instanceof Activation) hidden.push([...x.data]);
  }
  const probabilities = [...softmax(x, zeros(x.shape, model.dtype)).data];
  const digit = probabilities.indexOf(Math.max(...probabilities));
  return {
    digit,
    probabilities,
    input: [...bytes],
    hidden,
    pushes: pushesOn(loaded, hidden.at(-1), digit),
  };
}

/** The 8 largest pushes of the last hidden layer on `digit`'s logit. */
function pushesOn(
  { model }: LoadedModel,
  last: number[] | undefined,
  digit: number,
): UnitPush[] {
  const output = model.layers.at(-1);
  if (!last || !(output instanceof Linear)) return [];
  const classes = output.weights.cols;
  return last
    .map((a, unit) => ({
      unit,
      push: a * output.weights.data[unit * classes + digit],
    }))
    .sort((a, b) => b.push - a.push)
    .slice(0, 8);
}
