import assert from "node:assert/strict";
import {
  assertGradientMatches,
  assertTensorClose,
  referenceNumericGradient,
  testValues,
} from "../testing.ts";
import { type Tensor, tensor } from "../01_tensors/tensors.ts";
import {
  reluBackward,
  reluForward,
  sigmoidBackward,
  sigmoidForward,
  tanhBackward,
  tanhForward,
} from "./activations.ts";

const x = () => tensor([-2, -0.5, 0, 0.5, 2, 3], [2, 3]);

/** Checks backward against the derivative, for loss = Σ f(x) ⊙ mix. */
function gradientCheck(
  what: string,
  forward: (t: Tensor) => Tensor,
  backward: (dOut: Tensor, input: Tensor, output: Tensor) => Tensor,
): void {
  // Keep inputs away from 0, where relu has a kink.
  const input = tensor(
    testValues(12, 9).map((v) => v * 3 + (v > 0 ? 0.1 : -0.1)),
    [3, 4],
  );
  const mix = tensor(testValues(12, 10), [3, 4]);
  const loss = () => {
    const out = forward(input);
    let total = 0;
    for (let i = 0; i < out.data.length; i++) {
      total += out.data[i] * mix.data[i];
    }
    return total;
  };
  const analytic = backward(mix, input, forward(input));
  assertGradientMatches(
    what,
    analytic,
    referenceNumericGradient(loss, input.data),
  );
}

Deno.test("04.1 reluForward() keeps positives and zeroes the rest", () => {
  assertTensorClose(reluForward(x()), {
    shape: [2, 3],
    values: [0, 0, 0, 0.5, 2, 3],
  }, "relu(x)");
});

Deno.test("04.1 reluForward() is exact at the extremes: ±1e308", () => {
  assertTensorClose(
    reluForward(tensor([-1e308, 1e308], [1, 2])),
    { shape: [1, 2], values: [0, 1e308] },
    "relu([-1e308, 1e308]) ((x + |x|) / 2 overflows: compare with 0 instead)",
    0,
  );
});

Deno.test("04.1 reluForward() returns a new tensor and leaves its input unchanged", () => {
  const input = x();
  reluForward(input);
  assertTensorClose(
    input,
    { shape: [2, 3], values: [-2, -0.5, 0, 0.5, 2, 3] },
    "the input after reluForward(input) (backward needs it as it was)",
  );
});

Deno.test("04.1 reluBackward() passes the gradient only where the input was positive", () => {
  const dOut = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assertTensorClose(reluBackward(dOut, x()), {
    shape: [2, 3],
    values: [0, 0, 0, 4, 5, 6],
  }, "reluBackward");
  gradientCheck(
    "ReLU input",
    reluForward,
    (d, input) => reluBackward(d, input),
  );
});

Deno.test("04.2 sigmoidForward() squashes to (0, 1), sigmoid(0) = 0.5", () => {
  const y = sigmoidForward(x());
  assertTensorClose(
    y,
    {
      shape: [2, 3],
      values: [-2, -0.5, 0, 0.5, 2, 3].map((v) => 1 / (1 + Math.exp(-v))),
    },
    "sigmoid(x)",
    1e-12,
  );
  const extreme = sigmoidForward(tensor([-1000, 1000], [1, 2]));
  assert.ok(
    extreme.data.every(Number.isFinite),
    `sigmoid(±1000) must be finite, got ${extreme.data}`,
  );
});

Deno.test("04.2 sigmoidBackward() multiplies by y (1 - y)", () => {
  const y = sigmoidForward(x());
  const dOut = tensor([1, 1, 1, 1, 1, 1], [2, 3]);
  assertTensorClose(
    sigmoidBackward(dOut, y),
    { shape: [2, 3], values: [...y.data].map((v) => v * (1 - v)) },
    "sigmoidBackward(ones, y)",
    1e-12,
  );
  gradientCheck(
    "Sigmoid input",
    sigmoidForward,
    (d, _input, output) => sigmoidBackward(d, output),
  );
});

Deno.test("04.3 tanhForward() squashes to (-1, 1)", () => {
  assertTensorClose(
    tanhForward(x()),
    { shape: [2, 3], values: [-2, -0.5, 0, 0.5, 2, 3].map(Math.tanh) },
    "tanh(x)",
    1e-12,
  );
});

Deno.test("04.3 tanhForward() is ±1, not NaN, at ±1000", () => {
  assertTensorClose(
    tanhForward(tensor([-1000, 1000], [1, 2])),
    { shape: [1, 2], values: [-1, 1] },
    "tanh(±1000) (e^1000 overflows: use Math.tanh or a stable form)",
  );
});

Deno.test("04.3 tanhBackward() multiplies by 1 - y²", () => {
  const y = tanhForward(x());
  const dOut = tensor([2, 2, 2, 2, 2, 2], [2, 3]);
  assertTensorClose(
    tanhBackward(dOut, y),
    { shape: [2, 3], values: [...y.data].map((v) => 2 * (1 - v * v)) },
    "tanhBackward(twos, y)",
    1e-12,
  );
  gradientCheck(
    "Tanh input",
    tanhForward,
    (d, _input, output) => tanhBackward(d, output),
  );
});
