import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DEFAULT_CONFIG,
  DivergedError,
  evaluate,
  fitNormalizer,
  loadMnist,
  Mlp,
  sliceImages,
  softmaxCrossEntropy,
  splitTrainValidation,
  toTensor,
  train,
} from "../mod.ts";
import { runScript } from "./helpers/cli.ts";

const mnist = await loadMnist();
const { train: trainSplit, validation } = splitTrainValidation(mnist.train);
const normalizer = fitNormalizer(trainSplit);

Deno.test("MNIST loads as 60,000 + 10,000 images of 28x28, split 50,000 / 10,000", () => {
  assert.equal(mnist.train.count, 60000);
  assert.equal(mnist.test.count, 10000);
  assert.equal(trainSplit.count, 50000);
  assert.equal(validation.count, 10000);
  assert.equal(mnist.train.rows * mnist.train.cols, 784);
  const zeros = mnist.train.images.reduce(
    (n, byte) => n + (byte === 0 ? 1 : 0),
    0,
  );
  assert.ok(
    Math.abs(zeros / mnist.train.images.length - 0.81) < 0.01,
    "about 81% of pixels are 0",
  );
});

Deno.test("an untrained 784-128-64-10 network guesses: loss within 0.1 of ln 10, accuracy near 10%", () => {
  const model = new Mlp({ sizes: [784, 128, 64, 10], seed: 1 });
  const images = toTensor(trainSplit, 0, 1000, normalizer, "f32");
  const labels = trainSplit.labels.subarray(0, 1000);
  const loss = softmaxCrossEntropy(model.forward(images), labels);
  // Uniform guesses cost exactly ln 10 ≈ 2.30; the output layer starts small
  // (outputScale 0.1) so the untrained network is close to that.
  assert.ok(Math.abs(loss - Math.log(10)) < 0.1, `initial loss ${loss}`);
  const heEverywhere = new Mlp({
    sizes: [784, 128, 64, 10],
    seed: 1,
    outputScale: 1,
  });
  const heLoss = softmaxCrossEntropy(heEverywhere.forward(images), labels);
  assert.ok(
    heLoss > loss + 0.2,
    `with full He scale on the logits the loss is ${heLoss}`,
  );
  const accuracy =
    evaluate(model, sliceImages(trainSplit, 0, 1000), normalizer).accuracy;
  assert.ok(
    accuracy > 0.03 && accuracy < 0.2,
    `untrained accuracy ${accuracy}`,
  );
});

Deno.test("the network overfits 100 training images to 100% accuracy", async () => {
  const hundred = sliceImages(trainSplit, 0, 100);
  const result = await train(
    { train: hundred, validation: hundred, test: hundred, normalizer },
    { ...DEFAULT_CONFIG, epochs: 40, batchSize: 10, weightDecay: 0, lr: 0.02 },
  );
  const accuracy = evaluate(result.model, hundred, normalizer).accuracy;
  assert.equal(accuracy, 1, `training accuracy on 100 images: ${accuracy}`);
  assert.ok(result.epochs.at(-1)!.trainLoss < 0.01);
});

Deno.test("end to end: the default deno task train run reaches at least 97.5% test accuracy", async () => {
  const out = join(await Deno.makeTempDir(), "run");
  const { code, stdout, stderr } = await runScript("bin/train.ts", [
    "--quiet",
    "--out",
    out,
    "--target",
    "97.5",
  ]);
  const metrics = JSON.parse(
    await Deno.readTextFile(join(out, "metrics.json")),
  );
  assert.ok(
    metrics.test_accuracy >= 0.975,
    `test accuracy ${metrics.test_accuracy}\n${stdout}${stderr}`,
  );
  assert.equal(code, 0);
  assert.equal(
    metrics.missed.test.length,
    Math.round((1 - metrics.test_accuracy) * 10000),
  );
  assert.equal(metrics.epochs.length, DEFAULT_CONFIG.epochs);
  console.log(
    `default run: test ${(metrics.test_accuracy * 100).toFixed(2)}%, ${
      metrics.train_seconds.toFixed(1)
    } s of training`,
  );
});

Deno.test("training stops at the first non-finite loss, naming the step, epoch and learning rate", async () => {
  const small = sliceImages(trainSplit, 0, 640);
  const error = await train(
    { train: small, validation: small, test: small, normalizer },
    { ...DEFAULT_CONFIG, epochs: 3, batchSize: 64, schedule: "constant" },
    {
      // Poison a first-layer bias after the first epoch: the NaN must pass
      // through both ReLUs and make the next step's loss NaN. (A weight might
      // not do: the kernels skip the blank pixels it may multiply.)
      onEpoch(metrics, model) {
        const bias = model.parameters().find((p) => p.name === "layer0.bias")!;
        if (metrics.epoch === 1) bias.value.data[0] = NaN;
      },
    },
  ).then(() => null, (e) => e);
  assert.ok(
    error instanceof DivergedError,
    `expected DivergedError, got ${error}`,
  );
  assert.equal(error.epoch, 2);
  assert.equal(error.step, 11);
  assert.equal(error.lr, DEFAULT_CONFIG.lr);
  assert.match(
    error.message,
    /the loss became NaN at step 11 \(epoch 2\) with learning rate 0\.05/,
  );
});
