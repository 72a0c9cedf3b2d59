import assert from "node:assert/strict";
import {
  assertAllClose,
  assertEarlierExercise,
  assertThrows,
  syntheticDigits,
  testValues,
} from "../testing.ts";
import { argmaxRows, makeRng, tensor } from "../01_tensors/tensors.ts";
import { crossEntropy } from "../05_softmax/softmax.ts";
import { createMlp, mlpForward, mlpParameters } from "../07_mlp/mlp.ts";
import { createSgd, learningRateAt } from "../08_sgd/sgd.ts";
import { batchIndices, fitScale, toInputs } from "../09_data/data.ts";
import {
  evaluate,
  type StepReport,
  type TrainConfig,
  trainModel,
  trainStep,
} from "./training.ts";

const config: TrainConfig = {
  epochs: 30,
  batchSize: 20,
  lr: 0.05,
  lrMin: 0,
  schedule: "cosine",
  momentum: 0.9,
  nesterov: true,
  weightDecay: 0,
  hidden: [32],
  activation: "relu",
  seed: 1,
};

Deno.test("10.1 trainStep() returns the loss and lowers it on the same batch", () => {
  const model = createMlp([8, 16, 10], "relu", makeRng(1));
  const sgd = createSgd(mlpParameters(model), {
    momentum: 0.9,
    nesterov: false,
    weightDecay: 0,
  });
  const x = tensor(testValues(40, 2), [5, 8]);
  const labels = [0, 3, 5, 7, 9];
  const before = crossEntropy(mlpForward(model, x).logits, labels).loss;
  const first = trainStep(model, sgd, x, labels, 0.1);
  assert.ok(
    Math.abs(first.loss - before) < 1e-12,
    `trainStep returned loss ${first.loss}; the loss before the update was ${before}`,
  );
  assert.ok(
    first.correct >= 0 && first.correct <= 5,
    `correct = ${first.correct} for a batch of 5`,
  );
  let last = first.loss;
  for (let i = 0; i < 20; i++) {
    last = trainStep(model, sgd, x, labels, 0.1).loss;
  }
  assert.ok(
    last < 0.5 * before,
    `loss went from ${before} to ${last} in 21 steps on one batch: expected it at least halved`,
  );
});

Deno.test("10.2 evaluate() counts the last partial chunk (1,001 images)", () => {
  const set = syntheticDigits(1001, 4, 12);
  const model = createMlp([4, 10], "relu", makeRng(1));
  // Always predict the label of image 1000, the only one in the second chunk.
  const k = set.labels[1000];
  model.layers[0].weights.data.fill(0);
  model.layers[0].bias.data.fill(0);
  model.layers[0].bias.data[k] = 1;
  // evaluate() leans on exercises 09 and 01: check them on these inputs.
  const some = toInputs(set, [1000, 0, 3], 1);
  assertEarlierExercise(
    "09_data",
    "toInputs returns wrong labels",
    () =>
      assert.deepEqual(
        [...some.labels],
        [set.labels[1000], set.labels[0], set.labels[3]],
        "toInputs(set, [1000, 0, 3]).labels",
      ),
  );
  const logits = mlpForward(model, some.x).logits;
  assertEarlierExercise(
    "01_tensors",
    "argmaxRows returns wrong columns",
    () =>
      assert.deepEqual(
        [...argmaxRows(logits)],
        [k, k, k],
        `argmaxRows of [3, 10] logits that peak at column ${k}`,
      ),
  );
  const expected = set.labels.filter((l) => l === k).length / 1001;
  const accuracy = evaluate(model, set, 1);
  assert.ok(
    Math.abs(accuracy - expected) < 1e-12,
    `always predicting ${k} on 1,001 images: accuracy ${accuracy}, expected ${expected} (is the last chunk of 1 image evaluated?)`,
  );
});

