import assert from "node:assert/strict";
import {
  assertAllClose,
  assertShapeIs,
  assertTensorClose,
  assertThrows,
} from "../testing.ts";
import {
  add,
  argmaxRows,
  makeRng,
  multiply,
  randomNormal,
  scale,
  sum,
  tensor,
  zeros,
} from "./tensors.ts";

Deno.test("01.1 tensor() holds a copy of the values with the given shape", () => {
  const values = [1, 2, 3, 4, 5, 6];
  const t = tensor(values, [2, 3]);
  assertTensorClose(t, { shape: [2, 3], values }, "tensor([1..6], [2, 3])");
  assert.ok(
    t.data instanceof Float64Array,
    "tensor().data must be a Float64Array",
  );
  values[0] = 99;
  assert.equal(
    t.data[0],
    1,
    "tensor() must copy: changing the input changed the tensor",
  );
});

Deno.test("01.1 tensor() refuses a shape that does not fit the values", () => {
  assertThrows(
    () => tensor([1, 2, 3, 4, 5], [2, 3]),
    /\[2, 3\].*5|5.*\[2, 3\]/,
    "tensor([5 values], [2, 3]) must throw naming the shape [2, 3] and the 5 values",
  );
  assertThrows(
    () => tensor([1, 2, 3, 4, 5, 6, 7], [2, 3]),
    /\[2, 3\].*7|7.*\[2, 3\]/,
    "tensor([7 values], [2, 3]) must throw too: extra values are as wrong as missing ones",
  );
});

Deno.test("01.1 tensor() copies a Float64Array argument too", () => {
  const values = new Float64Array([1, 2, 3, 4]);
  const t = tensor(values, [2, 2]);
  values[0] = 99;
  assert.equal(
    t.data[0],
    1,
    "tensor(Float64Array) must copy: changing the caller's array changed the tensor",
  );
});

Deno.test("01.1 tensor() and zeros() keep their own copy of the shape", () => {
  const shape = [2, 3];
  const z = zeros(shape);
  const t = tensor([1, 2, 3, 4, 5, 6], shape);
  shape[0] = 7;
  assert.deepEqual(z.shape, [2, 3], "zeros(shape) must copy the shape array");
  assert.deepEqual(
    t.shape,
    [2, 3],
    "tensor(values, shape) must copy the shape array",
  );
});

Deno.test("01.1 zeros() makes a zero-filled tensor of any shape", () => {
  const z = zeros([3, 4]);
  assertTensorClose(
    z,
    { shape: [3, 4], values: new Array(12).fill(0) },
    "zeros([3, 4])",
  );
  assert.ok(
    z.data instanceof Float64Array,
    "zeros().data must be a Float64Array",
  );
  assertShapeIs(zeros([5]), [5], "zeros([5])");
});

Deno.test("01.2 randomNormal() is seeded: the same seed gives the same numbers", () => {
  const a = randomNormal([4, 5], 1, makeRng(7));
  const b = randomNormal([4, 5], 1, makeRng(7));
  assertShapeIs(a, [4, 5], "randomNormal([4, 5])");
  assertAllClose(a.data, b.data, {
    what: "two draws with seed 7",
    tolerance: 0,
  });
  const c = randomNormal([4, 5], 1, makeRng(8));
  assert.notDeepEqual(
    [...a.data],
    [...c.data],
    "seeds 7 and 8 gave the same numbers",
  );
});

Deno.test("01.2 randomNormal() has mean 0 and the requested std (20,000 draws, ±0.05)", () => {
  const t = randomNormal([20000], 2, makeRng(1));
  let mean = 0;
  for (const x of t.data) mean += x / t.data.length;
  let variance = 0;
  for (const x of t.data) variance += (x - mean) ** 2 / t.data.length;
  assert.ok(Math.abs(mean) < 0.05, `mean ${mean}: expected 0 ± 0.05`);
  assert.ok(
    Math.abs(Math.sqrt(variance) - 2) < 0.05,
    `std ${Math.sqrt(variance)}: expected 2 ± 0.05 for std = 2`,
  );
  assert.ok(
    t.data.every(Number.isFinite),
    "randomNormal produced a non-finite value (log of 0?)",
  );
});

Deno.test("01.2 randomNormal() stays finite when rng() returns exactly 0", () => {
  const t = randomNormal([4], 1, () => 0);
  assert.ok(
    t.data.every(Number.isFinite),
    `randomNormal with an rng that returns 0 gave ${t.data}: use u1 = 1 - rng(), in (0, 1], so ln(u1) is finite`,
  );
});

Deno.test("01.3 add(), multiply() and scale() work entry by entry", () => {
  const a = tensor([1, 2, 3, 4], [2, 2]);
  const b = tensor([10, 20, 30, 40], [2, 2]);
  assertTensorClose(
    add(a, b),
    { shape: [2, 2], values: [11, 22, 33, 44] },
    "add(a, b)",
  );
  assertTensorClose(multiply(a, b), {
    shape: [2, 2],
    values: [10, 40, 90, 160],
  }, "multiply(a, b)");
  assertTensorClose(scale(a, -0.5), {
    shape: [2, 2],
    values: [-0.5, -1, -1.5, -2],
  }, "scale(a, -0.5)");
  assertTensorClose(
    a,
    { shape: [2, 2], values: [1, 2, 3, 4] },
    "a after the operations (inputs must not change)",
  );
});

Deno.test("01.3 add() and multiply() refuse different shapes, naming both", () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
  assertThrows(
    () => add(a, b),
    /\[2, 3\][^]*\[3, 2\]/,
    "add([2,3], [3,2]) must name both shapes",
  );
  assertThrows(
    () => multiply(a, b),
    /\[2, 3\][^]*\[3, 2\]/,
    "multiply([2,3], [3,2]) must name both shapes",
  );
});

Deno.test("01.4 sum() adds every entry", () => {
  assert.equal(sum(tensor([1, 2, 3, 4, 5, 6], [2, 3])), 21);
  assert.equal(sum(zeros([0])), 0, "sum of an empty tensor");
  assert.equal(sum(tensor([0.5, -2], [2])), -1.5);
});

Deno.test("01.4 argmaxRows() picks each row's largest column, the first on ties", () => {
  const scores = tensor([0.1, 0.7, 0.2, 5, -1, 5, -3, -2, -1], [3, 3]);
  const best = argmaxRows(scores);
  assert.ok(best instanceof Int32Array, "argmaxRows must return an Int32Array");
  assert.deepEqual(
    [...best],
    [1, 0, 2],
    "argmax of rows [.1 .7 .2], [5 -1 5], [-3 -2 -1]",
  );
});

Deno.test("01.4 argmaxRows() reads non-square scores [2, 4] row by row", () => {
  const best = argmaxRows(tensor([0, 1, 2, 3, 9, 2, 1, 0], [2, 4]));
  assert.deepEqual(
    [...best],
    [3, 0],
    "argmax of rows [0 1 2 3], [9 2 1 0]: one answer per row, each row 4 wide",
  );
});
