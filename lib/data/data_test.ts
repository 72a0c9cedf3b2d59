import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Batch,
  Batcher,
  createWasmKernels,
  encodeIdx,
  ensureMnist,
  fitNormalizer,
  KitError,
  type LabeledImages,
  loadMnist,
  MNIST_FILES,
  parseIdx,
  readIdxFile,
  Rng,
  splitTrainValidation,
  verifyMnistFile,
} from "../../mod.ts";
import { writeSyntheticMnist } from "../../tests/helpers/synthetic.ts";

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("parseIdx reads back what encodeIdx wrote", () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const parsed = parseIdx(encodeIdx([2, 3, 4], data), "x", 3);
  assert.deepEqual(parsed.dims, [2, 3, 4]);
  assert.deepEqual(parsed.data, data);
});

Deno.test("parseIdx refuses a wrong magic number and a truncated file", () => {
  const labels = encodeIdx([5], [1, 2, 3, 4, 5]);
  assert.throws(
    () => parseIdx(labels, "labels.idx", 3),
    /labels\.idx: not an IDX file of 3-D unsigned bytes: expected magic 0x00000803, found 0x00000801/,
  );
  assert.throws(
    () => parseIdx(labels.subarray(0, 10), "labels.idx", 1),
    /need 13 bytes, the file has 10 \(truncated\)/,
  );
  assert.throws(
    () => parseIdx(labels.subarray(0, 7), "labels.idx", 1),
    /truncated IDX header: 7 bytes, expected at least 8/,
  );
  assert.throws(
    () => parseIdx(new Uint8Array(2), "tiny", 1),
    /found only 2 bytes/,
  );
});

