import assert from "node:assert/strict";
import {
  assertAllClose,
  assertGradientMatches,
  assertTensorClose,
  assertThrows,
  referenceNumericGradient,
  testValues,
} from "../testing.ts";
import { tensor } from "../01_tensors/tensors.ts";
import { crossEntropy, softmax } from "./softmax.ts";

Deno.test("05.1 softmax() turns each row into probabilities", () => {
  const p = softmax(tensor([1, 2, 3, 0, 0, 0], [2, 3]));
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const total = e[0] + e[1] + e[2];
  assertTensorClose(
    p,
    {
      shape: [2, 3],
      values: [e[0] / total, e[1] / total, e[2] / total, 1 / 3, 1 / 3, 1 / 3],
    },
    "softmax([[1, 2, 3], [0, 0, 0]])",
    1e-12,
  );
});

Deno.test("05.1 softmax() returns a new tensor and leaves the logits unchanged", () => {
  const logits = tensor([1, 2, 3, -1, 0, 1], [2, 3]);
  softmax(logits);
  assertTensorClose(
    logits,
    { shape: [2, 3], values: [1, 2, 3, -1, 0, 1] },
    "the logits after softmax(logits)",
  );
});

Deno.test("05.1 softmax() is stable: huge logits give no NaN or Infinity", () => {
  const p = softmax(tensor([1000, 1001, 1002, -1000, -1000, -1000], [2, 3]));
  assert.ok(
    p.data.every(Number.isFinite),
    `softmax of ±1000s gave ${p.data}: subtract each row's max first`,
  );
  assertAllClose(
    p.data.subarray(0, 3),
    [...softmax(tensor([0, 1, 2], [1, 3])).data],
    {
      what: "softmax([1000, 1001, 1002]) vs softmax([0, 1, 2])",
      tolerance: 1e-12,
    },
  );
});

Deno.test("05.2 crossEntropy() of a uniform guess over 10 classes is ln 10", () => {
  const { loss, dLogits } = crossEntropy(
    tensor(new Array(20).fill(0), [2, 10]),
    [3, 7],
  );
  assert.ok(
    Math.abs(loss - Math.log(10)) < 1e-12,
    `loss ${loss}: expected ln 10 = ${Math.log(10)}`,
  );
  // p = 0.1 everywhere; dLogits = (p - onehot) / batch
  const expected = new Array(20).fill(0.05);
  expected[3] = (0.1 - 1) / 2;
  expected[10 + 7] = (0.1 - 1) / 2;
  assertTensorClose(
    dLogits,
    { shape: [2, 10], values: expected },
    "dLogits",
    1e-12,
  );
});

Deno.test("05.2 crossEntropy() is stable and its gradient checks out", () => {
  const big = crossEntropy(tensor([1000, 0, 0, 0, 1000, 0], [2, 3]), [1, 1]);
  assert.ok(
    Math.abs(big.loss - 500) < 1e-9,
    `loss ${big.loss}: expected 500 (row 0 is 1000 nats wrong, row 1 right)`,
  );
  const logits = tensor(testValues(15, 11).map((v) => 4 * v), [3, 5]);
  const labels = [4, 0, 2];
  const { dLogits } = crossEntropy(logits, labels);
  assertGradientMatches(
    "crossEntropy logits",
    dLogits,
    referenceNumericGradient(
      () => crossEntropy(logits, labels).loss,
      logits.data,
    ),
  );
});

Deno.test("05.2 crossEntropy() refuses a label out of range, naming the row", () => {
  assertThrows(
    () => crossEntropy(tensor([0, 0, 0, 0, 0, 0], [2, 3]), [1, 3]),
    /label 3[^]*row 1|row 1[^]*label 3/,
    "label 3 for 3 classes at row 1 must throw naming the label and the row",
  );
});

Deno.test("05.2 crossEntropy() refuses labels that are not whole numbers", () => {
  const logits = tensor([0, 0, 0, 0, 0, 0], [2, 3]);
  for (const bad of [1.5, -1, NaN]) {
    assertThrows(
      () => crossEntropy(logits, [0, bad]),
      /row 1/,
      `label ${bad} at row 1 must throw naming the row`,
    );
  }
});

Deno.test("05.2 crossEntropy() refuses a label count that differs from the batch", () => {
  assertThrows(
    () => crossEntropy(tensor([0, 0, 0, 0, 0, 0], [3, 2]), [0, 1]),
    /\[3, 2\]|2 labels|3 rows/,
    "3 rows of logits with 2 labels must throw naming the logits' shape [3, 2]",
  );
});
