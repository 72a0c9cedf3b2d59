import assert from "node:assert/strict";
import { assertAllClose } from "../testing.ts";
import { tensor } from "../01_tensors/tensors.ts";
import { createSgd, learningRateAt, sgdStep } from "./sgd.ts";

Deno.test("08.1 sgdStep() without momentum moves against the gradient: w -= lr · g", () => {
  const w = tensor([1, 2, 3], [3]);
  const g = tensor([0.5, -1, 0], [3]);
  const sgd = createSgd([w], { momentum: 0, nesterov: false, weightDecay: 0 });
  sgdStep(sgd, [w], [g], 0.1);
  assertAllClose(w.data, [0.95, 2.1, 3], {
    what: "w after one plain SGD step",
    tolerance: 1e-12,
  });
});

Deno.test("08.1 sgdStep() with momentum 0.9 carries velocity into the next step", () => {
  const w = tensor([1], [1]);
  const g = tensor([1], [1]);
  const sgd = createSgd([w], {
    momentum: 0.9,
    nesterov: false,
    weightDecay: 0,
  });
  sgdStep(sgd, [w], [g], 0.1); // v = 1,   w = 1 - 0.1 = 0.9
  sgdStep(sgd, [w], [g], 0.1); // v = 1.9, w = 0.9 - 0.19 = 0.71
  assertAllClose(w.data, [0.71], {
    what: "w after two momentum steps",
    tolerance: 1e-12,
  });
  assertAllClose(sgd.velocities[0], [1.9], {
    what: "velocity after two steps",
    tolerance: 1e-12,
  });
});

Deno.test("08.1 sgdStep() with Nesterov and weight decay follows the formulas", () => {
  const w = tensor([2, -1], [2]);
  const g = tensor([0.5, 0.5], [2]);
  const sgd = createSgd([w], {
    momentum: 0.5,
    nesterov: true,
    weightDecay: 0.1,
  });
  sgdStep(sgd, [w], [g], 0.1);
  // g' = g + 0.1 w = [0.7, 0.4]; v = g'; step = g' + 0.5 v = [1.05, 0.6]
  assertAllClose(w.data, [2 - 0.105, -1 - 0.06], {
    what: "w after one Nesterov step with weight decay",
    tolerance: 1e-12,
  });
  sgdStep(sgd, [w], [g], 0.1);
  // w = [1.895, -1.06]: g' = [0.6895, 0.394]; v = 0.5 [0.7, 0.4] + g' = [1.0395, 0.594]
  // step = g' + 0.5 v = [1.20925, 0.691]
  assertAllClose(w.data, [1.895 - 0.120925, -1.06 - 0.0691], {
    what: "w after the second step",
    tolerance: 1e-12,
  });
});

Deno.test("08.1 sgdStep() updates every parameter in the list", () => {
  const a = tensor([1, 1], [2]);
  const b = tensor([1, 1, 1], [3]);
  const sgd = createSgd([a, b], {
    momentum: 0,
    nesterov: false,
    weightDecay: 0,
  });
  sgdStep(sgd, [a, b], [tensor([1, 2], [2]), tensor([3, 4, 5], [3])], 1);
  assertAllClose(a.data, [0, -1], {
    what: "first parameter",
    tolerance: 1e-12,
  });
  assertAllClose(b.data, [-2, -3, -4], {
    what: "second parameter",
    tolerance: 1e-12,
  });
});

Deno.test("08.2 learningRateAt() follows the constant, step and cosine schedules", () => {
  const cases: [Parameters<typeof learningRateAt>[0], number, number][] = [
    [{ kind: "constant", lr: 0.1, lrMin: 0 }, 0, 0.1],
    [{ kind: "constant", lr: 0.1, lrMin: 0 }, 99, 0.1],
    [{ kind: "step", lr: 0.1, lrMin: 0 }, 49, 0.1],
    [{ kind: "step", lr: 0.1, lrMin: 0 }, 50, 0.01],
    [{ kind: "step", lr: 0.1, lrMin: 0 }, 75, 0.001],
    [{ kind: "cosine", lr: 0.1, lrMin: 0 }, 0, 0.1],
    [{ kind: "cosine", lr: 0.1, lrMin: 0 }, 50, 0.05],
    [{ kind: "cosine", lr: 0.1, lrMin: 0.02 }, 100, 0.02],
    [{ kind: "cosine", lr: 0.1, lrMin: 0 }, 25, 0.05 * (1 + Math.SQRT1_2)],
  ];
  for (const [schedule, step, expected] of cases) {
    const lr = learningRateAt(schedule, step, 100);
    assert.ok(
      Math.abs(lr - expected) < 1e-12,
      `${schedule.kind} (lr ${schedule.lr}, lrMin ${schedule.lrMin}) at step ${step} of 100: expected ${expected}, got ${lr}`,
    );
  }
});

Deno.test("08.2 learningRateAt() with totalSteps 0 is at the schedule's start (t = 0)", () => {
  for (const kind of ["constant", "step", "cosine"] as const) {
    const lr = learningRateAt({ kind, lr: 0.1, lrMin: 0.01 }, 0, 0);
    assert.equal(
      lr,
      0.1,
      `${kind} at step 0 of 0: expected 0.1 (t = 0 when totalSteps is 0, not 0 / 0 = NaN), got ${lr}`,
    );
  }
});
