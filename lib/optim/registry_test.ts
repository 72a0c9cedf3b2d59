import assert from "node:assert/strict";
import { createOptimizer, fromValues, OPTIMIZER_NAMES } from "../../mod.ts";

Deno.test("createOptimizer() builds the optimizer registered under each name", () => {
  const p = {
    name: "p",
    value: fromValues([1], [1], "f64"),
    grad: fromValues([1], [1], "f64"),
  };
  assert.deepEqual(OPTIMIZER_NAMES, ["sgd", "adam", "adamw"]);
  for (const name of OPTIMIZER_NAMES) {
    assert.equal(createOptimizer(name, [p], {}).name, name);
  }
});
