import assert from "node:assert/strict";
import { Adam, AdamW, fromValues, type Parameter } from "../../mod.ts";

function parameter(values: number[]): Parameter {
  return {
    name: "p",
    value: fromValues(values, [values.length], "f64"),
    grad: fromValues(values.map(() => 0), [values.length], "f64"),
  };
}

function assertClose(actual: ArrayLike<number>, expected: number[]): void {
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) < 1e-12,
      `[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

// Two steps worked out by hand, β1 0.9, β2 0.999, ε 1e-8, lr 0.1.
// Element 0, g = 0.5 then -1:
//   t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, w = 1 - 0.1·0.5/(0.5+1e-8)
//        = 0.900000002
//   t=2: m = -0.055, v = 0.00124975, m̂ = -0.055/0.19, v̂ = 0.00124975/0.001999
//        = 0.625187..., w = 0.900000002 + 0.1·0.289473.../0.790688...
//        = 0.9366103542405654
// Element 1, g = 0.001 then 0.003 (small enough that ε's place shows):
//   t=1: m̂ = 0.001, √v̂ = 0.001, w = -2 - 0.1·0.001/(0.001+1e-8)
//        = -2.09999900001
//   t=2: w = -2.191776701547776
Deno.test("Adam's first two steps match the hand-computed bias-corrected update", () => {
  const p = parameter([1, -2]);
  const adam = new Adam([p]);
  p.grad.data.set([0.5, 0.001]);
  adam.step(0.1);
  assertClose(p.value.data, [0.900000002, -2.09999900001]);
  p.grad.data.set([-1, 0.003]);
  adam.step(0.1);
  assertClose(p.value.data, [0.9366103542405654, -2.191776701547776]);
});

Deno.test("Adam's weight decay enters the gradient (L2)", () => {
  // g = 1 + 0.5·2 = 2; the first step moves w by lr·sign(g): 2 → 1.9.
  const p = parameter([2]);
  p.grad.data[0] = 1;
  new Adam([p], { weightDecay: 0.5 }).step(0.1);
  assertClose(p.value.data, [1.9 + 0.1 * (1e-8 / (2 + 1e-8))]);
});

Deno.test("AdamW's weight decay shrinks the weights outside the moments", () => {
  // w = 2·(1 - 0.1·0.5) = 1.9, then the Adam step on g = 1 moves it by ~0.1.
  const p = parameter([2]);
  p.grad.data[0] = 1;
  new AdamW([p], { weightDecay: 0.5 }).step(0.1);
  assertClose(p.value.data, [1.8 + 0.1 * (1e-8 / (1 + 1e-8))]);
});

Deno.test("Adam state() names both moments per parameter and the step count", () => {
  const adam = new Adam([parameter([1, 2])]);
  adam.step(0.1);
  const state = adam.state();
  assert.deepEqual(Object.keys(state).sort(), ["p.m", "p.v", "step"]);
  assert.deepEqual([...state.step], [1]);
});

Deno.test("Adam loadState() makes the next step continue the saved run", () => {
  const p = parameter([1, -2]);
  const adam = new Adam([p]);
  p.grad.data.set([0.5, 0.001]);
  adam.step(0.1);
  const saved = Object.fromEntries(
    Object.entries(adam.state()).map(([k, v]) => [k, Float64Array.from(v)]),
  );
  const q = parameter([...p.value.data]);
  const resumed = new Adam([q]);
  resumed.loadState(saved);
  p.grad.data.set([-1, 0.003]);
  q.grad.data.set([-1, 0.003]);
  adam.step(0.1);
  resumed.step(0.1);
  assert.deepEqual([...q.value.data], [...p.value.data]);
});

Deno.test("Adam loadState() refuses a state of another shape, changing nothing", () => {
  const adam = new Adam([parameter([1, 2])]);
  const state = {
    step: new Float64Array([3]),
    "p.m": new Float64Array([1, 1]),
    "p.v": new Float64Array([1]),
  };
  assert.throws(() => adam.loadState(state), /p\.v has 1 values, expected 2/);
  assert.deepEqual([...adam.state().step], [0]);
  assert.throws(
    () => adam.loadState({ step: new Float64Array(1) }),
    /missing \[p\.m,p\.v\]/,
  );
});
