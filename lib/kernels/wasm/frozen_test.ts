/**
 * `freeze` on the WebAssembly kernels: a frozen input's products (`ab`
 * with it on the left, a full batch's `atb` with it transposed) run on its
 * index, built once, and give the same bits as the kernels without it, on
 * one thread or two, f32 or f64.
 */
import assert from "node:assert/strict";
import { createWasmKernels, Rng, type WasmKernels } from "../../../mod.ts";
import type { DType, FloatArray } from "../../base/tensor.ts";
import { assertSameFloats, randomWithZeros } from "./operands_testing.ts";

/** A full batch's worth of rows (`atb` indexes from 4096 rows), 20 columns. */
const [ROWS, COLS, OUT] = [4101, 20, 13];

/** x [ROWS, COLS] about 80% zeros, w [COLS, OUT], dY [ROWS, OUT], seeded. */
function data(seed: number) {
  const rng = new Rng(seed);
  return {
    x: randomWithZeros(rng, ROWS * COLS, 0.8),
    w: randomWithZeros(rng, COLS * OUT, 0),
    dY: randomWithZeros(rng, ROWS * OUT, 0.5),
  };
}

/**
 * The operands in a kernel set's memory, and the two products on them:
 * `ab` then `atb` as training runs them, or `atb` first (its index then
 * counts the nonzeros itself instead of reading the row index's starts).
 */
function productsOn(kernels: WasmKernels, dtype: DType, atbFirst: boolean) {
  const { x, w, dY } = data(51);
  const put = (values: number[]) => {
    const array = kernels.allocate!(dtype, values.length);
    array.set(values);
    return array;
  };
  const [xs, ws, dYs] = [put(x), put(w), put(dY)];
  const y = kernels.allocate!(dtype, ROWS * OUT).fill(NaN);
  const dW = kernels.allocate!(dtype, COLS * OUT).fill(NaN);
  const run = (): [FloatArray, FloatArray] => {
    if (atbFirst) kernels.atb(xs, dYs, dW, COLS, ROWS, OUT);
    kernels.ab(xs, ws, y, ROWS, COLS, OUT);
    if (!atbFirst) kernels.atb(xs, dYs, dW, COLS, ROWS, OUT);
    return [y.slice(), dW.slice()];
  };
  return { x: xs, run };
}

/** Kernels small enough for a test, every product worth splitting. */
function kernelsFor(worker: boolean): WasmKernels {
  return createWasmKernels({ worker, arenaBytes: 8 << 20, splitThreshold: 1 });
}

for (const dtype of ["f32", "f64"] as const) {
  Deno.test(`a frozen input's ab and atb (${dtype}) are the unfrozen kernels' bit for bit, on one thread and two, in either order, and its index is built once`, () => {
    for (
      const [worker, atbFirst] of [[false, false], [true, false], [true, true]]
    ) {
      const [plain, frozen] = [kernelsFor(worker), kernelsFor(worker)];
      try {
        const a = productsOn(plain, dtype, atbFirst);
        const b = productsOn(frozen, dtype, atbFirst);
        frozen.freeze(b.x, ROWS, COLS);
        const what = `${frozen.name} ${dtype}${atbFirst ? ", atb first" : ""}`;
        const [y, dW] = b.run();
        const [yPlain, dWPlain] = a.run();
        assertSameFloats(y, yPlain, `${what}: ab`);
        assertSameFloats(dW, dWPlain, `${what}: atb`);
        // The index was built from x as it was: a change to x after
        // freezing (which the caller promised not to make) is not seen.
        // This is how the test knows the index was used.
        a.x.fill(1, 0, COLS);
        b.x.fill(1, 0, COLS);
        const [yAgain, dWAgain] = b.run();
        const [yChanged, dWChanged] = a.run();
        assertSameFloats(yAgain, y, `${what}: ab from the index`);
        assertSameFloats(dWAgain, dW, `${what}: atb from the index`);
        assert.notDeepEqual([...yChanged], [...y], "row 0 of x changed");
        assert.notDeepEqual([...dWChanged], [...dW], "row 0 of x changed");
      } finally {
        plain.dispose();
        frozen.dispose();
      }
    }
  });
}

Deno.test("freeze is ignored for other shapes, other arrays and arrays outside the memory", () => {
  const kernels = kernelsFor(true);
  try {
    const { x, w } = data(52);
    const xs = kernels.allocate!("f32", ROWS * COLS);
    xs.set(x);
    const ws = kernels.allocate!("f32", COLS * OUT);
    ws.set(w);
    const expected = new Float32Array(100 * OUT);
    kernels.ab(xs, ws, expected, 100, COLS, OUT);
    // Frozen as a whole, used as its first 100 rows: not the frozen input.
    kernels.freeze(xs, ROWS, COLS);
    const y = kernels.allocate!("f32", 100 * OUT);
    kernels.ab(xs, ws, y, 100, COLS, OUT);
    assertSameFloats(y, expected, "first 100 rows");
    // An ordinary array cannot be frozen; changing it changes its products.
    const outside = Float32Array.from(x.slice(0, 100 * COLS));
    kernels.freeze(outside, 100, COLS);
    kernels.ab(outside, ws, y, 100, COLS, OUT);
    assertSameFloats(y, expected, "outside the memory");
    outside.fill(0, 0, COLS);
    kernels.ab(outside, ws, y, 100, COLS, OUT);
    assert.ok(y.subarray(0, OUT).every((v) => v === 0), "row 0 now zero");
  } finally {
    kernels.dispose();
  }
});
