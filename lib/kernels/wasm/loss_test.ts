/**
 * The softmax cross-entropy of a large batch on two threads gives the loss
 * and gradient of loss.ts's one-thread loop, bit for bit, and rejects the
 * same labels.
 */
import assert from "node:assert/strict";
import { Rng } from "../../base/rng.ts";
import { type DType, Tensor } from "../../base/tensor.ts";
import { softmaxCrossEntropy } from "../../nn/loss.ts";
import { Arena, MiB } from "./arena.ts";
import { LOSS_SPLIT_ROWS, WasmLoss } from "./loss.ts";
import { instantiate, RELAXED_SIMD_AVAILABLE } from "./module.ts";
import { assertSameFloats } from "./operands_testing.ts";
import { Threads } from "./threads.ts";

/** An odd row count past the split, so the halves differ; 10 classes. */
const [ROWS, CLASSES] = [LOSS_SPLIT_ROWS + 905, 10];

/**
 * The loss on its own arena, with a worker that runs or one that never
 * takes a job (its share then runs here).
 */
function lossOn(worker: "running" | "absent" | "none") {
  const arena = new Arena({
    arenaBytes: 8 * MiB,
    scratchBytes: MiB,
    worker: worker !== "none",
  });
  const wasm = instantiate(arena.memory, RELAXED_SIMD_AVAILABLE);
  const threads = new Threads(
    arena,
    wasm,
    RELAXED_SIMD_AVAILABLE,
    worker !== "none",
    worker === "absent"
      ? () => ({ terminate() {} }) as unknown as Worker
      : undefined,
  );
  const inArena = (dtype: DType, values: ArrayLike<number>) => {
    const copy = arena.allocate(dtype, values.length);
    copy.set(values);
    return copy;
  };
  return { threads, loss: new WasmLoss(arena, threads), inArena };
}

/**
 * `rows` rows of logits from -60 to 60 (so some rows' softmax underflows
 * to 0 in places), a few rows of one logit far above the rest (p = 1, a
 * term of exactly 0 for its label), and their labels.
 */
function batch(rows: number, seed: number) {
  const rng = new Rng(seed);
  const logits = Array.from(
    { length: rows * CLASSES },
    () => (rng.uniform() - 0.5) * 120 * rng.uniform() ** 3,
  );
  const labels = Array.from(
    { length: rows },
    () => Math.floor(rng.uniform() * CLASSES),
  );
  for (let r = 0; r < rows; r += 97) logits[r * CLASSES + labels[r]] = 1e4;
  return { logits, labels };
}

/** @returns The float64 bits of `x`, to compare two losses exactly. */
function bits(x: number): bigint {
  return new BigUint64Array(new Float64Array([x]).buffer)[0];
}

for (const dtype of ["f32", "f64"] as const) {
  Deno.test(`a large batch's loss (${dtype}) on two threads is the one-thread loop's, bit for bit, its terms added in row order`, () => {
    for (const worker of ["running", "absent"] as const) {
      const on = lossOn(worker);
      try {
        const { logits, labels } = batch(ROWS, 17);
        const z = new Tensor(on.inArena(dtype, logits), [ROWS, CLASSES]);
        const expected = new Tensor(on.inArena(dtype, logits), z.shape);
        const want = softmaxCrossEntropy(z, labels, expected);
        // Stale values in the gradient: every one must be written.
        const dLogits = on.inArena(dtype, new Float64Array(ROWS * CLASSES))
          .fill(NaN);
        const loss = on.loss.softmaxCrossEntropy(
          z.data,
          labels,
          dLogits,
          ROWS,
          CLASSES,
        );
        assert.equal(typeof loss, "number", worker);
        assert.equal(bits(loss!), bits(want), `${worker}: the loss`);
        assertSameFloats(dLogits, expected.data, `${worker}: the gradient`);
        const { posted, ranHere } = on.threads.jobCounts;
        assert.equal(posted, 1, `${worker}: one share handed over`);
        if (worker === "absent") assert.equal(ranHere, 1, "and run here");
      } finally {
        on.threads.dispose();
      }
    }
  });
}

Deno.test("the loss's terms summed as two halves would differ from the loop's: the order the test above insists on matters here", () => {
  const { logits, labels } = batch(ROWS, 17);
  const z = new Tensor(Float32Array.from(logits), [ROWS, CLASSES]);
  const sum = (from: number, to: number) => {
    let total = 0;
    for (let r = from; r < to; r++) {
      const rowLabels = [labels[r]];
      const row = new Tensor(
        z.data.slice(r * CLASSES, (r + 1) * CLASSES),
        [1, CLASSES],
      );
      total += softmaxCrossEntropy(row, rowLabels);
    }
    return total;
  };
  const half = ROWS >> 1;
  assert.notEqual(
    bits((sum(0, half) + sum(half, ROWS)) / ROWS),
    bits(softmaxCrossEntropy(z, labels)),
  );
});

Deno.test("a batch's loss declines what it cannot share: small batches, one thread, arrays outside its memory", () => {
  const two = lossOn("running");
  const one = lossOn("none");
  try {
    const { logits, labels } = batch(ROWS, 3);
    const small = LOSS_SPLIT_ROWS - 1;
    const cases = [
      [two, small, two.inArena("f32", logits)],
      [one, ROWS, one.inArena("f32", logits)],
      [two, ROWS, Float32Array.from(logits)],
    ] as const;
    for (const [on, rows, z] of cases) {
      const dLogits = on.inArena("f32", new Float64Array(ROWS * CLASSES));
      assert.equal(
        on.loss.softmaxCrossEntropy(z, labels, dLogits, rows, CLASSES),
        null,
      );
      assert.ok(dLogits.every((x) => x === 0), "nothing written");
      assert.equal(on.threads.jobCounts.posted, 0);
    }
  } finally {
    two.threads.dispose();
    one.threads.dispose();
  }
});

Deno.test("a bad label in either thread's half is the loop's RangeError, with its row", () => {
  const on = lossOn("running");
  try {
    const { logits, labels } = batch(ROWS, 5);
    const z = on.inArena("f64", logits);
    const dLogits = on.inArena("f64", new Float64Array(ROWS * CLASSES));
    for (const [row, label] of [[3, 10], [ROWS - 2, -1], [ROWS >> 1, 2.5]]) {
      const bad = labels.slice();
      bad[row] = label;
      const message =
        `softmaxCrossEntropy: label ${label} at row ${row} is not in [0, ${CLASSES})`;
      assert.throws(
        () => softmaxCrossEntropy(new Tensor(z, [ROWS, CLASSES]), bad),
        { name: "RangeError", message },
      );
      assert.throws(
        () => on.loss.softmaxCrossEntropy(z, bad, dLogits, ROWS, CLASSES),
        { name: "RangeError", message },
      );
    }
    assert.equal(on.threads.jobCounts.posted, 0, "checked before sharing");
  } finally {
    on.threads.dispose();
  }
});
