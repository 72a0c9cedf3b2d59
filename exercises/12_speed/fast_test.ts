import assert from "node:assert/strict";
import { assertTensorClose, assertThrows, testValues } from "../testing.ts";
import { tensor } from "../01_tensors/tensors.ts";
import { matmul } from "../02_matmul/matmul.ts";
import { matmulIjk, matmulSkipZeros, timeIt } from "./fast.ts";

const shapes = [[1, 1, 1], [3, 5, 2], [17, 33, 9], [64, 100, 10]];

Deno.test("12.1 matmulIjk() agrees with your matmul", () => {
  for (const [n, k, m] of shapes) {
    const a = tensor(testValues(n * k, n), [n, k]);
    const b = tensor(testValues(k * m, m), [k, m]);
    assertTensorClose(
      matmulIjk(a, b),
      { shape: [n, m], values: matmul(a, b).data },
      `matmulIjk [${n},${k}]·[${k},${m}]`,
      1e-12,
    );
  }
  assertThrows(
    () => matmulIjk(tensor([1, 2], [1, 2]), tensor([1, 2, 3], [3, 1])),
    /\[1, 2\][^]*\[3, 1\]/,
    "mismatched shapes must throw naming both",
  );
});

Deno.test("12.2 matmulSkipZeros() agrees with your matmul, dense and sparse", () => {
  for (const [n, k, m] of shapes) {
    const sparse = testValues(n * k, k).map((v) => (v > -0.6 ? 0 : v));
    const dense = testValues(n * k, k + 1);
    const b = tensor(testValues(k * m, m + 2), [k, m]);
    for (
      const [what, values] of [["sparse", sparse], ["dense", dense]] as const
    ) {
      const a = tensor(values, [n, k]);
      assertTensorClose(
        matmulSkipZeros(a, b),
        { shape: [n, m], values: matmul(a, b).data },
        `matmulSkipZeros ${what} [${n},${k}]·[${k},${m}]`,
        1e-12,
      );
    }
  }
  assertThrows(
    () => matmulSkipZeros(tensor([1, 2], [1, 2]), tensor([1, 2, 3], [3, 1])),
    /\[1, 2\][^]*\[3, 1\]/,
    "mismatched shapes must throw naming both",
  );
});

/** A fake clock whose timed calls take the given milliseconds, in turn. */
function fakeClock(durations: number[]): () => number {
  let now = 0;
  let ticks = 0;
  return () => {
    const t = now;
    // timeIt reads the clock twice per call: before (advance) and after.
    if (ticks % 2 === 0) now += durations[(ticks / 2) % durations.length];
    ticks++;
    return t;
  };
}

Deno.test("12.3 timeIt() warms up, takes the median, and computes GFLOPS", () => {
  let calls = 0;
  const result = timeIt(() => calls++, {
    repeats: 5,
    clock: fakeClock([10, 30, 20, 50, 40]),
    flops: 6e9,
  });
  assert.equal(calls, 6, "one warm-up call, then 5 timed calls");
  assert.equal(result.medianMs, 30, "the median of 10, 30, 20, 50, 40 ms");
  assert.ok(
    Math.abs(result.gflops - 200) < 1e-9,
    `6e9 flops in 30 ms is 200 GFLOPS, got ${result.gflops}`,
  );
  const even = timeIt(() => 0, { repeats: 4, clock: fakeClock([4, 1, 3, 2]) });
  assert.equal(
    even.medianMs,
    2.5,
    "the median of 4 times is the mean of the middle two",
  );
  assert.equal(even.gflops, 0, "no flops given: 0 GFLOPS");
});

Deno.test("12.3 timeIt() sorts the times as numbers (9, 10, 100 ms: median 10)", () => {
  const result = timeIt(() => 0, {
    repeats: 3,
    clock: fakeClock([100, 9, 10]),
  });
  assert.equal(
    result.medianMs,
    10,
    'the median of 100, 9, 10 ms is 10; sort() without a comparator sorts as strings ("10" < "100" < "9")',
  );
});
