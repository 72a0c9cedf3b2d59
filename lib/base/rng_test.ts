import assert from "node:assert/strict";
import { Rng } from "../../mod.ts";

Deno.test("Rng gives the same sequence for the same seed, bit for bit", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 1000; i++) {
    assert.equal(a.nextUint32(), b.nextUint32());
    assert.equal(a.normal(), b.normal());
  }
});

Deno.test("Rng gives different sequences for neighbouring seeds", () => {
  const a = new Rng(1);
  const b = new Rng(2);
  const same =
    Array.from({ length: 100 }, () => a.nextUint32() === b.nextUint32())
      .filter(Boolean).length;
  assert.ok(same < 3, `${same} of 100 draws agree`);
});

Deno.test("Rng.uniform() lies in [0, 1) with mean 1/2 and variance 1/12", () => {
  const rng = new Rng(7);
  const n = 100_000;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.uniform();
    assert.ok(x >= 0 && x < 1, `draw ${i} is ${x}`);
    sum += x;
    sumSquares += x * x;
  }
  const mean = sum / n;
  // Standard error of the mean is sqrt(1/12 / n) ≈ 0.0009: allow 5 of them.
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(sumSquares / n - mean * mean - 1 / 12) < 0.002);
});

Deno.test("Rng.normal(mean, std) has that mean and std", () => {
  const rng = new Rng(3);
  const n = 100_000;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.normal(2, 0.5);
    sum += x;
    sumSquares += x * x;
  }
  const mean = sum / n;
  const std = Math.sqrt(sumSquares / n - mean * mean);
  assert.ok(Math.abs(mean - 2) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.5) < 0.01, `std ${std}`);
});

Deno.test("Rng.int(n) covers [0, n) evenly", () => {
  const rng = new Rng(5);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 50_000; i++) counts[rng.int(10)]++;
  for (const [k, c] of counts.entries()) {
    assert.ok(Math.abs(c - 5000) < 300, `value ${k} drawn ${c} times of 50000`);
  }
});

Deno.test("Rng.shuffle() permutes, deterministically per seed", () => {
  const order = (seed: number) =>
    new Rng(seed).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  const a = order(9);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(a, order(9));
  assert.notDeepEqual(a, order(10));
  assert.notDeepEqual([...a], Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("Rng.setState(state()) continues the same sequence, a waiting normal included", () => {
  const rng = new Rng(5);
  rng.normal(); // leaves the second normal of the pair waiting
  const saved = rng.state();
  assert.notEqual(saved[4], null);
  const expected = [
    rng.normal(),
    rng.nextUint32(),
    rng.uniform(),
    rng.normal(),
  ];
  const restored = new Rng(99);
  restored.setState(saved);
  assert.deepEqual(
    [
      restored.normal(),
      restored.nextUint32(),
      restored.uniform(),
      restored.normal(),
    ],
    expected,
  );
});

Deno.test("Rng.setState() refuses a state that is not four uint32 words and a normal", () => {
  const rng = new Rng(1);
  for (
    const bad of [[1, 2, 3], [1, 2, 3, -1, null], [1, 2, 3, 2 ** 32, null], [
      1,
      2,
      3,
      4,
      NaN,
    ], [1.5, 2, 3, 4, null]]
  ) {
    assert.throws(
      () => rng.setState(bad as never),
      RangeError,
      JSON.stringify(bad),
    );
  }
});

Deno.test("Rng.state() holds uint32 words whatever the draws, and setState accepts its own states", () => {
  const rng = new Rng(1);
  for (let i = 0; i < 1000; i++) {
    rng.nextUint32();
    const state = rng.state();
    assert.ok(
      state.slice(0, 4).every((w) => w! >= 0 && w! < 2 ** 32),
      `${state}`,
    );
    new Rng(0).setState(state);
  }
});
