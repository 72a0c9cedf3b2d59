/**
 * Data and options for report tests: the shared synthetic MNIST
 * (helpers/synthetic.ts) with a tenth of its labels changed, so every run
 * has mistakes to show, in validation and in test.
 *
 * @module
 */

import { join } from "node:path";
import { encodeIdx } from "../../lib/data/idx.ts";
import { MNIST_FILES } from "../../lib/data/mnist.ts";
import { Rng } from "../../lib/base/rng.ts";
import { DEFAULT_CONFIG, defaultsOf } from "../../lib/train/settings.ts";
import { RUN_SETTINGS, type TrainOptions } from "../../lib/cli/train_args.ts";
import { writeSyntheticMnist } from "./synthetic.ts";

/**
 * Writes a synthetic MNIST folder whose labels are 10% wrong.
 *
 * @param dir Where to write (an existing folder).
 * @param counts Training images (the last 10,000 validate) and test images.
 * @returns `dir`, holding the four standard files.
 */
export async function writeMnistWithMistakes(
  dir: string,
  counts = { train: 10500, test: 300 },
): Promise<string> {
  await writeSyntheticMnist(dir, counts);
  const rng = new Rng(7);
  for (
    const [file, count] of [
      [MNIST_FILES.trainLabels.name, counts.train],
      [MNIST_FILES.testLabels.name, counts.test],
    ] as const
  ) {
    const labels = new Uint8Array(count);
    const bytes = await Deno.readFile(join(dir, file));
    labels.set(bytes.subarray(8));
    for (let i = 0; i < count; i++) {
      if (rng.uniform() < 0.1) labels[i] = (labels[i] + 1 + rng.int(9)) % 10;
    }
    await Deno.writeFile(join(dir, file), encodeIdx([count], labels));
  }
  return dir;
}

/**
 * @param data The data folder.
 * @param out The run folder.
 * @returns Options for a short, quiet training run (2 epochs, one hidden
 * layer of 32).
 */
export function shortRunOptions(data: string, out: string): TrainOptions {
  return {
    ...defaultsOf(RUN_SETTINGS),
    config: { ...DEFAULT_CONFIG, epochs: 2, hidden: [32], batchSize: 50 },
    data,
    out,
    targetPercent: 1,
    quiet: true,
    kernels: "fast",
  };
}
