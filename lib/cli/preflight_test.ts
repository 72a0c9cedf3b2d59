import assert from "node:assert/strict";
import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import type { Mnist } from "../data/mnist.ts";
import { LOCK_FILE } from "../train/run_lock.ts";
import {
  checkData,
  checkMemory,
  estimateMemoryBytes,
  parameterCount,
  prepareRunFolder,
} from "./preflight.ts";

function mnistOf(
  train: { count: number; rows: number; cols: number },
  testCount: number,
): Mnist {
  const set = (count: number) => ({
    images: new Uint8Array(count * train.rows * train.cols),
    labels: new Uint8Array(count),
    count,
    rows: train.rows,
    cols: train.cols,
  });
  return { train: set(train.count), test: set(testCount), dir: "/data" };
}

Deno.test("parameterCount() and estimateMemoryBytes() count a 3-5-2 network exactly", () => {
  assert.equal(parameterCount([3, 5, 2]), 4 * 5 + 6 * 2);
  // 3 copies of 32 parameters, 3 copies of (batch 7 + 1000 rows) x 10 units
  assert.equal(
    estimateMemoryBytes([3, 5, 2], { batchSize: 7, dtype: "f64" }),
    (3 * 32 + 3 * 1007 * 10) * 8,
  );
  assert.equal(
    estimateMemoryBytes([3, 5, 2], { batchSize: 7, dtype: "f32" }),
    (3 * 32 + 3 * 1007 * 10) * 4,
  );
});

Deno.test("checkMemory() refuses --hidden 1000000 with the estimate and the limit, and a raised limit lets it pass", () => {
  const config = { batchSize: 64, dtype: "f32" } as const;
  assert.throws(
    () => checkMemory([784, 1000000, 10], config, 4096),
    (error) =>
      error instanceof KitError &&
      /^--hidden 1000000: the 784-1000000-10 network needs about 21\d\d\d MB .*above --max-memory 4096 MB$/
        .test(error.message),
  );
  checkMemory([784, 1000000, 10], config, 22000);
  checkMemory([784, 128, 64, 10], config, 4096);
});

Deno.test("checkData() refuses 10,000 or fewer training images, naming the file", () => {
  for (const count of [0, 1, 10000]) {
    assert.throws(
      () => checkData(mnistOf({ count, rows: 28, cols: 28 }, 5)),
      new RegExp(
        `^KitError: /data/train-images-idx3-ubyte: ${count} training images, but the last 10000 are held out`,
      ),
    );
  }
  checkData(mnistOf({ count: 10001, rows: 28, cols: 28 }, 5));
});

Deno.test("checkData() refuses 0x28 and 28x0 images", () => {
  for (const [rows, cols] of [[0, 28], [28, 0]]) {
    assert.throws(
      () => checkData(mnistOf({ count: 10001, rows, cols }, 5)),
      new RegExp(
        `images are ${rows}x${cols}; a network needs at least one pixel`,
      ),
    );
  }
  checkData(mnistOf({ count: 10001, rows: 1, cols: 1 }, 5));
});

Deno.test("checkData() refuses a test set of zero images, naming the test file", () => {
  assert.throws(
    () => checkData(mnistOf({ count: 10001, rows: 28, cols: 28 }, 0)),
    /^KitError: \/data\/t10k-images-idx3-ubyte: no test images/,
  );
});

Deno.test("prepareRunFolder() gives runs started in the same second their own folders", async () => {
  const cwd = Deno.cwd();
  Deno.chdir(await Deno.makeTempDir());
  try {
    const startedAt = new Date("2026-11-30T22:05:24.500Z");
    const folders = await Promise.all(
      [1, 2, 3].map(() => prepareRunFolder(undefined, { startedAt })),
    );
    assert.deepEqual(folders.map((f) => f.dir).toSorted(), [
      "runs/2026-11-30T22-05-24",
      "runs/2026-11-30T22-05-24-2",
      "runs/2026-11-30T22-05-24-3",
    ]);
    for (const folder of folders) await folder.lock.release();
  } finally {
    Deno.chdir(cwd);
  }
});

Deno.test("prepareRunFolder() refuses the user's report.html or figures/ unless forced, and leaves them", async () => {
  for (const name of ["report.html", "figures"]) {
    const dir = await Deno.makeTempDir();
    if (name === "figures") await Deno.mkdir(join(dir, name));
    const mine = join(dir, name === "figures" ? "figures/plot.svg" : name);
    await Deno.writeTextFile(mine, "mine");
    await assert.rejects(
      prepareRunFolder(dir, { startedAt: new Date() }),
      (error) =>
        error instanceof KitError &&
        error.message ===
          `${
            join(dir, name)
          }: would be overwritten by the run's report; it is left untouched` &&
        /--force/.test(error.help ?? ""),
    );
    assert.equal(await Deno.readTextFile(mine), "mine");
    await assert.rejects(Deno.stat(join(dir, LOCK_FILE)), Deno.errors.NotFound);
    const forced = await prepareRunFolder(dir, {
      startedAt: new Date(),
      force: true,
    });
    await forced.lock.release();
  }
});

Deno.test("prepareRunFolder() leaves no folder behind when it refuses, and abandon() removes an empty one it made", async () => {
  const parent = await Deno.makeTempDir();
  const file = join(parent, "file");
  await Deno.writeTextFile(file, "");
  await assert.rejects(
    prepareRunFolder(join(file, "run"), { startedAt: new Date() }),
    /file\/run: cannot create the run folder/,
  );
  const out = join(parent, "run");
  const folder = await prepareRunFolder(out, {
    startedAt: new Date(),
    probeBytes: 3 * 2 ** 20 + 5,
  });
  assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), [LOCK_FILE]);
  await folder.abandon();
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test("abandon() keeps a folder the run did not create, and one that holds a saved model", async () => {
  const mine = await Deno.makeTempDir();
  await (await prepareRunFolder(mine, { startedAt: new Date() })).abandon();
  assert.ok((await Deno.stat(mine)).isDirectory);
  const out = join(await Deno.makeTempDir(), "run");
  const folder = await prepareRunFolder(out, { startedAt: new Date() });
  await Deno.writeTextFile(join(out, "model.bin"), "epoch 1");
  await folder.abandon();
  assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), [
    "model.bin",
  ]);
});
