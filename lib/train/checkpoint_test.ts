import assert from "node:assert/strict";
import { fitNormalizer, sliceImages } from "../data/dataset.ts";
import type { LabeledImages } from "../data/mnist.ts";
import { Rng } from "../base/rng.ts";
import { DEFAULT_CONFIG, type TrainConfig } from "./settings.ts";
import type { TrainCheckpoint } from "./checkpoint.ts";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint_file.ts";
import {
  train,
  type TrainData,
  TrainInterrupted,
  type TrainResult,
} from "./train.ts";

/** 430 random 6x5 images (non-square), labels from a bright column. */
function smallData(): TrainData {
  const rng = new Rng(3);
  const count = 430, rows = 6, cols = 5;
  const images = new Uint8Array(count * rows * cols);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.int(10);
    for (let p = 0; p < rows * cols; p++) {
      images[i * 30 + p] = (p % 10 === labels[i] ? 200 : 0) + rng.int(50);
    }
  }
  const all: LabeledImages = { images, labels, count, rows, cols };
  const trainSet = sliceImages(all, 0, 300);
  return {
    train: trainSet,
    validation: sliceImages(all, 300, 380),
    test: sliceImages(all, 380, 430),
    normalizer: fitNormalizer(trainSet),
  };
}

const data = smallData();

function configFor(optimizer: TrainConfig["optimizer"]): TrainConfig {
  // 300 / 32 = 9.4: the last batch of every epoch is short (12 images).
  return {
    ...DEFAULT_CONFIG,
    optimizer,
    epochs: 3,
    batchSize: 32,
    hidden: [7, 5],
    dtype: "f64",
    seed: 11,
  };
}

/** Everything a run measured except how long it took. */
function numbers(result: TrainResult) {
  return {
    epochs: result.epochs.map(({ seconds: _s, samplesPerSecond: _r, ...e }) =>
      e
    ),
    batchAccuracy: result.batchAccuracy,
    batchLoss: result.batchLoss,
    validation: result.validation,
    test: result.test,
    parameters: result.model.parameters().map((p) => [p.name, p.value.data]),
  };
}

/** Trains until `stopAfterStep`, then resumes from the checkpoint it saved. */
async function interruptedRun(
  config: TrainConfig,
  stopAfterStep: number,
  viaFile: boolean,
): Promise<TrainResult> {
  let latest: TrainCheckpoint | undefined;
  let step = 0;
  await assert.rejects(
    train(data, config, {
      onStep: (s) => void (step = s),
      onCheckpoint: (checkpoint) => void (latest = checkpoint),
      stopRequested: () => step >= stopAfterStep,
    }),
    TrainInterrupted,
  );
  assert.ok(latest);
  if (viaFile) {
    latest = decodeCheckpoint(
      encodeCheckpoint({ args: ["--seed", "11"], checkpoint: latest }),
      "checkpoint.json",
    ).checkpoint;
  }
  return await train(data, config, {}, undefined, latest);
}

for (const optimizer of ["sgd", "adam"] as const) {
  Deno.test(`train() resumed mid-epoch (${optimizer}) ends with the uninterrupted run's numbers, bit for bit`, async () => {
    const config = configFor(optimizer);
    const whole = numbers(await train(data, config));
    const resumed = numbers(await interruptedRun(config, 13, true));
    assert.deepEqual(resumed, whole);
  });
}

Deno.test("train() with the whole set as its batch (full batch) resumed ends with the uninterrupted run's numbers", async () => {
  // One step an epoch over all 300 images, in the set's order.
  const config = { ...configFor("sgd"), batchSize: 300, epochs: 5 };
  const whole = numbers(await train(data, config));
  assert.equal(whole.batchLoss.length, 5);
  const resumed = numbers(await interruptedRun(config, 2, true));
  assert.deepEqual(resumed, whole);
});

Deno.test("train() resumed from the checkpoint saved after epoch 1 (a kill between epochs) ends with the same numbers", async () => {
  const config = configFor("sgd");
  const checkpoints: TrainCheckpoint[] = [];
  const whole = await train(data, config, {
    onCheckpoint: (checkpoint) => void checkpoints.push(checkpoint),
  });
  assert.deepEqual(checkpoints.map((c) => c.progress.epoch), [2, 3, 4]);
  const resumed = await train(data, config, {}, undefined, checkpoints[0]);
  assert.deepEqual(numbers(resumed), numbers(whole));
});

Deno.test("train() stops at the exact step asked, with the epoch's partial sums in the checkpoint", async () => {
  let saved: TrainCheckpoint | undefined;
  let step = 0;
  const error = await train(data, configFor("sgd"), {
    onStep: (s) => void (step = s),
    onCheckpoint: (checkpoint) => void (saved = checkpoint),
    stopRequested: () => step === 13,
  }).catch((e) => e);
  assert.ok(error instanceof TrainInterrupted);
  assert.equal(
    error.message,
    "training stopped after step 13 (epoch 2) as asked",
  );
  assert.deepEqual(
    [saved!.progress.epoch, saved!.progress.step, saved!.progress.stepInEpoch],
    [2, 13, 3],
  );
  assert.equal(saved!.progress.batchLoss.length, 13);
  assert.equal(saved!.progress.epochs.length, 1);
});

Deno.test("restoreCheckpoint() refuses a checkpoint of another architecture, naming the parameter", async () => {
  let saved: TrainCheckpoint | undefined;
  await train(data, { ...configFor("sgd"), epochs: 1 }, {
    onCheckpoint: (checkpoint) => void (saved = checkpoint),
  });
  await assert.rejects(
    train(data, { ...configFor("sgd"), hidden: [8, 5] }, {}, undefined, saved),
    /^KitError: the checkpoint does not fit this run: layer0.weights has 210 values, not 240$/,
  );
  await assert.rejects(
    train(data, { ...configFor("adam") }, {}, undefined, saved),
    /the checkpoint does not fit this run: its optimizer or RNG state/,
  );
});

Deno.test("decodeCheckpoint() names the field that is wrong", async () => {
  let saved: TrainCheckpoint | undefined;
  await train(data, { ...configFor("sgd"), epochs: 1 }, {
    onCheckpoint: (checkpoint) => void (saved = checkpoint),
  });
  const good = JSON.parse(encodeCheckpoint({ args: [], checkpoint: saved! }));
  const order = saved!.order.slice();
  order[0] = order[1];
  const repeated = JSON.parse(
    encodeCheckpoint({ args: [], checkpoint: { ...saved!, order } }),
  ).order;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ version: 2 }, /version 2, expected 1/],
    [{ args: [1] }, /args is not a list of strings/],
    [{ order: repeated }, /order is not a permutation/],
    [
      { order: { dtype: "i32", base64: "AAA=" } },
      /order has 2 bytes, not whole i32 values/,
    ],
    [
      { parameters: { w: { dtype: "f16", base64: "" } } },
      /parameters.w is not \{dtype, base64\}/,
    ],
    [
      { progress: { ...good.progress, step: -1 } },
      /progress.step is not a whole number/,
    ],
    [
      { progress: { ...good.progress, step: 12 } },
      /progress holds 10 batch losses for 12 steps/,
    ],
  ];
  for (const [change, message] of cases) {
    const text = JSON.stringify({ ...good, ...change });
    assert.throws(
      () => decodeCheckpoint(text, "run/checkpoint.json"),
      new RegExp(
        `^KitError: run/checkpoint.json: not a valid checkpoint: ${message.source}`,
      ),
    );
  }
  assert.throws(
    () => decodeCheckpoint("{", "c.json"),
    /c.json: not a valid checkpoint: not JSON/,
  );
});
