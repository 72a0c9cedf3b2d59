// deno-lint-ignore-file no-unused-vars verbatim-module-syntax
// (Stub: the line above quiets lint about what you have not used yet;
// delete it once every task below is done.)
/**
 * Exercise 05: softmax and cross-entropy, computed stably.
 *
 * For logits `z` `[batch, classes]` and labels `y` `[batch]`:
 * `p[i, c] = e^(z[i, c]) / Σ_c' e^(z[i, c'])`,
 * `loss = mean_i(-ln p[i, y_i])`, and
 * `dLogits[i, c] = (p[i, c] - [c = y_i]) / batch`.
 *
 * @module
 */

import { assertShape, type Tensor, zeros } from "../01_tensors/tensors.ts";

/**
 * **Task 05.1**: row-wise softmax. Subtract each row's maximum before
 * `Math.exp`: the result is the same, and `exp(1000)` never overflows.
 *
 * @param logits `[batch, classes]`.
 * @returns A new `[batch, classes]` tensor; each row sums to 1.
 */
export function softmax(logits: Tensor): Tensor {
  throw new Error(
    "TODO(05.1): implement softmax in exercises/05_softmax/softmax.ts",
  );
}

/** The loss and its gradient. */
export interface LossAndGradient {
  /** Mean cross-entropy over the batch, in nats. */
  loss: number;
  /** dLoss/dLogits `[batch, classes]`. */
  dLogits: Tensor;
}

/**
 * **Task 05.2**: mean cross-entropy of the softmax, and its gradient.
 * Compute `-ln p[label]` as `ln Σ e^(z - max) - (z[label] - max)`, never as
 * `-Math.log(p)`, which is `Infinity` once `p` rounds to 0.
 *
 * @param logits `[batch, classes]`.
 * @param labels `[batch]`, whole numbers in `[0, classes)`.
 * @returns The loss and dLogits.
 * @throws {RangeError} When the label count differs from the batch, or a
 * label is out of range (naming the row and the label).
 */
export function crossEntropy(
  logits: Tensor,
  labels: ArrayLike<number>,
): LossAndGradient {
  throw new Error(
    "TODO(05.2): implement crossEntropy in exercises/05_softmax/softmax.ts",
  );
}
