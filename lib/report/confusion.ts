/**
 * The confusion matrix, rebuilt from a set's labels and its list of
 * mistakes: every image not in the list was classified right.
 *
 * @module
 */

import { KitError } from "../base/errors.ts";

/**
 * Counts a set's images by true and predicted digit.
 *
 * @param labels `[count]` true digits of the whole set.
 * @param misses Every mistake: `{index, label, predicted}`.
 * @param source Where `misses` came from, for the message.
 * @returns `counts[true][predicted]`, `[10][10]`; its sum is `labels.length`
 * and its off-diagonal sum is `misses.length`.
 * @throws {KitError} When a mistake's index is out of range, its label
 * differs from `labels`, it predicts its own label, or it is listed twice.
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  misses: readonly { index: number; label: number; predicted: number }[],
  source: string,
): number[][] {
  const counts = Array.from({ length: 10 }, () => new Array(10).fill(0));
  for (let i = 0; i < labels.length; i++) counts[labels[i]][labels[i]]++;
  const seen = new Set<number>();
  for (const miss of misses) {
    const { index, label, predicted } = miss;
    if (!(index >= 0 && index < labels.length) || seen.has(index)) {
      throw new KitError(
        `${source}: mistake at index ${index} is out of range [0, ${labels.length}) or listed twice`,
      );
    }
    if (labels[index] !== label) {
      throw new KitError(
        `${source}: image ${index} is labelled ${label} there but ${
          labels[index]
        } in the data (has the data folder changed since the run?)`,
      );
    }
    if (predicted === label || !(predicted >= 0 && predicted <= 9)) {
      throw new KitError(
        `${source}: image ${index} is listed as missed but predicted ${predicted} for label ${label}`,
      );
    }
    seen.add(index);
    counts[label][label]--;
    counts[label][predicted]++;
  }
  return counts;
}
