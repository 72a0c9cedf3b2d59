import assert from "node:assert/strict";
import { fromValues, learningRateAt, type Parameter, Sgd } from "../../mod.ts";

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

Deno.test("learning-rate schedules: constant, step, cosine", () => {
  const base = { lr: 0.1, lrMin: 0.01 };
  assert.equal(learningRateAt({ kind: "constant", ...base }, 70, 100), 0.1);
  const step = { kind: "step" as const, ...base };
  assert.equal(learningRateAt(step, 49, 100), 0.1);
  assert.ok(Math.abs(learningRateAt(step, 50, 100) - 0.01) < 1e-15);
  assert.ok(Math.abs(learningRateAt(step, 80, 100) - 0.001) < 1e-15);
  const cosine = { kind: "cosine" as const, ...base };
  assert.equal(learningRateAt(cosine, 0, 100), 0.1);
  assert.ok(Math.abs(learningRateAt(cosine, 50, 100) - 0.055) < 1e-12);
  assert.ok(Math.abs(learningRateAt(cosine, 100, 100) - 0.01) < 1e-12);
  let previous = Infinity;
  for (let s = 0; s <= 100; s++) {
    const lr = learningRateAt(cosine, s, 100);
    assert.ok(lr <= previous, `cosine rose at step ${s}`);
    previous = lr;
  }
});
