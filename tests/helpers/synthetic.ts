/**
 * Small MNIST-like data sets the tests make themselves: each digit `d` is a
 * 28x28 image with a bright bar in band `d` plus sparse noise, so a network
 * can learn it, and the files are tiny.
 */

import { join } from "node:path";
import { encodeIdx, MNIST_FILES, Rng } from "../../mod.ts";

/** Images and labels as bytes. */
export interface SyntheticSet {
  images: Uint8Array;
  labels: Uint8Array;
}

/**
 * @param count How many images.
 * @param seed Seeds the labels and the noise.
 * @returns `[count, 784]` images and `[count]` labels.
 */
export function syntheticDigits(count: number, seed: number): SyntheticSet {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const digit = i % 10;
    labels[i] = digit;
    for (let row = 2 + 2 * digit; row < 4 + 2 * digit; row++) {
      for (let col = 4; col < 24; col++) {
        images[i * 784 + row * 28 + col] = 200 + rng.int(56);
      }
    }
    for (let k = 0; k < 20; k++) images[i * 784 + rng.int(784)] = rng.int(256);
  }
  return { images, labels };
}

/**
 * Writes a complete MNIST-shaped folder (the four standard file names).
 *
 * @param dir Where to write.
 * @param counts How many train and test images.
 * @returns `dir`.
 */
export async function writeSyntheticMnist(
  dir: string,
  counts: { train: number; test: number } = { train: 600, test: 200 },
): Promise<string> {
  const train = syntheticDigits(counts.train, 1);
  const test = syntheticDigits(counts.test, 2);
  const files: [string, Uint8Array][] = [
    [
      MNIST_FILES.trainImages.name,
      encodeIdx([counts.train, 28, 28], train.images),
    ],
    [MNIST_FILES.trainLabels.name, encodeIdx([counts.train], train.labels)],
    [
      MNIST_FILES.testImages.name,
      encodeIdx([counts.test, 28, 28], test.images),
    ],
    [MNIST_FILES.testLabels.name, encodeIdx([counts.test], test.labels)],
  ];
  for (const [name, bytes] of files) {
    await Deno.writeFile(join(dir, name), bytes);
  }
  return dir;
}

/**
 * {@link writeSyntheticMnist} into a new temporary folder.
 *
 * @returns The folder.
 */
export async function tempSyntheticMnist(
  counts?: { train: number; test: number },
): Promise<string> {
  return await writeSyntheticMnist(await Deno.makeTempDir(), counts);
}
