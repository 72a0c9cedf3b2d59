/**
 * The Inside view's numbers (lib/lab/inspect.ts) against a forward pass
 * written out by hand, on a network whose widths are all different.
 */

import assert from "node:assert/strict";
import { Linear } from "../nn/layers.ts";
import { Mlp } from "../nn/mlp.ts";
import { toMnistDigit } from "../data/preprocess.ts";
import type { LoadedModel } from "../train/model_file.ts";
import { inspectPicture } from "./inspect.ts";

/** 784-20-12-10: two hidden layers of different widths, neither ten. */
function model(): LoadedModel {
  const mlp = new Mlp({ sizes: [784, 20, 12, 10], dtype: "f64", seed: 3 });
  const linears = mlp.layers.filter((l) => l instanceof Linear);
  // Nonzero biases, so a layer that skips them shows.
  linears.forEach((l, i) =>
    l.bias.data.forEach((_, j, b) => b[j] = 0.1 * (j % 3) - 0.05 * i)
  );
  return { model: mlp, normalizer: { scale: 0.0117 } };
}

/** A light-on-dark "7"-ish shape, 40x30, off centre. */
function picture() {
  const width = 40, height = 30;
  const pixels = new Uint8Array(width * height);
  for (let x = 8; x < 30; x++) pixels[5 * width + x] = 255;
  for (let y = 5; y < 26; y++) pixels[y * width + 29 - Math.floor(y / 2)] = 200;
  return { width, height, channels: 1 as const, pixels };
}

/** `relu(x · W + b)` by hand, `x` `[in]`, `W` `[in, out]`. */
function denseRelu(x: number[], layer: Linear, relu: boolean): number[] {
  const [inputs, outputs] = layer.weights.shape;
  const y: number[] = [];
  for (let o = 0; o < outputs; o++) {
    let sum = layer.bias.data[o];
    for (let i = 0; i < inputs; i++) {
      sum += x[i] * layer.weights.data[i * outputs + o];
    }
    y.push(relu ? Math.max(0, sum) : sum);
  }
  return y;
}

Deno.test("inspectPicture gives every hidden layer's ReLU activations and the softmax of the logits, as computed by hand", () => {
  const loaded = model();
  const seen = inspectPicture(loaded, picture(), "test");
  const [first, second, output] = loaded.model.layers.filter((l) =>
    l instanceof Linear
  );
  const input = [...toMnistDigit(picture(), "test")].map((b) => b * 0.0117);
  assert.deepEqual(seen.input, [...toMnistDigit(picture(), "test")]);
  const hidden1 = denseRelu(input, first, true);
  const hidden2 = denseRelu(hidden1, second, true);
  const close = (a: number[], b: number[], what: string) =>
    a.forEach((v, i) =>
      assert.ok(Math.abs(v - b[i]) < 1e-12, `${what}[${i}]: ${v} vs ${b[i]}`)
    );
  assert.deepEqual(seen.hidden.map((h) => h.length), [20, 12]);
  close(seen.hidden[0], hidden1, "first hidden layer");
  close(seen.hidden[1], hidden2, "second hidden layer");
  const logits = denseRelu(hidden2, output, false);
  const top = Math.max(...logits);
  const sum = logits.reduce((s, z) => s + Math.exp(z - top), 0);
  close(
    seen.probabilities,
    logits.map((z) => Math.exp(z - top) / sum),
    "probabilities",
  );
  assert.equal(seen.digit, logits.indexOf(top));
});

Deno.test("inspectPicture's pushes are the last hidden layer's 8 largest activation × weight to the winning digit", () => {
  const loaded = model();
  const seen = inspectPicture(loaded, picture(), "test");
  const output = loaded.model.layers.filter((l) => l instanceof Linear)[2];
  const pushes = seen.hidden[1]
    .map((a, unit) => ({
      unit,
      push: a * output.weights.data[unit * 10 + seen.digit],
    }))
    .sort((a, b) => b.push - a.push)
    .slice(0, 8);
  assert.deepEqual(seen.pushes, pushes);
  assert.ok(seen.hidden[1].length > 8, "the list is cut at 8");
});
