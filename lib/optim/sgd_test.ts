import assert from "node:assert/strict";
import { fromValues, type Parameter, Sgd } from "../../mod.ts";

function parameter(values: number[], grads: number[]): Parameter {
  return {
    name: "p",
    value: fromValues(values, [values.length], "f64"),
    grad: fromValues(grads, [grads.length], "f64"),
  };
}

Deno.test("Sgd without momentum steps against the gradient", () => {
  const p = parameter([1, -2], [0.5, -1]);
  new Sgd([p], { momentum: 0 }).step(0.1);
  assert.deepEqual([...p.value.data], [1 - 0.05, -2 + 0.1]);
});

Deno.test("Sgd with momentum accumulates velocity: v = μv + g", () => {
  const p = parameter([1], [1]);
  const sgd = new Sgd([p], { momentum: 0.9 });
  sgd.step(0.1); // v = 1, w = 0.9
  sgd.step(0.1); // v = 1.9, w = 0.71
  assert.ok(Math.abs(p.value.data[0] - 0.71) < 1e-12, `${p.value.data[0]}`);
});

Deno.test("Sgd with Nesterov steps by g + μv", () => {
  const p = parameter([1], [1]);
  const sgd = new Sgd([p], { momentum: 0.9, nesterov: true });
  sgd.step(0.1); // v = 1, step = 1.9, w = 0.81
  sgd.step(0.1); // v = 1.9, step = 2.71, w = 0.539
  assert.ok(Math.abs(p.value.data[0] - 0.539) < 1e-12, `${p.value.data[0]}`);
});

Deno.test("Sgd weight decay adds λw to the gradient", () => {
  const p = parameter([2], [0]);
  new Sgd([p], { momentum: 0, weightDecay: 0.5 }).step(0.1);
  assert.ok(Math.abs(p.value.data[0] - (2 - 0.1 * 0.5 * 2)) < 1e-12);
});

Deno.test("Sgd state() names one velocity per parameter", () => {
  const p = parameter([1, 2, 3], [1, 1, 1]);
  const sgd = new Sgd([p], { momentum: 0.5 });
  sgd.step(0.1);
  const state = sgd.state();
  assert.deepEqual(Object.keys(state), ["p.velocity"]);
  assert.deepEqual([...state["p.velocity"]], [1, 1, 1]);
});

Deno.test("Sgd loadState() makes the next step continue the saved run", () => {
  const p = parameter([1], [1]);
  const sgd = new Sgd([p], { momentum: 0.9 });
  sgd.step(0.1); // v = 1, w = 0.9
  const saved = { "p.velocity": Float64Array.from(sgd.state()["p.velocity"]) };
  const q = parameter([0.9], [1]);
  const resumed = new Sgd([q], { momentum: 0.9 });
  resumed.loadState(saved);
  sgd.step(0.1);
  resumed.step(0.1); // v = 1.9, w = 0.71
  assert.equal(q.value.data[0], p.value.data[0]);
});
