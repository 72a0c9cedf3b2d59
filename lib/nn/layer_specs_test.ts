import assert from "node:assert/strict";
import { buildLayers } from "./layer_specs.ts";
import {
  Dropout,
  fastKernels,
  fromValues,
  Mlp,
  mlpSpecs,
  Rng,
} from "../../mod.ts";

Deno.test("mlpSpecs() puts dropout after each hidden activation, not after the output", () => {
  assert.deepEqual(mlpSpecs([784, 128, 64, 10], "relu", 0.2), [
    { kind: "linear", out: 128 },
    { kind: "activation", name: "relu" },
    { kind: "dropout", rate: 0.2 },
    { kind: "linear", out: 64 },
    { kind: "activation", name: "relu" },
    { kind: "dropout", rate: 0.2 },
    { kind: "linear", out: 10 },
  ]);
});

Deno.test("mlpSpecs() without dropout is Linear and activation alternating", () => {
  assert.deepEqual(mlpSpecs([4, 3, 2], "tanh").map((s) => s.kind), [
    "linear",
    "activation",
    "linear",
  ]);
});

Deno.test("buildLayers() chains widths and spares the first layer its input gradient", () => {
  const layers = buildLayers(5, [
    { kind: "linear", out: 3 },
    { kind: "dropout", rate: 0.5 },
    { kind: "activation", name: "sigmoid" },
    { kind: "linear", out: 2 },
  ], { dtype: "f64", rng: new Rng(1), kernels: fastKernels });
  assert.deepEqual(layers.map((l) => l.name), [
    "Linear(5→3)",
    "Dropout(0.5)",
    "Sigmoid",
    "Linear(3→2)",
  ]);
  const x = fromValues([1, 2, 3, 4, 5], [1, 5], "f64");
  let y = x;
  for (const layer of layers) y = layer.forward(y);
  assert.deepEqual(y.shape, [1, 2]);
  assert.equal(layers[0].backward(fromValues([1, 1, 1], [1, 3], "f64")), null);
});

Deno.test("Mlp refuses layer specs whose widths do not match its sizes", () => {
  assert.throws(
    () => new Mlp({ sizes: [4, 3, 2], layers: [{ kind: "linear", out: 2 }] }),
    /widths \[2\] do not match sizes \[4,3,2\]/,
  );
});

Deno.test("Mlp with dropout gets the same weights as without (dropout draws nothing at build)", () => {
  const plain = new Mlp({ sizes: [6, 5, 3], dtype: "f64", seed: 2 });
  const dropped = new Mlp({
    sizes: [6, 5, 3],
    dtype: "f64",
    seed: 2,
    dropout: 0.5,
  });
  assert.ok(dropped.layers.some((l) => l instanceof Dropout));
  assert.deepEqual(
    dropped.parameters().map((p) => [...p.value.data]),
    plain.parameters().map((p) => [...p.value.data]),
  );
});

Deno.test("Mlp.predict() runs in evaluation mode and restores training mode", () => {
  const input = fromValues(
    Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    [2, 6],
    "f64",
  );
  const plain = new Mlp({ sizes: [6, 5, 3], dtype: "f64", seed: 2 });
  const dropped = new Mlp({
    sizes: [6, 5, 3],
    dtype: "f64",
    seed: 2,
    dropout: 0.5,
  });
  const expected = plain.predict(input);
  assert.deepEqual(dropped.predict(input), expected);
  assert.equal(dropped.training, true);
  const trainingLogits = [...dropped.forward(input).data];
  assert.notDeepEqual(trainingLogits, [...plain.forward(input).data]);
});