Deno.test("10.2 evaluate() counts the fraction classified right", () => {
  const set = syntheticDigits(50, 16, 3);
  const model = createMlp([16, 10], "relu", makeRng(1));
  // A model whose logits ignore the input: bias 1 on class k predicts k.
  model.layers[0].weights.data.fill(0);
  for (let k = 0; k < 10; k++) {
    model.layers[0].bias.data.fill(0);
    model.layers[0].bias.data[k] = 1;
    const expected = set.labels.filter((l) => l === k).length / 50;
    const accuracy = evaluate(model, set, 1);
    assert.ok(
      Math.abs(accuracy - expected) < 1e-12,
      `always predicting ${k}: accuracy ${accuracy}, expected ${expected}`,
    );
  }
});

Deno.test("10.3 sanity check: the untrained loss is about ln 10 ≈ 2.30", () => {
  const set = syntheticDigits(100, 64, 5);
  const { model, scale } = trainModel({ train: set, validation: set }, {
    ...config,
    epochs: 0,
  });
  const x = tensor([...set.images].map((b) => b * scale), [100, 64]);
  const loss = crossEntropy(mlpForward(model, x).logits, set.labels).loss;
  assert.ok(
    Math.abs(loss - Math.log(10)) < 0.1,
    `initial loss ${
      loss.toFixed(3)
    } on 100 images: expected ln 10 = 2.303 ± 0.1. ` +
      "Higher means initial weights that are too large (is the last layer scaled by 0.1?) or inputs that are not normalized.",
  );
});

Deno.test("10.3 trainModel() runs the documented loop: the same numbers as your pieces by hand", () => {
  // 70 training images in batches of 16: 5 steps per epoch, the last of 6.
  // The validation images are darker, so a scale fitted on them differs.
  const all = syntheticDigits(100, 16, 11);
  const train = {
    images: all.images.subarray(0, 70 * 16),
    labels: all.labels.subarray(0, 70),
    count: 70,
    pixels: 16,
  };
  const validation = {
    images: all.images.slice(70 * 16).map((b) => b >> 2),
    labels: all.labels.subarray(70),
    count: 30,
    pixels: 16,
  };
  const cfg: TrainConfig = {
    ...config,
    epochs: 3,
    batchSize: 16,
    hidden: [8],
    lrMin: 0.01,
    weightDecay: 1e-3,
  };
  const result = trainModel({ train, validation }, cfg);
  const rng = makeRng(cfg.seed);
  const model = createMlp([16, 8, 10], cfg.activation, rng);
  const sgd = createSgd(mlpParameters(model), cfg);
  const scale = fitScale(train.images);
  const schedule = { kind: cfg.schedule, lr: cfg.lr, lrMin: cfg.lrMin };
  const totalSteps = cfg.epochs * Math.ceil(70 / 16);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    let lossSum = 0;
    for (const batch of batchIndices(70, 16, rng)) {
      const { x, labels } = toInputs(train, batch, scale);
      const lr = learningRateAt(schedule, step++, totalSteps);
      lossSum += trainStep(model, sgd, x, labels, lr).loss * batch.length;
    }
    losses.push(lossSum / 70);
  }
  assert.equal(
    result.scale,
    scale,
    "trainModel's scale must be fitScale of the training images, never the validation images",
  );
  assert.deepEqual(
    result.epochs.map((r) => r.epoch),
    [1, 2, 3],
    "trainModel's reports count epochs from 1",
  );
  assertAllClose(result.epochs.map((r) => r.trainLoss), losses, {
    what:
      "trainModel's epoch losses vs the same loop by hand (one rng: weights first, then a new shuffle each epoch; " +
      "the learning rate of step s of epochs × ceil(count / batchSize); the loss averaged over images, not batches)",
    tolerance: 1e-12,
  });
});

