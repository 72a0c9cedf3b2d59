/**
 * The Mistakes view's data: the run's model classifies its validation and
 * test sets again (metrics.json keeps only each miss's top confidence),
 * giving each set's confusion matrix and every missed digit with its ten
 * probabilities and its pixels.
 *
 * @module
 */

import { encodeBase64 } from "./base64.ts";
import { splitTrainValidation } from "../data/dataset.ts";
import type { LabeledImages, Mnist } from "../data/mnist.ts";
import { classifyDigits } from "../train/classify.ts";
import type { LoadedModel } from "../train/model_file.ts";

/** One missed digit. */
export interface LabMiss {
  /** The image's index in its set. */
  index: number;
  /** The true digit. */
  label: number;
  /** What the model said. */
  predicted: number;
  /** The ten probabilities. */
  probabilities: number[];
  /** `[784]` bytes, base64. */
  pixels: string;
}

/** One set's mistakes. */
export interface SetMistakes {
  /** `"test"` or `"validation"`. */
  set: string;
  /** Images in the set. */
  total: number;
  /** `[true][predicted]` counts, `[10][10]`. */
  confusion: number[][];
  /** Every mistake, most confident first. */
  missed: LabMiss[];
}

/** Images classified per call, to bound the memory of one batch. */
const CHUNK = 2000;

/**
 * Classifies the test and validation sets with a run's model.
 *
 * @param loaded The run's model.
 * @param mnist The run's data (validation: the last 10,000 training images).
 * @returns The test set's mistakes, then the validation set's.
 */
export function findMistakes(
  loaded: LoadedModel,
  mnist: Mnist,
): SetMistakes[] {
  const { validation } = splitTrainValidation(mnist.train);
  return [
    setMistakes("test", mnist.test, loaded),
    setMistakes("validation", validation, loaded),
  ];
}

function setMistakes(
  set: string,
  images: LabeledImages,
  loaded: LoadedModel,
): SetMistakes {
  const pixels = images.rows * images.cols;
  const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  const missed: (LabMiss & { confidence: number })[] = [];
  for (let start = 0; start < images.count; start += CHUNK) {
    const end = Math.min(images.count, start + CHUNK);
    const bytes = images.images.subarray(start * pixels, end * pixels);
    const probabilities = classifyDigits(loaded, bytes);
    for (let i = start; i < end; i++) {
      const row = [
        ...probabilities.subarray((i - start) * 10, (i - start + 1) * 10),
      ];
      const predicted = row.indexOf(Math.max(...row));
      const label = images.labels[i];
      confusion[label][predicted]++;
      if (predicted === label) continue;
      missed.push({
        index: i,
        label,
        predicted,
        probabilities: row.map((p) => Number(p.toPrecision(4))),
        pixels: encodeBase64(
          images.images.subarray(i * pixels, (i + 1) * pixels),
        ),
        confidence: row[predicted],
      });
    }
  }
  missed.sort((a, b) => b.confidence - a.confidence);
  return {
    set,
    total: images.count,
    confusion,
    missed: missed.map(({ confidence: _, ...miss }) => miss),
  };
}
