import assert from "node:assert/strict";
import {
  assertGradientsClose,
  Dropout,
  fromValues,
  numericGradient,
  Rng,
  type Tensor,
  zeros,
} from "../../mod.ts";

function ones(rows: number, cols: number): Tensor {
  const t = zeros([rows, cols], "f64");
  t.data.fill(1);
  return t;
}

// 50,000 entries at rate 0.2: the dropped fraction's standard deviation is
// sqrt(0.2·0.8/50000) ≈ 0.0018, so ±0.01 is more than 5 deviations.
Deno.test("Dropout drops a fraction near its rate (seed 3, 50,000 entries, ±0.01)", () => {
  const output = new Dropout(500, 0.2, new Rng(3), "f64").forward(
    ones(100, 500),
  );
  const dropped = output.data.filter((y) => y === 0).length / 50_000;
  assert.ok(Math.abs(dropped - 0.2) < 0.01, `dropped ${dropped}`);
});

Deno.test("Dropout scales the kept entries by 1 / (1 - rate), keeping the mean", () => {
  const output = new Dropout(500, 0.2, new Rng(3), "f64").forward(
    ones(100, 500),
  );
  const kept = output.data.filter((y) => y !== 0);
  assert.ok(kept.every((y) => y === 1.25), "a kept entry is not 1.25");
  const mean = [...output.data].reduce((a, b) => a + b, 0) / output.data.length;
  assert.ok(Math.abs(mean - 1) < 0.0125, `mean ${mean}`);
});

Deno.test("Dropout draws the same masks from the same seed, other ones from another", () => {
  const mask = (
    seed: number,
  ) => [
    ...new Dropout(50, 0.5, new Rng(seed), "f64").forward(ones(4, 50)).data,
  ];
  assert.deepEqual(mask(7), mask(7));
  assert.notDeepEqual(mask(7), mask(8));
});

Deno.test("Dropout draws a new mask on every training forward", () => {
  const layer = new Dropout(50, 0.5, new Rng(7), "f64");
  const first = [...layer.forward(ones(4, 50)).data];
  assert.notDeepEqual([...layer.forward(ones(4, 50)).data], first);
});

Deno.test("Dropout in evaluation mode passes input and gradient through", () => {
  const layer = new Dropout(3, 0.5, new Rng(1), "f64");
  layer.setTraining(false);
  const input = fromValues([1, -2, 3, 4, 5, -6], [2, 3], "f64");
  assert.deepEqual([...layer.forward(input).data], [1, -2, 3, 4, 5, -6]);
  const dOutput = fromValues([1, 1, 1, 2, 2, 2], [2, 3], "f64");
  assert.deepEqual([...layer.backward(dOutput).data], [1, 1, 1, 2, 2, 2]);
});

/** Replays the same uniforms on every forward, so the mask stays fixed. */
class ReplayRng extends Rng {
  #i = 0;
  constructor(readonly draws: number[]) {
    super(0);
  }
  override uniform(): number {
    return this.draws[this.#i++ % this.draws.length];
  }
}

Deno.test("Dropout's backward matches centered differences with the mask fixed", () => {
  const rng = new Rng(5);
  const draws = Array.from({ length: 12 }, () => rng.uniform());
  const layer = new Dropout(4, 0.3, new ReplayRng(draws), "f64");
  const input = zeros([3, 4], "f64");
  const upstream = zeros([3, 4], "f64");
  for (let i = 0; i < 12; i++) {
    input.data[i] = rng.normal();
    upstream.data[i] = rng.normal();
  }
  const loss = () =>
    [...layer.forward(input).data].reduce(
      (sum, y, i) => sum + y * upstream.data[i],
      0,
    );
  layer.forward(input);
  const dInput = Float64Array.from(layer.backward(upstream).data);
  assert.ok(dInput.some((g) => g === 0), "the mask dropped nothing");
  assertGradientsClose(
    "Dropout input",
    dInput,
    numericGradient(loss, input.data),
  );
});

Deno.test("Dropout refuses a rate outside [0, 1)", () => {
  assert.throws(
    () => new Dropout(3, 1, new Rng(1)),
    /rate must be in \[0, 1\), got 1/,
  );
  assert.throws(() => new Dropout(3, -0.1, new Rng(1)), /got -0\.1/);
});
