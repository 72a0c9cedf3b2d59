import assert from "node:assert/strict";
import { fromValues, softmax, softmaxCrossEntropy, zeros } from "../../mod.ts";

Deno.test("softmaxCrossEntropy of equal logits is ln 10", () => {
  const loss = softmaxCrossEntropy(zeros([4, 10], "f64"), [0, 3, 7, 9]);
  assert.ok(Math.abs(loss - Math.log(10)) < 1e-12, `loss ${loss}`);
});

Deno.test("softmaxCrossEntropy matches -log softmax on a worked example", () => {
  const logits = fromValues([1, 2, 3], [1, 3], "f64");
  const p2 = Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3));
  const loss = softmaxCrossEntropy(logits, [2]);
  assert.ok(Math.abs(loss + Math.log(p2)) < 1e-12);
});

Deno.test("softmaxCrossEntropy stays finite for huge logits (row max is subtracted)", () => {
  const logits = fromValues([1000, 0, -1000, 1000, 999, 0], [2, 3], "f32");
  const dLogits = zeros([2, 3], "f32");
  const loss = softmaxCrossEntropy(logits, [1, 1], dLogits);
  assert.ok(Number.isFinite(loss), `loss ${loss}`);
  assert.ok(dLogits.data.every(Number.isFinite));
  assert.ok(
    Math.abs(loss - (1000 + (1 + Math.log1p(Math.exp(-1)))) / 2) < 1e-3,
  );
});

Deno.test("dLogits rows sum to zero and equal (p - onehot) / batch", () => {
  const logits = fromValues([0.5, -1, 2, 0, 0, 0], [2, 3], "f64");
  const dLogits = zeros([2, 3], "f64");
  softmaxCrossEntropy(logits, [2, 0], dLogits);
  const p = softmax(logits, zeros([2, 3], "f64"));
  for (let r = 0; r < 2; r++) {
    const row = [0, 1, 2].map((c) => dLogits.data[r * 3 + c]);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0)) < 1e-15);
  }
  assert.ok(Math.abs(dLogits.data[2] - (p.data[2] - 1) / 2) < 1e-15);
  assert.ok(Math.abs(dLogits.data[4] - p.data[4] / 2) < 1e-15);
});

Deno.test("softmaxCrossEntropy refuses a label out of range", () => {
  assert.throws(
    () => softmaxCrossEntropy(zeros([1, 10]), [10]),
    /label 10 at row 0 is not in \[0, 10\)/,
  );
  assert.throws(
    () => softmaxCrossEntropy(zeros([2, 10]), [1]),
    /1 labels for 2 rows/,
  );
});
