import assert from "node:assert/strict";
import { trainingFlopsPerSample } from "./bench.ts";
import { effectiveFlopsPerSample, nonzeroFraction } from "./roofline.ts";

Deno.test("effectiveFlopsPerSample drops the first layer's work on zero pixels only", () => {
  const dense = trainingFlopsPerSample([784, 128, 64, 10]);
  assert.equal(effectiveFlopsPerSample(1), dense);
  // The first layer's forward and weight-gradient products: 2 · 2·784·128.
  assert.equal(effectiveFlopsPerSample(0), dense - 401_408);
  assert.equal(effectiveFlopsPerSample(0.25), dense - 0.75 * 401_408);
});

Deno.test("nonzeroFraction counts the nonzero bytes", () => {
  assert.equal(nonzeroFraction(Uint8Array.of(0, 3, 0, 0, 255, 0, 0, 0)), 0.25);
});
