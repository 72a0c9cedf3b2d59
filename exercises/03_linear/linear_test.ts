import assert from "node:assert/strict";
import {
  assertGradientMatches,
  assertShapeIs,
  assertTensorClose,
  assertThrows,
  referenceNumericGradient,
  testValues,
} from "../testing.ts";
import { makeRng, type Tensor, tensor } from "../01_tensors/tensors.ts";
import {
  initLinear,
  linearBackward,
  linearForward,
  type LinearParams,
} from "./linear.ts";

function smallLayer(): { x: Tensor; params: LinearParams } {
  return {
    x: tensor([1, 2, -1, 0.5], [2, 2]),
    params: {
      weights: tensor([1, 0, -1, 2, 1, 0.5], [2, 3]),
      bias: tensor([0.1, 0.2, 0.3], [3]),
    },
  };
}

Deno.test("03.1 linearForward() computes input · weights + bias", () => {
  const { x, params } = smallLayer();
  // row 0: [1, 2]·W = [1+4, 0+2, -1+1] = [5, 2, 0], + bias
  // row 1: [-1, .5]·W = [-1+1, 0+.5, 1+.25] = [0, .5, 1.25], + bias
  assertTensorClose(
    linearForward(x, params),
    { shape: [2, 3], values: [5.1, 2.2, 0.3, 0.1, 0.7, 1.55] },
    "linearForward output",
  );
});

Deno.test("03.1 linearForward() refuses an input of the wrong width, naming it", () => {
  const { params } = smallLayer();
  assertThrows(
    () => linearForward(tensor([1, 2, 3], [1, 3]), params),
    /input[^]*\[1, 3\]|\[1, 3\][^]*input/,
    "a [1, 3] input to a 2→3 layer must throw naming the input and its shape",
  );
});

Deno.test("03.2 linearBackward() gives the worked example's gradients", () => {
  const { x, params } = smallLayer();
  const dOut = tensor([1, 0, -1, 0.5, 2, 0], [2, 3]);
  const g = linearBackward(dOut, x, params);
  // dWeights = xᵀ · dOut; dBias = column sums; dInput = dOut · Wᵀ
  assertTensorClose(g.dWeights, {
    shape: [2, 3],
    values: [0.5, -2, -1, 2.25, 1, -2],
  }, "dWeights");
  assertTensorClose(g.dBias, { shape: [3], values: [1.5, 2, -1] }, "dBias");
  assert.ok(
    g.dInput !== null,
    "dInput must be computed unless inputGradient is false",
  );
  assertTensorClose(
    g.dInput!,
    { shape: [2, 2], values: [2, 1.5, 0.5, 3] },
    "dInput",
  );
});

Deno.test("03.2 linearBackward() passes a gradient check on every gradient", () => {
  const x = tensor(testValues(12, 3), [4, 3]);
  const params = {
    weights: tensor(testValues(15, 4), [3, 5]),
    bias: tensor(testValues(5, 5), [5]),
  };
  const mix = tensor(testValues(20, 6), [4, 5]);
  // loss = Σ output ⊙ mix, so dLoss/dOutput = mix
  const loss = () => {
    const out = linearForward(x, params);
    let total = 0;
    for (let i = 0; i < out.data.length; i++) {
      total += out.data[i] * mix.data[i];
    }
    return total;
  };
  const g = linearBackward(mix, x, params);
  assertGradientMatches(
    "Linear(3→5) weights",
    g.dWeights,
    referenceNumericGradient(loss, params.weights.data),
  );
  assertGradientMatches(
    "Linear(3→5) bias",
    g.dBias,
    referenceNumericGradient(loss, params.bias.data),
  );
  assertGradientMatches(
    "Linear(3→5) input",
    g.dInput!,
    referenceNumericGradient(loss, x.data),
  );
});

Deno.test("03.2 linearBackward() passes a gradient check on a square layer (3→3)", () => {
  const x = tensor(testValues(6, 12), [2, 3]);
  const params = {
    weights: tensor(testValues(9, 13), [3, 3]),
    bias: tensor(testValues(3, 14), [3]),
  };
  const mix = tensor(testValues(6, 15), [2, 3]);
  const loss = () => {
    const out = linearForward(x, params);
    return out.data.reduce((total, v, i) => total + v * mix.data[i], 0);
  };
  const g = linearBackward(mix, x, params);
  assertGradientMatches(
    "Linear(3→3) input (square weights: is W transposed?)",
    g.dInput!,
    referenceNumericGradient(loss, x.data),
  );
});

Deno.test("03.2 linearBackward() skips dInput when inputGradient is false", () => {
  const { x, params } = smallLayer();
  const g = linearBackward(
    tensor([1, 0, -1, 0.5, 2, 0], [2, 3]),
    x,
    params,
    false,
  );
  assert.equal(
    g.dInput,
    null,
    "dInput must be null with inputGradient = false",
  );
  assertShapeIs(g.dWeights, [2, 3], "dWeights");
});

Deno.test("03.3 initLinear() draws He-initialized weights and zero biases", () => {
  const layer = initLinear(200, 50, makeRng(3));
  assertShapeIs(layer.weights, [200, 50], "initLinear(200, 50) weights");
  assertShapeIs(layer.bias, [50], "initLinear(200, 50) bias");
  assert.ok(layer.bias.data.every((b) => b === 0), "biases must start at 0");
  let meanSquare = 0;
  for (const w of layer.weights.data) {
    meanSquare += (w * w) / layer.weights.data.length;
  }
  const std = Math.sqrt(meanSquare);
  const expected = Math.sqrt(2 / 200);
  assert.ok(
    Math.abs(std - expected) < 0.05 * expected,
    `weights' std ${std.toFixed(4)}: expected sqrt(2 / 200) = ${
      expected.toFixed(4)
    } ± 5%`,
  );
  const again = initLinear(200, 50, makeRng(3));
  assert.deepEqual([...again.weights.data.subarray(0, 5)], [
    ...layer.weights.data.subarray(0, 5),
  ], "the same seed must give the same weights");
});
