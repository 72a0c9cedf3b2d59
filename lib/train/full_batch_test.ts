/**
 * Full-batch training on the WebAssembly kernels: the batch of the whole
 * set is frozen (`kernels.freeze`), and the first layer's products then run
 * on the index of its nonzeros. The run's numbers must be those of the same
 * kernels without `freeze`, bit for bit.
 */
import assert from "node:assert/strict";
import { fitNormalizer, sliceImages } from "../data/dataset.ts";
import type { LabeledImages } from "../data/mnist.ts";
import { Rng } from "../base/rng.ts";
import { createWasmKernels } from "../kernels/wasm/kernels.ts";
import type { Kernels } from "../kernels/kernel_set.ts";
import { DEFAULT_CONFIG, type TrainConfig } from "./settings.ts";
import { train, type TrainData } from "./train.ts";

/**
 * 4,200 training images of 6x5 (4,300 in all) (a weight gradient over at least 4,096
 * rows is sliced, and indexed when frozen), most pixels 0 as in MNIST.
 */
function sparseData(): TrainData {
  const rng = new Rng(5);
  const count = 4300, pixels = 30;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.int(10);
    for (let p = 0; p < pixels; p++) {
      const bright = p % 10 === labels[i] ? 150 : 0;
      images[i * pixels + p] = rng.uniform() < 0.7 ? 0 : bright + rng.int(100);
    }
  }
  const all: LabeledImages = { images, labels, count, rows: 6, cols: 5 };
  const trainSet = sliceImages(all, 0, 4200);
  return {
    train: trainSet,
    validation: sliceImages(all, 4200, 4250),
    test: sliceImages(all, 4250, 4300),
    normalizer: fitNormalizer(trainSet),
  };
}

for (const dtype of ["f32", "f64"] as const) {
  Deno.test(`full-batch training (${dtype}) on frozen kernels gives the numbers of the same kernels without freeze`, async () => {
    const data = sparseData();
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      batchSize: 4200,
      epochs: 3,
      hidden: [12, 8],
      dtype,
      seed: 7,
    };
    const losses: number[][] = [];
    for (const frozen of [true, false]) {
      const kernels = createWasmKernels({
        worker: true,
        arenaBytes: 32 << 20,
        splitThreshold: 1,
      });
      try {
        let frozenCalls = 0;
        const used: Kernels = frozen
          ? {
            ...kernels,
            freeze: (...args) => {
              frozenCalls++;
              kernels.freeze(...args);
            },
          }
          : { ...kernels, freeze: undefined };
        const result = await train(data, config, {}, used);
        assert.equal(frozenCalls, frozen ? 1 : 0);
        losses.push(result.batchLoss);
      } finally {
        kernels.dispose();
      }
    }
    assert.equal(losses[0].length, 3);
    assert.ok(losses[0][2] < losses[0][0], "the loss goes down");
    assert.deepEqual(losses[0], losses[1]);
  });
}
