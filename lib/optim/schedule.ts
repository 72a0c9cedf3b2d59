/**
 * Learning-rate schedules, as a function of the step number.
 *
 * - `constant`: `lr` throughout.
 * - `step`: `lr`, then ×0.1 after half the steps and ×0.01 after three
 *   quarters (the classic ResNet-style drops).
 * - `cosine`: from `lr` down to `lrMin` along half a cosine wave:
 *   `lrMin + (lr - lrMin) (1 + cos(π t / T)) / 2`.
 *
 * @module
 */

/**
 * The schedule kinds `--schedule` accepts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(SCHEDULES.join() === "constant,step,cosine");
 * ```
 */
export const SCHEDULES = ["constant", "step", "cosine"] as const;

/**
 * `"constant"`, `"step"` or `"cosine"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const kind: ScheduleName = "step";
 * assert(SCHEDULES.includes(kind));
 * ```
 */
export type ScheduleName = typeof SCHEDULES[number];

/**
 * A schedule with its rates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const schedule: Schedule = { kind: "cosine", lr: 0.05, lrMin: 0 };
 * assert(learningRateAt(schedule, 100, 100) === 0);
 * ```
 */
export interface Schedule {
  /** The kind. */
  readonly kind: ScheduleName;
  /** The starting (peak) learning rate. */
  readonly lr: number;
  /** Where `cosine` ends; ignored by the others. */
  readonly lrMin: number;
}

/**
 * The learning rate a schedule gives at one step.
 *
 * @param schedule The kind and its rates.
 * @param step The step about to be taken, from 0.
 * @param totalSteps How many steps the run takes.
 * @returns The learning rate for that step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningRateAt } from "./schedule.ts";
 * const cosine = { kind: "cosine", lr: 0.1, lrMin: 0 } as const;
 * assert(learningRateAt(cosine, 0, 100) === 0.1);
 * assert(Math.abs(learningRateAt(cosine, 50, 100) - 0.05) < 1e-12);
 * ```
 */
export function learningRateAt(
  schedule: Schedule,
  step: number,
  totalSteps: number,
): number {
  const progress = totalSteps > 0 ? step / totalSteps : 0;
  switch (schedule.kind) {
    case "constant":
      return schedule.lr;
    case "step":
      return schedule.lr * (progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01);
    case "cosine":
      return schedule.lrMin +
        (schedule.lr - schedule.lrMin) * (1 + Math.cos(Math.PI * progress)) / 2;
  }
}
