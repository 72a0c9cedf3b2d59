import assert from "node:assert/strict";
import {
  assertEarlierExercise,
  assertGradientMatches,
  assertShapeIs,
  assertTensorClose,
  assertThrows,
  referenceNumericGradient,
  testValues,
} from "../testing.ts";
import { makeRng, type Tensor, tensor } from "../01_tensors/tensors.ts";
import {
  linearBackward,
  linearForward,
  type LinearParams,
} from "../03_linear/linear.ts";
import {
  type ActivationName,
  ACTIVATIONS,
} from "../04_activations/activations.ts";
import { crossEntropy } from "../05_softmax/softmax.ts";
import { checkGradient, numericGradient } from "../06_gradcheck/gradcheck.ts";
import { createMlp, type Mlp, mlpBackward, mlpForward } from "./mlp.ts";

/** Σ f() ⊙ mix, the scalar whose gradient with respect to f() is mix. */
function mixed(f: () => Tensor, mix: Tensor): () => number {
  return () => f().data.reduce((total, v, i) => total + v * mix.data[i], 0);
}

/**
 * Checks exercises 03-05 on the exact tensors this network passes them, so
 * a bug there is named where it lives, not as a failure of mlpBackward.
 */
function checkEarlierPieces(
  model: Mlp,
  x: Tensor,
  labels: number[],
): void {
  const { logits, cache } = mlpForward(model, x);
  assertEarlierExercise(
    "05_softmax",
    "crossEntropy returns a wrong dLogits",
    () =>
      assertGradientMatches(
        "crossEntropy logits",
        crossEntropy(logits, labels).dLogits,
        referenceNumericGradient(
          () => crossEntropy(logits, labels).loss,
          logits.data,
        ),
      ),
  );
  model.layers.forEach((layer: LinearParams, i) => {
    const input = cache.linearInputs[i];
    const mix = tensor(
      testValues(input.shape[0] * layer.bias.data.length, 40 + i),
      [input.shape[0], layer.bias.data.length],
    );
    const loss = mixed(() => linearForward(input, layer), mix);
    const g = linearBackward(mix, input, layer);
    assertEarlierExercise(
      "03_linear",
      `linearBackward returns a wrong gradient for layer ${i}`,
      () => {
        assertGradientMatches(
          "dWeights",
          g.dWeights,
          referenceNumericGradient(loss, layer.weights.data),
        );
        assertGradientMatches(
          "dBias",
          g.dBias,
          referenceNumericGradient(loss, layer.bias.data),
        );
        assertGradientMatches(
          "dInput",
          g.dInput!,
          referenceNumericGradient(loss, input.data),
        );
      },
    );
    if (i === 0) return;
    const z = cache.linearOutputs[i - 1];
    const act = ACTIVATIONS[model.activation];
    const mixZ = tensor(testValues(z.data.length, 50 + i), z.shape);
    assertEarlierExercise(
      "04_activations",
      `${model.activation}Backward returns a wrong gradient`,
      () =>
        assertGradientMatches(
          `${model.activation} input`,
          act.backward(mixZ, z, act.forward(z)),
          referenceNumericGradient(mixed(() => act.forward(z), mixZ), z.data),
        ),
    );
  });
}

Deno.test("07.1 createMlp() builds one linear layer per pair of sizes", () => {
  const model = createMlp([6, 5, 4, 3], "relu", makeRng(1));
  assert.deepEqual(model.sizes, [6, 5, 4, 3]);
  assert.equal(model.activation, "relu");
  assert.equal(
    model.layers.length,
    3,
    "sizes [6, 5, 4, 3] need 3 linear layers",
  );
  [[6, 5], [5, 4], [4, 3]].forEach(([inF, outF], i) => {
    assertShapeIs(model.layers[i].weights, [inF, outF], `layer ${i} weights`);
    assertShapeIs(model.layers[i].bias, [outF], `layer ${i} bias`);
  });
  assertThrows(
    () => createMlp([5], "relu", makeRng(1)),
    /\[5\]|5/,
    "createMlp([5]) must refuse: a network needs two sizes",
  );
});

