import assert from "node:assert/strict";
import { learningRateAt } from "../../mod.ts";

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
