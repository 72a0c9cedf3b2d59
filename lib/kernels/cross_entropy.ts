/**
 * One row of the softmax cross-entropy, for nn/loss.ts's loop and for the
 * kernels that share a large batch's rows between threads (wasm/loss.ts):
 * declared once, below the layer of both, so that both compute the same
 * bits.
 *
 * @module
 */

/**
 * The label check of `softmaxCrossEntropy`, with its message, wherever its
 * rows are computed.
 *
 * @throws {RangeError} Unless `label` is a whole number in `[0, classes)`.
 */
export function checkLabel(label: number, row: number, classes: number) {
  if (!(label >= 0 && label < classes && Number.isInteger(label))) {
    throw new RangeError(
      `softmaxCrossEntropy: label ${label} at row ${row} is not in [0, ${classes})`,
    );
  }
}

/**
 * One row of `softmaxCrossEntropy` (nn/loss.ts): its term of the sum, and
 * its row of the gradient (when `grad` is given). Declared once for that
 * loop and for kernel sets that share a batch's rows between threads, which
 * add the rows' terms in the same order and so return the same loss.
 *
 * @param z Logits, `[batch, classes]`; this row starts at `row`.
 * @param grad `[batch, classes]` to receive this row of dLoss/dLogits.
 * @returns `-log p[label]`, in nats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const grad = new Float64Array(4);
 * // Row 1 of a [2, 2] batch: equal logits, so p = 1/2 for each class.
 * const term = rowCrossEntropy(new Float64Array([9, 9, 3, 3]), 2, 1, 2, grad, 2);
 * assert(Math.abs(term - Math.LN2) < 1e-15);
 * assert.deepEqual([...grad], [0, 0, 0.25, -0.25]); // (p - onehot) / batch
 * ```
 */
export function rowCrossEntropy(
  z: ArrayLike<number>,
  row: number,
  label: number,
  classes: number,
  grad: { [index: number]: number } | undefined,
  batch: number,
): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) if (z[row + c] > max) max = z[row + c];
  let sumExp = 0;
  for (let c = 0; c < classes; c++) sumExp += Math.exp(z[row + c] - max);
  const logSumExp = Math.log(sumExp);
  // -log p[label] = -(z[label] - max - log Σ exp(z - max))
  const term = logSumExp - (z[row + label] - max);
  if (grad) {
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(z[row + c] - max - logSumExp);
      grad[row + c] = (p - (c === label ? 1 : 0)) / batch;
    }
  }
  return term;
}
