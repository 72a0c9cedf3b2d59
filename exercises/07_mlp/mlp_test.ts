import assert from "node:assert/strict";
import {
  assertShapeIs,
  assertTensorClose,
  assertThrows,
  testValues,
} from "../testing.ts";
import { makeRng, tensor } from "../01_tensors/tensors.ts";
import { linearForward } from "../03_linear/linear.ts";
import {
  type ActivationName,
  ACTIVATIONS,
} from "../04_activations/activations.ts";
import { crossEntropy } from "../05_softmax/softmax.ts";
import { checkGradient, numericGradient } from "../06_gradcheck/gradcheck.ts";
import { createMlp, mlpBackward, mlpForward } from "./mlp.ts";

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
