/**
 * Softmax cross-entropy, fused: the loss and its gradient in one pass.
 *
 * For logits `z` `[batch, classes]` and integer labels `y` `[batch]`:
 * `p = softmax(z)` row by row, `loss = mean_i(-log p[i, y_i])`, and the
 * gradient is the famously simple `dLogits = (p - onehot(y)) / batch`.
 * Subtracting each row's maximum before `exp` changes nothing
 * mathematically and keeps `exp` from overflowing to `Infinity`.
 *
 * @module
 */

import { assertShape, type Tensor } from "../base/tensor.ts";
import { checkLabel, rowCrossEntropy } from "../kernels/cross_entropy.ts";
import type { ElementwiseKernels } from "../kernels/elementwise.ts";

/**
 * Mean softmax cross-entropy of a batch, and optionally its gradient.
 *
 * @param logits `[batch, classes]`, the network's raw scores.
 * @param labels `[batch]`, each in `[0, classes)`.
 * @param dLogits Optional `[batch, classes]` tensor to receive dLoss/dLogits.
 * @param kernels A kernel set that may compute a large batch's loss and
 * gradient on two threads (the same bits), as the training loop passes.
 * @returns The mean cross-entropy over the batch, in nats (ln 10 ≈ 2.30 for
 * a 10-class guess).
 * @throws {RangeError} On mismatched shapes or a label out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues, zeros } from "@mnist-from-scratch/kit";
 *
 * const logits = fromValues([0, 0, 0, 0], [2, 2], "f64");
 * const dLogits = zeros([2, 2], "f64");
 * const loss = softmaxCrossEntropy(logits, [0, 1], dLogits);
 * assert(Math.abs(loss - Math.LN2) < 1e-15); // uniform guess over 2
 * assert(dLogits.data[0] === -0.25); // (p - 1) / batch
 * ```
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  labels: ArrayLike<number>,
  dLogits?: Tensor,
  kernels?: Partial<Pick<ElementwiseKernels, "softmaxCrossEntropy">>,
): number {
  const batch = logits.rows;
  const classes = logits.cols;
  if (labels.length !== batch) {
    throw new RangeError(
      `softmaxCrossEntropy: ${labels.length} labels for ${batch} rows of logits`,
    );
  }
  if (dLogits) {
    assertShape(dLogits, logits.shape, "softmaxCrossEntropy dLogits");
  }
  const z = logits.data;
  const grad = dLogits?.data;
  // A kernel set may run a large batch on two threads: null if it declines.
  const fromKernels = grad &&
    kernels?.softmaxCrossEntropy?.(z, labels, grad, batch, classes);
  if (typeof fromKernels === "number") return fromKernels;
  let total = 0;
  for (let r = 0; r < batch; r++) {
    const label = labels[r];
    checkLabel(label, r, classes);
    total += rowCrossEntropy(z, r * classes, label, classes, grad, batch);
  }
  return total / batch;
}

/**
 * Row-wise softmax, stable.
 *
 * @param logits `[batch, classes]`.
 * @param out `[batch, classes]` to receive the probabilities (may be `logits`).
 * @returns `out`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues, zeros } from "@mnist-from-scratch/kit";
 *
 * const p = softmax(fromValues([1, 1, 1, 1], [1, 4]), zeros([1, 4]));
 * assert(p.data.every((v) => v === 0.25));
 * ```
 */
export function softmax(logits: Tensor, out: Tensor): Tensor {
  assertShape(out, logits.shape, "softmax out");
  const classes = logits.cols;
  const z = logits.data;
  const p = out.data;
  for (let row = 0; row < z.length; row += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (z[row + c] > max) max = z[row + c];
    let sumExp = 0;
    for (let c = 0; c < classes; c++) {
      p[row + c] = Math.exp(z[row + c] - max);
      sumExp += p[row + c];
    }
    for (let c = 0; c < classes; c++) p[row + c] /= sumExp;
  }
  return out;
}
