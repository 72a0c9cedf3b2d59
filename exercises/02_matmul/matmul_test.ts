import { assertTensorClose, assertThrows, testValues } from "../testing.ts";
import { tensor } from "../01_tensors/tensors.ts";
import { addRowVector, matmul, sumRows, transpose } from "./matmul.ts";

Deno.test("02.1 matmul() multiplies a [2, 3] by a [3, 2]", () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tensor([7, 8, 9, 10, 11, 12], [3, 2]);
  // [1 2 3]·[7 9 11]ᵀ = 58, [1 2 3]·[8 10 12]ᵀ = 64, ...
  assertTensorClose(
    matmul(a, b),
    { shape: [2, 2], values: [58, 64, 139, 154] },
    "matmul([2,3], [3,2])",
  );
});

Deno.test("02.1 matmul() matches the definition on random [5, 7] · [7, 3]", () => {
  const av = testValues(35, 1);
  const bv = testValues(21, 2);
  const expected: number[] = [];
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 3; j++) {
      let total = 0;
      for (let k = 0; k < 7; k++) total += av[i * 7 + k] * bv[k * 3 + j];
      expected.push(total);
    }
  }
  assertTensorClose(
    matmul(tensor(av, [5, 7]), tensor(bv, [7, 3])),
    { shape: [5, 3], values: expected },
    "matmul([5,7], [7,3])",
    1e-12,
  );
});

Deno.test("02.1 matmul() refuses mismatched shapes, naming both", () => {
  const a = tensor(testValues(6, 1), [2, 3]);
  const b = tensor(testValues(8, 2), [4, 2]);
  assertThrows(
    () => matmul(a, b),
    /\[2, 3\][^]*\[4, 2\]/,
    "matmul([2,3], [4,2]) must throw naming both shapes",
  );
  assertThrows(
    () =>
      matmul(
        tensor(testValues(8, 3), [2, 4]),
        tensor(testValues(6, 4), [3, 2]),
      ),
    /\[2, 4\][^]*\[3, 2\]/,
    "matmul([2,4], [3,2]) must throw too: a's columns (4) must equal b's rows (3) exactly",
  );
});

Deno.test("02.2 transpose() swaps rows and columns", () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assertTensorClose(
    transpose(a),
    { shape: [3, 2], values: [1, 4, 2, 5, 3, 6] },
    "transpose([2,3])",
  );
  assertTensorClose(transpose(transpose(a)), {
    shape: [2, 3],
    values: [1, 2, 3, 4, 5, 6],
  }, "transpose twice");
});

Deno.test("02.3 addRowVector() adds the vector to every row", () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = tensor([10, 20, 30], [3]);
  assertTensorClose(addRowVector(a, v), {
    shape: [2, 3],
    values: [11, 22, 33, 14, 25, 36],
  }, "addRowVector([2,3], [3])");
  assertThrows(
    () => addRowVector(a, tensor([1, 2], [2])),
    /\[2\]/,
    "addRowVector([2,3], [2]) must name the vector's shape [2]",
  );
});

Deno.test("02.3 sumRows() sums each column over the rows", () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assertTensorClose(
    sumRows(a),
    { shape: [3], values: [5, 7, 9] },
    "sumRows([2,3])",
  );
});

Deno.test("02.3 addRowVector() returns a new tensor and leaves its input unchanged", () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  addRowVector(a, tensor([10, 20, 30], [3]));
  assertTensorClose(
    a,
    { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
    "a after addRowVector(a, v) (the input must not change)",
  );
});