Deno.test("10.3 sanity check: overfits 100 examples to 100% training accuracy", () => {
  // Random labels: nothing to generalize, the network has to memorize.
  const set = syntheticDigits(100, 64, 6);
  set.labels.set(testValues(100, 7).map((v) => Math.floor((v + 1) * 5) % 10));
  const reports: number[] = [];
  const { model, scale, epochs } = trainModel(
    { train: set, validation: set },
    { ...config, hidden: [64] },
    (report) => reports.push(report.epoch),
  );
  assert.deepEqual(
    reports,
    Array.from({ length: 30 }, (_, i) => i + 1),
    "onEpoch must be called after every epoch, with epochs counted from 1",
  );
  assert.equal(epochs.length, 30);
  const accuracy = evaluate(model, set, scale);
  assert.equal(
    accuracy,
    1,
    `training accuracy ${accuracy} after 30 epochs on 100 examples: a correct network memorizes them (final train loss ${
      epochs[29].trainLoss.toFixed(4)
    })`,
  );
  assert.equal(
    epochs[29].validationAccuracy,
    1,
    "the last epoch report's validationAccuracy",
  );
});

Deno.test("10.3 trainModel() learns patterns it has not seen and is reproducible", () => {
  // One draw of 800 noisy images of the same 10 patterns: train on 600,
  // validate on the other 200.
  const all = syntheticDigits(800, 64, 8);
  const slice = (start: number, end: number) => ({
    images: all.images.subarray(start * 64, end * 64),
    labels: all.labels.subarray(start, end),
    count: end - start,
    pixels: 64,
  });
  const data = { train: slice(0, 600), validation: slice(600, 800) };
  const first = trainModel(data, { ...config, epochs: 5 });
  assert.ok(
    first.epochs[4].validationAccuracy > 0.9,
    `validation accuracy ${
      first.epochs[4].validationAccuracy
    } after 5 epochs, expected > 0.9`,
  );
  const second = trainModel(data, { ...config, epochs: 5 });
  assert.equal(
    second.epochs[4].trainLoss,
    first.epochs[4].trainLoss,
    "the same seed must give the same run",
  );
});

Deno.test("10.3 trainModel() stops with a clear error when the loss diverges", () => {
  const set = syntheticDigits(40, 16, 9);
  assertThrows(
    () =>
      trainModel({ train: set, validation: set }, {
        ...config,
        lr: 1e300,
        momentum: 0,
        epochs: 3,
      }),
    /step[^]*learning rate|learning rate[^]*step/,
    "with lr = 1e300 the weights overflow and the loss becomes NaN: throw naming the step and the learning rate",
  );
});

Deno.test("10.3 trainModel() calls onStep after every step with the batch's loss and accuracy", () => {
  // 250 images in batches of 64: steps of 64, 64, 64 and 58 images.
  const set = syntheticDigits(250, 16, 3);
  const steps: StepReport[] = [];
  const { epochs } = trainModel(
    { train: set, validation: set },
    { ...config, epochs: 2, batchSize: 64 },
    undefined,
    (report) => steps.push({ ...report }),
  );
  assert.deepEqual(
    steps.map((s) => s.step),
    [1, 2, 3, 4, 5, 6, 7, 8],
    "onStep once per step, counted from 1 across epochs",
  );
  const sizes = [64, 64, 64, 58];
  for (const [e, epoch] of epochs.entries()) {
    const mine = steps.slice(4 * e, 4 * e + 4);
    const weighted = (key: "loss" | "accuracy") =>
      mine.reduce((sum, s, i) => sum + s[key] * sizes[i], 0) / 250;
    assert.ok(
      Math.abs(weighted("loss") - epoch.trainLoss) < 1e-12,
      `epoch ${e + 1}: the steps' losses, weighted by batch size, average ${
        weighted("loss")
      }, but trainLoss is ${epoch.trainLoss}: pass each batch's mean loss`,
    );
    assert.ok(
      Math.abs(weighted("accuracy") - epoch.trainAccuracy) < 1e-12,
      `epoch ${e + 1}: the steps' accuracies average ${
        weighted("accuracy")
      }, but trainAccuracy is ${epoch.trainAccuracy}: pass the fraction of the batch right`,
    );
  }
});
