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
  assertShape(logits, [-1, -1], "softmax logits");
  const [rows, cols] = logits.shape;
  const out = zeros(logits.shape);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits.data[row + c]);
    let total = 0;
    for (let c = 0; c < cols; c++) {
      out.data[row + c] = Math.exp(logits.data[row + c] - max);
      total += out.data[row + c];
    }
    for (let c = 0; c < cols; c++) out.data[row + c] /= total;
  }
  return out;
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
  assertShape(logits, [labels.length, -1], "crossEntropy logits");
  const [batch, classes] = logits.shape;
  const dLogits = zeros(logits.shape);
  let total = 0;
  for (let r = 0; r < batch; r++) {
    const label = labels[r];
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new RangeError(
        `crossEntropy: label ${label} at row ${r} is not in [0, ${classes})`,
      );
    }
    const row = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits.data[row + c]);
    let sumExp = 0;
    for (let c = 0; c < classes; c++) {
      sumExp += Math.exp(logits.data[row + c] - max);
    }
    const logSumExp = Math.log(sumExp);
    total += logSumExp - (logits.data[row + label] - max);
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(logits.data[row + c] - max - logSumExp);
      dLogits.data[row + c] = (p - (c === label ? 1 : 0)) / batch;
    }
  }
  return { loss: total / batch, dLogits };
}
