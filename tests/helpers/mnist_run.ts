/**
 * A small model trained on the real MNIST for tests that read real digits
 * (predict, the lab): one epoch of 784-64-10, a couple of seconds.
 *
 * @module
 */

import { join } from "node:path";
import { runTraining } from "../../lib/cli/train_command.ts";
import { loadMnist, type Mnist } from "../../lib/data/mnist.ts";
import { DEFAULT_CONFIG, defaultsOf } from "../../lib/train/settings.ts";
import { RUN_SETTINGS } from "../../lib/cli/train_args.ts";

/** A finished run on the real MNIST and the data it used. */
export interface MnistRun {
  /** The run folder. */
  runDir: string;
  /** The cached MNIST. */
  mnist: Mnist;
}

/**
 * Trains the small model into a fresh temporary folder.
 *
 * @returns The run folder and the data.
 */
export async function trainSmallMnistRun(): Promise<MnistRun> {
  const runDir = join(await Deno.makeTempDir({ prefix: "mnist_run_" }), "run");
  await runTraining({
    ...defaultsOf(RUN_SETTINGS),
    config: { ...DEFAULT_CONFIG, epochs: 1, hidden: [64] },
    out: runDir,
    targetPercent: 0,
    quiet: true,
    kernels: "fast",
  });
  return { runDir, mnist: await loadMnist() };
}

/**
 * Test image `index` as a 28x28 grey digit.
 *
 * @param mnist The data.
 * @param index Which test image.
 * @returns `[784]` bytes, light on dark.
 */
export function testDigit(mnist: Mnist, index: number): Uint8Array {
  return mnist.test.images.slice(index * 784, (index + 1) * 784);
}
