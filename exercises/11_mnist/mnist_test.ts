import assert from "node:assert/strict";
import { assertRejects, idxBytes, syntheticDigits } from "../testing.ts";
import { loadMnist, MNIST_CONFIG, MNIST_FILES, trainMnist } from "./mnist.ts";

/** Writes a small MNIST-shaped folder: `train` + `test` synthetic images. */
async function fakeMnistDir(
  train: number,
  test: number,
  side = 8,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mnist_test_" });
  const a = syntheticDigits(train + test, side * side, 21);
  const pixels = side * side;
  await Deno.writeFile(
    `${dir}/${MNIST_FILES.trainImages}`,
    idxBytes([train, side, side], a.images.subarray(0, train * pixels)),
  );
  await Deno.writeFile(
    `${dir}/${MNIST_FILES.trainLabels}`,
    idxBytes([train], a.labels.subarray(0, train)),
  );
  await Deno.writeFile(
    `${dir}/${MNIST_FILES.testImages}`,
    idxBytes([test, side, side], a.images.subarray(train * pixels)),
  );
  await Deno.writeFile(
    `${dir}/${MNIST_FILES.testLabels}`,
    idxBytes([test], a.labels.subarray(train)),
  );
  return dir;
}

Deno.test("11.1 loadMnist() reads the four files and holds out the last training images", async () => {
  const dir = await fakeMnistDir(300, 50);
  try {
    const data = await loadMnist(dir, 100);
    assert.equal(data.train.count, 200, "train: the first 300 - 100 images");
    assert.equal(
      data.validation.count,
      100,
      "validation: the last 100 training images",
    );
    assert.equal(data.test.count, 50);
    assert.equal(data.train.pixels, 64, "8×8 images have 64 pixels");
    assert.equal(data.train.images.length, 200 * 64);
    assert.equal(data.validation.labels.length, 100);
    const all = syntheticDigits(350, 64, 21);
    assert.deepEqual([...data.validation.labels.subarray(0, 5)], [
      ...all.labels.subarray(200, 205),
    ], "validation starts at training image 200");
    assert.deepEqual([...data.test.images.subarray(0, 64)], [
      ...all.images.subarray(300 * 64, 301 * 64),
    ], "test image 0");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("11.1 loadMnist() refuses image and label files that disagree, naming both", async () => {
  const dir = await fakeMnistDir(30, 10);
  try {
    await Deno.writeFile(
      `${dir}/${MNIST_FILES.testLabels}`,
      idxBytes([9], new Uint8Array(9)),
    );
    await assertRejects(
      () => loadMnist(dir, 10),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(MNIST_FILES.testImages),
          "name the image file",
        );
        assert.match(
          error.message,
          new RegExp(MNIST_FILES.testLabels),
          "name the label file",
        );
        assert.match(error.message, /10[^]*9/, "give both counts");
      },
      "loadMnist with 10 test images but 9 test labels",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("11.2 trainMnist() trains and reports validation and test accuracy", async () => {
  const dir = await fakeMnistDir(700, 200);
  try {
    const data = await loadMnist(dir, 200);
    const epochs: number[] = [];
    const result = trainMnist(data, {
      ...MNIST_CONFIG,
      hidden: [32],
      epochs: 3,
    }, (e) => epochs.push(e.epoch));
    assert.deepEqual(epochs, [1, 2, 3], "onEpoch after every epoch");
    assert.equal(result.epochs.length, 3);
    assert.ok(
      result.testAccuracy > 0.9,
      `test accuracy ${result.testAccuracy} on synthetic digits: expected > 0.9`,
    );
    assert.ok(
      result.validationAccuracy > 0.9,
      `validation accuracy ${result.validationAccuracy}: expected > 0.9`,
    );
    const sum = result.epochs.reduce((t, e) => t + e.seconds, 0);
    assert.ok(
      Math.abs(result.trainSeconds - sum) < 1e-9,
      "trainSeconds is the sum of the epochs' seconds",
    );
    assert.deepEqual(result.model.sizes, [64, 32, 10]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("11.2 trainMnist() passes onStep on to trainModel: one call per step", async () => {
  const dir = await fakeMnistDir(500, 100);
  try {
    const data = await loadMnist(dir, 100);
    const steps: number[] = [];
    trainMnist(
      data,
      { ...MNIST_CONFIG, hidden: [8], epochs: 2, batchSize: 100 },
      undefined,
      (s) => steps.push(s.step),
    );
    assert.deepEqual(
      steps,
      [1, 2, 3, 4, 5, 6, 7, 8],
      "400 training images in batches of 100 for 2 epochs: steps 1 to 8 (the report and the lab's live chart are drawn from them)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const realMnist = new URL("../../data/", import.meta.url).pathname;
const haveMnist = (() => {
  try {
    return Deno.statSync(`${realMnist}/${MNIST_FILES.trainImages}`).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "11.2 trainMnist() learns 5,000 real MNIST digits to over 90% (needs data/)",
  ignore: !haveMnist,
  async fn() {
    const full = await loadMnist(realMnist);
    const small = (set: typeof full.train, count: number) => ({
      ...set,
      images: set.images.subarray(0, count * set.pixels),
      labels: set.labels.subarray(0, count),
      count,
    });
    const data = {
      train: small(full.train, 5000),
      validation: small(full.validation, 1000),
      test: small(full.test, 2000),
    };
    const result = trainMnist(data, { ...MNIST_CONFIG, epochs: 2 });
    assert.ok(
      result.testAccuracy > 0.9,
      `test accuracy ${result.testAccuracy} on 2,000 test images after 2 epochs on 5,000: expected > 0.9`,
    );
  },
});
