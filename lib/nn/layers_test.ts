import assert from "node:assert/strict";
import {
  assertGradientsClose,
  fastKernels,
  fromValues,
  type Kernels,
  type Layer,
  Linear,
  Mlp,
  numericGradient,
  ReLU,
  Rng,
  Sigmoid,
  softmaxCrossEntropy,
  Tanh,
  type Tensor,
  zeros,
} from "../../mod.ts";

/** A fixed random upstream gradient makes `sum(output ⊙ upstream)` a scalar loss. */
function randomTensor(shape: number[], rng: Rng, scale = 1): Tensor {
  const t = zeros(shape, "f64");
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal(0, scale);
  return t;
}

function weightedSum(output: Tensor, upstream: Tensor): number {
  let sum = 0;
  for (let i = 0; i < output.data.length; i++) {
    sum += output.data[i] * upstream.data[i];
  }
  return sum;
}

/** Checks dInput and every parameter gradient of one layer in float64. */
function checkLayer(layer: Layer, input: Tensor, outFeatures: number) {
  const rng = new Rng(99);
  const upstream = randomTensor([input.rows, outFeatures], rng);
  const loss = () => weightedSum(layer.forward(input), upstream);
  layer.forward(input);
  const dInput = layer.backward(upstream);
  assert.ok(dInput, `${layer.name} returned no input gradient`);
  const analyticInput = Float64Array.from(dInput.data);
  const analyticParams = layer.parameters().map((p) =>
    Float64Array.from(p.grad.data)
  );
  assertGradientsClose(
    `${layer.name} input`,
    analyticInput,
    numericGradient(loss, input.data),
  );
  layer.parameters().forEach((p, i) => {
    assertGradientsClose(
      `${layer.name} ${p.name}`,
      analyticParams[i],
      numericGradient(loss, p.value.data),
    );
  });
}

Deno.test("Linear computes input · weights + bias", () => {
  const layer = new Linear(3, 2, { dtype: "f64" });
  layer.weights.data.set([1, 2, 3, 4, 5, 6]); // [3,2]
  layer.bias.data.set([0.5, -1]);
  const out = layer.forward(fromValues([1, 0, -1, 2, 1, 0], [2, 3], "f64"));
  assert.deepEqual(out.shape, [2, 2]);
  assert.deepEqual([...out.data], [
    1 - 5 + 0.5,
    2 - 6 - 1,
    2 + 3 + 0.5,
    4 + 4 - 1,
  ]);
});

Deno.test("Linear He-initializes weights with std sqrt(2 / inFeatures)", () => {
  const layer = new Linear(400, 300, { rng: new Rng(1), dtype: "f64" });
  const w = [...layer.weights.data];
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
  assert.ok(Math.abs(std - Math.sqrt(2 / 400)) < 0.002, `std ${std}`);
  assert.ok(layer.bias.data.every((b) => b === 0));
});

Deno.test("Linear passes a gradient check in float64 (input, weights, bias)", () => {
  const rng = new Rng(2);
  const layer = new Linear(7, 5, { rng, dtype: "f64" });
  checkLayer(layer, randomTensor([4, 7], rng), 5);
});

Deno.test("Linear with inputGradient: false returns null and still fills dWeights", () => {
  const rng = new Rng(2);
  const layer = new Linear(3, 2, { rng, dtype: "f64", inputGradient: false });
  layer.forward(randomTensor([2, 3], rng));
  assert.equal(layer.backward(randomTensor([2, 2], rng)), null);
  assert.ok(layer.dWeights.data.some((g) => g !== 0));
});

/**
 * fastKernels plus an `atbAbt` that records its calls and, when `take` is
 * true, writes markers (dW = 1, dX = 2) instead of the products.
 */
function kernelsWithAtbAbt(take: boolean) {
  const calls: number[][] = [];
  const kernels: Kernels = {
    ...fastKernels,
    atbAbt: (_x, _dY, _w, dW, dX, batch, inputs, outputs) => {
      calls.push([batch, inputs, outputs]);
      if (take) {
        dW.fill(1);
        dX.fill(2);
      }
      return take;
    },
  };
  return { kernels, calls };
}