Deno.test("07.1 createMlp() scales only the last layer's He weights by 0.1", () => {
  const model = createMlp([300, 200, 100], "relu", makeRng(3));
  const std = (t: Tensor) =>
    Math.sqrt(t.data.reduce((s, w) => s + w * w, 0) / t.data.length);
  const expected = [Math.sqrt(2 / 300), 0.1 * Math.sqrt(2 / 200)];
  model.layers.forEach((layer, i) => {
    assert.ok(
      Math.abs(std(layer.weights) - expected[i]) < 0.05 * expected[i],
      `layer ${i} weights' std ${std(layer.weights).toFixed(5)}: expected ${
        expected[i].toFixed(5)
      } ± 5% (He, and × 0.1 for the last layer only)`,
    );
  });
});

Deno.test("07.1 createMlp() keeps its own copy of sizes", () => {
  const sizes = [4, 3, 2];
  const model = createMlp(sizes, "relu", makeRng(1));
  sizes[1] = 99;
  assert.deepEqual(
    model.sizes,
    [4, 3, 2],
    "createMlp must copy the sizes array",
  );
});

Deno.test("07.2 mlpForward() caches each layer's input and its linear output, before the activation", () => {
  const model = createMlp([4, 6, 5, 3], "tanh", makeRng(2));
  const x = tensor(testValues(8, 3), [2, 4]);
  const { cache } = mlpForward(model, x);
  assert.equal(cache.linearInputs.length, 3, "one cached input per layer");
  assert.equal(cache.linearOutputs.length, 3, "one cached output per layer");
  model.layers.forEach((layer, i) => {
    const z = linearForward(cache.linearInputs[i], layer);
    assertTensorClose(
      cache.linearOutputs[i],
      { shape: z.shape, values: z.data },
      `cache.linearOutputs[${i}] (the linear output z, not tanh(z))`,
      1e-12,
    );
  });
});

Deno.test("07.2 mlpForward() is linear, activation, linear, ..., linear", () => {
  for (const activation of ["relu", "tanh", "sigmoid"] as ActivationName[]) {
    const model = createMlp([4, 6, 5, 3], activation, makeRng(2));
    const x = tensor(testValues(8, 3), [2, 4]);
    const act = ACTIVATIONS[activation];
    const expected = linearForward(
      act.forward(
        linearForward(
          act.forward(linearForward(x, model.layers[0])),
          model.layers[1],
        ),
      ),
      model.layers[2],
    );
    const { logits } = mlpForward(model, x);
    assertTensorClose(
      logits,
      { shape: [2, 3], values: expected.data },
      `${activation} network logits`,
      1e-12,
    );
  }
});

Deno.test("07.3 mlpBackward() passes a gradient check on every layer's parameters", () => {
  for (const activation of ["relu", "tanh", "sigmoid"] as ActivationName[]) {
    const model = createMlp([4, 6, 5, 3], activation, makeRng(4));
    for (const layer of model.layers) {
      // Nonzero biases so no ReLU input sits exactly at its kink.
      layer.bias.data.set(
        testValues(layer.bias.data.length, 5).map((v) => 0.1 * v),
      );
    }
    const x = tensor(testValues(12, 6), [3, 4]);
    const labels = [0, 2, 1];
    checkEarlierPieces(model, x, labels);
    const loss = () => crossEntropy(mlpForward(model, x).logits, labels).loss;
    const { logits, cache } = mlpForward(model, x);
    const grads = mlpBackward(
      model,
      crossEntropy(logits, labels).dLogits,
      cache,
    );
    assert.equal(grads.length, 3, "one LinearGrads per layer, in layer order");
    model.layers.forEach((layer, i) => {
      const name = `${activation} network, layer ${i} (Linear ${
        model.sizes[i]
      }→${model.sizes[i + 1]})`;
      checkGradient(
        grads[i].dWeights,
        numericGradient(loss, layer.weights.data),
        { layer: name, parameter: "weights", tolerance: 1e-6 },
      );
      checkGradient(grads[i].dBias, numericGradient(loss, layer.bias.data), {
        layer: name,
        parameter: "bias",
        tolerance: 1e-6,
      });
    });
  }
});

Deno.test("07.3 mlpBackward() skips the gradient of the input data", () => {
  const model = createMlp([4, 3, 2], "relu", makeRng(5));
  const x = tensor(testValues(8, 7), [2, 4]);
  const { logits, cache } = mlpForward(model, x);
  const grads = mlpBackward(model, crossEntropy(logits, [0, 1]).dLogits, cache);
  assert.equal(
    grads[0].dInput,
    null,
    "layer 0's dInput: nobody needs dLoss/dPixels, so pass inputGradient = false",
  );
});
