import assert from "node:assert/strict";
import { assertThrows, testValues } from "../testing.ts";
import { tensor } from "../01_tensors/tensors.ts";
import { checkGradient, numericGradient, relativeError } from "./gradcheck.ts";

Deno.test("06.1 numericGradient() matches known derivatives", () => {
  const values = new Float64Array([1, -2, 0.5]);
  // f = x0² + 3 x1 + sin(x2): gradient [2 x0, 3, cos(x2)]
  const f = () => values[0] ** 2 + 3 * values[1] + Math.sin(values[2]);
  const grad = numericGradient(f, values);
  assert.ok(
    grad instanceof Float64Array,
    "numericGradient must return a Float64Array",
  );
  const expected = [2, 3, Math.cos(0.5)];
  for (let i = 0; i < 3; i++) {
    assert.ok(
      Math.abs(grad[i] - expected[i]) < 1e-8,
      `entry ${i}: expected ${expected[i]}, got ${grad[i]} (tolerance 1e-8)`,
    );
  }
  assert.deepEqual(
    [...values],
    [1, -2, 0.5],
    "numericGradient must restore every value it nudged",
  );
});

Deno.test("06.1 numericGradient() uses a centered difference (error O(h²))", () => {
  const values = new Float64Array([1]);
  // f = x³: f'(1) = 3; a one-sided difference with h = 1e-3 is off by ~3e-3
  const grad = numericGradient(() => values[0] ** 3, values, 1e-3);
  assert.ok(
    Math.abs(grad[0] - 3) < 1e-5,
    `f = x³ at 1 with h = 1e-3: got ${
      grad[0]
    }, expected 3 ± 1e-5 (centered: (f(x+h) - f(x-h)) / 2h)`,
  );
});

Deno.test("06.2 relativeError() is symmetric, scale-free, and floored", () => {
  assert.equal(relativeError(1, 1), 0);
  assert.ok(
    Math.abs(relativeError(1, 1.1) - 0.1 / 1.1) < 1e-15,
    `relativeError(1, 1.1) = ${relativeError(1, 1.1)}, expected 0.1/1.1`,
  );
  assert.equal(relativeError(2, 1), relativeError(1, 2), "must be symmetric");
  assert.ok(
    Math.abs(relativeError(1000, 1100) - relativeError(1, 1.1)) < 1e-15,
    "must not depend on scale",
  );
  assert.ok(
    relativeError(1e-15, 0) < 1e-6,
    `relativeError(1e-15, 0) = ${
      relativeError(1e-15, 0)
    }: the floor (1e-8) keeps tiny numbers close`,
  );
});

Deno.test("06.3 checkGradient() accepts a match and returns the worst relative error", () => {
  const analytic = tensor([1, 2, 3, 4], [2, 2]);
  const error = checkGradient(
    analytic,
    new Float64Array([1, 2, 3, 4.000000001]),
    { layer: "layer 0", parameter: "weights" },
  );
  assert.ok(
    error > 0 && error < 1e-6,
    `returned ${error}, expected the worst relative error (about 2.5e-10)`,
  );
});

Deno.test("06.3 checkGradient() failure names layer, parameter, index, values, error and tolerance", () => {
  const analytic = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const numeric = new Float64Array([1, 2, 3, 4, 7, 6]);
  assertThrows(
    () =>
      checkGradient(analytic, numeric, {
        layer: "layer 1 (Linear 3→2)",
        parameter: "weights",
        tolerance: 1e-4,
      }),
    (error: Error) => {
      const parts: [string, RegExp][] = [
        ["the layer", /layer 1 \(Linear 3→2\)/],
        ["the parameter", /weights/],
        ["the worst index", /\b4\b/],
        ["the analytic value", /\b5\b/],
        ["the numeric value", /\b7\b/],
        ["the relative error", /0\.28|2\.8\d*e-1/],
        ["the tolerance", /0\.0001|1(\.0*)?e-4/],
      ];
      for (const [what, pattern] of parts) {
        assert.match(error.message, pattern, `the message should name ${what}`);
      }
      assert.match(
        error.message,
        /row 1, col 1/,
        "for a 2-D gradient, name the row and column of the worst index",
      );
    },
    "checkGradient with a wrong entry at index 4 and tolerance 1e-4",
  );
});

Deno.test("06.3 checkGradient() fails on a NaN in the analytic gradient", () => {
  assertThrows(
    () =>
      checkGradient(tensor([1, NaN, 3], [3]), new Float64Array([1, 2, 3]), {
        layer: "layer 0",
        parameter: "bias",
      }),
    /NaN/,
    "an analytic NaN at index 1 must fail the check and show the NaN (NaN > x is false: test for it)",
  );
});

Deno.test("06.3 checkGradient() reports the worst entry, not the first one over the tolerance", () => {
  assertThrows(
    () =>
      checkGradient(
        tensor([1, 2, 3, 4], [4]),
        new Float64Array([1, 2.01, 3, 8]),
        {
          layer: "layer 0",
          parameter: "bias",
          tolerance: 1e-4,
        },
      ),
    /index 3/,
    "entries 1 (error 5e-3) and 3 (error 0.5) are off: name index 3, the worst",
  );
});

Deno.test("06.3 checkGradient() uses a tolerance of 1e-6 by default", () => {
  assertThrows(
    () =>
      checkGradient(tensor([1, 2], [2]), new Float64Array([1, 2.00002]), {
        layer: "layer 0",
        parameter: "bias",
      }),
    /1e-6|0\.000001|1\.0*e-6/,
    "a relative error of 1e-5 with no tolerance given must fail against the default 1e-6",
  );
});

Deno.test("06.3 checkGradient() refuses gradients of different lengths", () => {
  for (const [a, n] of [[2, 3], [3, 2]]) {
    assertThrows(
      () =>
        checkGradient(
          tensor(testValues(a, 1), [a]),
          new Float64Array(testValues(n, 1)),
          { layer: "layer 0", parameter: "bias" },
        ),
      new RegExp(`${a}[^]*${n}|${n}[^]*${a}`),
      `${a} analytic values against ${n} numeric ones must throw naming both counts`,
    );
  }
});