Deno.test("Linear's backward uses kernels.atbAbt when it takes both products, and atb and abt when it declines", () => {
  const rng = new Rng(5);
  const input = randomTensor([4, 3], rng);
  const upstream = randomTensor([4, 2], rng);
  const plain = new Linear(3, 2, { rng: new Rng(6), dtype: "f64" });
  plain.forward(input);
  const expected = Array.from(plain.backward(upstream)!.data);
  for (const take of [true, false]) {
    const { kernels, calls } = kernelsWithAtbAbt(take);
    const layer = new Linear(3, 2, { rng: new Rng(6), dtype: "f64", kernels });
    layer.forward(input);
    const dInput = Array.from(layer.backward(upstream)!.data);
    assert.deepEqual(calls, [[4, 3, 2]]);
    const dWeights = Array.from(layer.dWeights.data);
    if (take) {
      assert.deepEqual(dInput, new Array(12).fill(2));
      assert.deepEqual(dWeights, new Array(6).fill(1));
    } else {
      assert.deepEqual(dInput, expected);
      assert.deepEqual(dWeights, Array.from(plain.dWeights.data));
    }
    assert.deepEqual(layer.dBias.data, plain.dBias.data);
  }
});

Deno.test("Linear with inputGradient: false never asks for atbAbt", () => {
  const rng = new Rng(7);
  const { kernels, calls } = kernelsWithAtbAbt(true);
  const layer = new Linear(3, 2, {
    rng,
    dtype: "f64",
    kernels,
    inputGradient: false,
  });
  layer.forward(randomTensor([2, 3], rng));
  assert.equal(layer.backward(randomTensor([2, 2], rng)), null);
  assert.deepEqual(calls, []);
  assert.ok(layer.dWeights.data.some((g) => g !== 1));
});

Deno.test("Linear names the argument and both shapes on a mismatch", () => {
  const layer = new Linear(784, 128);
  assert.throws(
    () => layer.forward(zeros([64, 785])),
    /Linear\(784→128\) input: expected shape \[any, 784\], got \[64, 785\]/,
  );
});

for (const Activation of [ReLU, Sigmoid, Tanh]) {
  Deno.test(`${Activation.name} passes a gradient check in float64`, () => {
    const rng = new Rng(4);
    // Keep ReLU inputs away from its kink at 0, where the derivative jumps.
    const input = randomTensor([3, 6], rng);
    for (let i = 0; i < input.data.length; i++) {
      if (Math.abs(input.data[i]) < 0.01) input.data[i] = 0.5;
    }
    checkLayer(new Activation(6, "f64"), input, 6);
  });
}

Deno.test("activations compute their functions", () => {
  const x = fromValues([-2, 0, 3], [1, 3], "f64");
  assert.deepEqual([...new ReLU(3, "f64").forward(x).data], [0, 0, 3]);
  const withNaN = fromValues([NaN, -1], [1, 2], "f64");
  assert.deepEqual(
    [...new ReLU(2, "f64").forward(withNaN).data],
    [NaN, 0],
    "ReLU passes NaN on",
  );
  assert.deepEqual([...new Tanh(3, "f64").forward(x).data], [
    Math.tanh(-2),
    0,
    Math.tanh(3),
  ]);
  assert.deepEqual([...new Sigmoid(3, "f64").forward(x).data], [
    1 / (1 + Math.exp(2)),
    0.5,
    1 / (1 + Math.exp(-3)),
  ]);
});

Deno.test("softmax cross-entropy passes a gradient check in float64", () => {
  const rng = new Rng(6);
  // Logits of scale 1 keep every probability well above the ~1e-11 noise
  // floor of a centered difference on an O(1) loss.
  const logits = randomTensor([5, 10], rng);
  const labels = [3, 0, 9, 9, 4];
  const dLogits = zeros([5, 10], "f64");
  softmaxCrossEntropy(logits, labels, dLogits);
  const numeric = numericGradient(
    () => softmaxCrossEntropy(logits, labels),
    logits.data,
  );
  assertGradientsClose("softmaxCrossEntropy logits", dLogits.data, numeric);
});

for (const activation of ["relu", "sigmoid", "tanh"] as const) {
  Deno.test(`the whole MLP (${activation}) passes a gradient check in float64`, () => {
    const rng = new Rng(8);
    const model = new Mlp({
      sizes: [12, 9, 7, 10],
      activation,
      dtype: "f64",
      rng,
    });
    const input = randomTensor([4, 12], rng);
    const labels = [1, 5, 9, 0];
    const loss = () => softmaxCrossEntropy(model.forward(input), labels);
    const dLogits = zeros([4, 10], "f64");
    softmaxCrossEntropy(model.forward(input), labels, dLogits);
    model.backward(dLogits);
    for (const p of model.parameters()) {
      const analytic = Float64Array.from(p.grad.data);
      assertGradientsClose(
        `MLP ${p.name}`,
        analytic,
        numericGradient(loss, p.value.data),
      );
    }
  });
}

Deno.test("a wrong gradient fails the check with a message naming everything", () => {
  assert.throws(
    () => assertGradientsClose("layer0.weights", [1, 2, 3], [1, 2.1, 3]),
    /gradient check failed for layer0\.weights at index 1: analytic 2 vs numeric 2\.1, relative error 4\.76e-2 > tolerance 0\.000001/,
  );
});