Deno.test("readIdxFile inflates gzip files", async () => {
  const dir = await Deno.makeTempDir();
  const bytes = encodeIdx([3], [7, 8, 9]);
  await Deno.writeFile(join(dir, "a.gz"), await gzip(bytes));
  assert.deepEqual([...(await readIdxFile(join(dir, "a.gz"), 1)).data], [
    7,
    8,
    9,
  ]);
  await Deno.writeFile(join(dir, "b.gz"), Uint8Array.of(0x1f, 0x8b, 1, 2, 3));
  await assert.rejects(
    readIdxFile(join(dir, "b.gz"), 1),
    /b\.gz: not valid gzip/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist reads a folder of the four standard files, plain or .gz", async () => {
  const dir = await writeSyntheticMnist(await Deno.makeTempDir(), {
    train: 30,
    test: 10,
  });
  const name = MNIST_FILES.testImages.name;
  await Deno.writeFile(
    join(dir, `${name}.gz`),
    await gzip(await Deno.readFile(join(dir, name))),
  );
  await Deno.remove(join(dir, name));
  const mnist = await loadMnist({ dir });
  assert.equal(mnist.train.count, 30);
  assert.equal(mnist.test.count, 10);
  assert.equal(mnist.test.images.length, 10 * 784);
  assert.deepEqual([...mnist.train.labels.subarray(0, 12)], [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    0,
    1,
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist names a missing folder, a missing file and disagreeing counts", async () => {
  await assert.rejects(
    loadMnist({ dir: "/nonexistent/mnist" }),
    /\/nonexistent\/mnist.*missing|not a readable folder/,
  );
  const dir = await writeSyntheticMnist(await Deno.makeTempDir(), {
    train: 30,
    test: 10,
  });
  await Deno.writeFile(
    join(dir, MNIST_FILES.trainLabels.name),
    encodeIdx([29], new Uint8Array(29)),
  );
  await assert.rejects(
    loadMnist({ dir }),
    /train-labels-idx1-ubyte: 29 labels, but .*train-images-idx3-ubyte holds 30 images/,
  );
  await Deno.remove(join(dir, MNIST_FILES.trainLabels.name));
  await assert.rejects(
    loadMnist({ dir }),
    (e) =>
      e instanceof KitError &&
      /train-labels-idx1-ubyte: missing/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("verifyMnistFile catches a size or checksum mismatch", async () => {
  const file = MNIST_FILES.testLabels;
  await assert.rejects(
    verifyMnistFile(new Uint8Array(10), file, "f"),
    /f: expected 10008 bytes, found 10$/,
  );
  await assert.rejects(
    verifyMnistFile(new Uint8Array(file.bytes), file, "f"),
    new RegExp(
      `f: checksum mismatch: SHA-256 [0-9a-f]{64}, expected ${file.sha256}`,
    ),
  );
});

Deno.test("ensureMnist refuses a corrupt cached file and leaves it in place", async () => {
  const cache = await Deno.makeTempDir();
  const corrupt = new Uint8Array(MNIST_FILES.trainImages.bytes);
  await Deno.writeFile(join(cache, MNIST_FILES.trainImages.name), corrupt);
  await assert.rejects(
    ensureMnist(cache),
    /train-images-idx3-ubyte: checksum mismatch/,
  );
  assert.equal(
    (await Deno.stat(join(cache, MNIST_FILES.trainImages.name))).size,
    corrupt.length,
  );
  await Deno.remove(cache, { recursive: true });
});

function tinySet(pixels: number[][], labels: number[]): LabeledImages {
  return {
    images: Uint8Array.from(pixels.flat()),
    labels: Uint8Array.from(labels),
    count: labels.length,
    rows: 1,
    cols: pixels[0].length,
  };
}

Deno.test("splitTrainValidation holds out the last images; fitNormalizer sees only the training part", () => {
  const set = tinySet([[0, 3], [4, 0], [255, 255], [255, 255]], [0, 1, 2, 3]);
  const { train, validation } = splitTrainValidation(set, 2);
  assert.deepEqual([...train.labels], [0, 1]);
  assert.deepEqual([...validation.labels], [2, 3]);
  // Training pixels 0, 3, 4, 0: mean square 25/4, so the scale is 1/2.5.
  assert.ok(Math.abs(fitNormalizer(train).scale - 0.4) < 1e-15);
  assert.throws(() => splitTrainValidation(set, 4), /cannot hold out 4 of 4/);
});

Deno.test("Batcher visits every image once per epoch, shuffled by the seed, last batch smaller", () => {
  const count = 10;
  const set = tinySet(
    Array.from({ length: count }, (_, i) => [i * 10]),
    Array.from({ length: count }, (_, i) => i),
  );
  assert.equal(new Batcher(set, 4, { scale: 0.1 }, "f64").batchesPerEpoch, 3);
  const epoch = (rng: Rng) => {
    const batcher = new Batcher(set, 4, { scale: 0.1 }, "f64");
    const batches: number[][] = [];
    // Batches reuse their buffers: read each one before asking for the next.
    for (const batch of batcher.epoch(rng)) {
      [...batch.labels].forEach((label, r) =>
        assert.equal(batch.images.data[r], label, "image goes with its label")
      );
      batches.push([...batch.labels]);
    }
    return batches;
  };
  const a = epoch(new Rng(1));
  assert.deepEqual(a.map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(a.flat().sort((x, y) => x - y), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
  assert.deepEqual(epoch(new Rng(1)), a);
  assert.notDeepEqual(epoch(new Rng(2)), a);
});

Deno.test("a Batcher as large as the set hands out the set in its order every epoch, gathered once and frozen, drawing nothing from the RNG", () => {
  const count = 10;
  const set = tinySet(
    Array.from({ length: count }, (_, i) => [i * 10, 255 - i]),
    Array.from({ length: count }, (_, i) => (i * 7) % 10),
  );
  const normalizer = { scale: 0.1 };
  const inOrder = Array.from({ length: count }, (_, i) => (i * 7) % 10);
  const kernels = createWasmKernels({ arenaBytes: 4 << 20 });
  let gathers = 0;
  const frozen: [Float32Array | Float64Array, number, number][] = [];
  const counted = {
    ...kernels,
    gatherScaled: (...args: Parameters<typeof kernels.gatherScaled>) => {
      gathers++;
      return kernels.gatherScaled(...args);
    },
    freeze: (...args: Parameters<typeof kernels.freeze>) => {
      frozen.push(args);
      kernels.freeze(...args);
    },
  };
  for (const [batchSize, k] of [[count, undefined], [16, counted]] as const) {
    const batcher = new Batcher(set, batchSize, normalizer, "f32", k);
    const rng = new Rng(1);
    const seen = new Set<Batch>();
    for (let epoch = 0; epoch < 3; epoch++) {
      const batches = [...batcher.epoch(rng)];
      assert.equal(batches.length, 1, `batch ${batchSize}: one batch`);
      const [batch] = batches;
      seen.add(batch);
      assert.deepEqual([...batch.labels], inOrder, "the set's order");
      for (let r = 0; r < count; r++) {
        assert.equal(batch.images.data[2 * r], Math.fround(r * 10 * 0.1));
        assert.equal(
          batch.images.data[2 * r + 1],
          Math.fround((255 - r) * 0.1),
        );
      }
    }
    assert.equal(seen.size, 1, "one buffer, every epoch");
    assert.equal(rng.uniform(), new Rng(1).uniform(), "no shuffle drawn");
    if (k) {
      // Frozen once, as [count, pixels], so the kernels may index it once.
      assert.deepEqual(frozen, [[[...seen][0].images.data, count, 2]]);
    }
  }
  assert.equal(gathers, 1, "gathered once in three epochs");
  // A batch one image short of the set is shuffled and gathered each time.
  const batcher = new Batcher(set, count - 1, normalizer, "f32", counted);
  const orders = [0, 1].map(() =>
    [...batcher.epoch(new Rng(2))].flatMap((b) => [...b.labels]).join()
  );
  assert.notEqual(orders[0], inOrder.join());
  assert.equal(gathers, 1 + 4, "two batches an epoch, two epochs");
  assert.equal(frozen.length, 1, "batches that change are never frozen");
});

/** An epoch's batches as plain arrays, calling `prefetch` after each when asked. */
function readEpoch(batcher: Batcher, seed: number, prefetch: boolean) {
  const batches: { images: number[]; labels: number[] }[] = [];
  let previous: { batch: Batch; images: number[] } | null = null;
  for (const batch of batcher.epoch(new Rng(seed))) {
    // The batch before stays intact while this one arrives: a prefetch
    // fills the buffer of the batch before that.
    if (previous !== null) {
      assert.deepEqual([...previous.batch.images.data], previous.images);
    }
    const images = [...batch.images.data];
    batches.push({ images, labels: [...batch.labels] });
    previous = { batch, images };
    if (prefetch) batcher.prefetch();
  }
  return batches;
}

Deno.test("a Batcher that prefetches gives exactly the batches it gives without, f32 and f64, on one thread or two", () => {
  const rng = new Rng(5);
  const set = tinySet(
    Array.from(
      { length: 500 },
      () => Array.from({ length: 37 }, () => Math.floor(rng.uniform() * 256)),
    ),
    Array.from({ length: 500 }, (_, i) => i % 10),
  );
  const normalizer = { scale: 1 / 77.3 };
  const one = createWasmKernels({ arenaBytes: 4 << 20 });
  const two = createWasmKernels({ arenaBytes: 4 << 20, worker: true });
  try {
    // 96 leaves a short last batch (20), which is never prefetched.
    for (const [batchSize, dtype] of [[4, "f32"], [96, "f64"]] as const) {
      // Two epochs around one left after its first batch and a prefetch
      // (shuffles carry over from epoch to epoch).
      const epochs = (batcher: Batcher, prefetch: boolean) => {
        const first = readEpoch(batcher, 6, prefetch);
        for (const _ of batcher.epoch(new Rng(7))) {
          if (prefetch) batcher.prefetch();
          break;
        }
        return [first, readEpoch(batcher, 8, prefetch)];
      };
      const plain = new Batcher(set, batchSize, normalizer, dtype);
      const expected = epochs(plain, false);
      let started = 0;
      const counted = {
        ...two,
        gatherScaledLater: (
          ...args: Parameters<typeof two.gatherScaledLater>
        ) => {
          const wait = two.gatherScaledLater(...args);
          if (wait !== null) started++;
          return wait;
        },
      };
      for (const kernels of [undefined, one, counted]) {
        const batcher = new Batcher(set, batchSize, normalizer, dtype, kernels);
        assert.deepEqual(
          epochs(batcher, true),
          expected,
          `${kernels?.name ?? "no kernels"}, batch ${batchSize}`,
        );
      }
      // Every full-size batch but an epoch's first, and the one prefetch
      // of the epoch left early.
      const full = Math.floor(set.count / batchSize);
      assert.equal(started, 2 * (full - 1) + 1, `batch ${batchSize}`);
    }
  } finally {
    two.dispose();
  }
});

Deno.test("a Batcher on the wasm kernels gives exactly the batches of a plain one, on one thread or two", () => {
  const rng = new Rng(3);
  // 37 pixels an image: the SIMD loop's 16-byte steps leave a tail. A batch
  // of 900 is over 2^15 bytes, so two threads share its gather.
  const set = tinySet(
    Array.from(
      { length: 1000 },
      () => Array.from({ length: 37 }, () => Math.floor(rng.uniform() * 256)),
    ),
    Array.from({ length: 1000 }, (_, i) => i % 10),
  );
  const normalizer = { scale: 1 / 77.3 };
  const epoch = (batcher: Batcher) =>
    [...batcher.epoch(new Rng(4))].map((batch) => ({
      images: [...batch.images.data],
      labels: [...batch.labels],
    }));
  const one = createWasmKernels({ arenaBytes: 4 << 20 });
  const two = createWasmKernels({ arenaBytes: 4 << 20, worker: true });
  try {
    for (const batchSize of [4, 900]) {
      const plain = epoch(new Batcher(set, batchSize, normalizer, "f32"));
      for (const kernels of [one, two]) {
        const batcher = new Batcher(set, batchSize, normalizer, "f32", kernels);
        assert.deepEqual(
          epoch(batcher),
          plain,
          `${kernels.name}, batch ${batchSize}`,
        );
        const [first] = batcher.epoch(new Rng(4));
        assert.ok(
          first.images.data.buffer instanceof SharedArrayBuffer,
          "the batch lives in the WebAssembly memory",
        );
      }
    }
  } finally {
    two.dispose();
  }
  // The same floats as the TypeScript product, even where f32 rounding of
  // the scale alone would differ (27 of these 256 bytes).
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const placed = one.placeBytes!(bytes)!;
  assert.equal(placed.buffer instanceof SharedArrayBuffer, true);
  assert.equal(one.placeBytes!(bytes.subarray(0)), placed, "placed once");
  const out = one.allocate!("f32", 256);
  assert.equal(
    one.gatherScaled!(
      placed,
      256,
      Int32Array.of(0),
      0,
      1,
      normalizer.scale,
      out,
    ),
    true,
  );
  assert.deepEqual(
    [...out],
    [...Float32Array.from(bytes, (b) => b * normalizer.scale)],
  );
  assert.equal(
    one.gatherScaled!(bytes, 256, Int32Array.of(0), 0, 1, 1, out),
    false,
    "bytes not placed: the Batcher's own loop runs",
  );
});
