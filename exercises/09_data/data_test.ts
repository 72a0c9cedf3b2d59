import assert from "node:assert/strict";
import {
  assertShapeIs,
  assertTensorClose,
  assertThrows,
  idxBytes,
} from "../testing.ts";
import { makeRng } from "../01_tensors/tensors.ts";
import { batchIndices, fitScale, parseIdx, toInputs } from "./data.ts";

Deno.test("09.1 parseIdx() reads the dimensions and the bytes", () => {
  const images = parseIdx(
    idxBytes([2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]),
    "images",
  );
  assert.deepEqual(images.dims, [2, 2, 3]);
  assert.deepEqual([...images.data], [
    0,
    1,
    2,
    3,
    4,
    5,
    250,
    251,
    252,
    253,
    254,
    255,
  ]);
  const labels = parseIdx(idxBytes([3], [7, 0, 9]), "labels");
  assert.deepEqual(labels.dims, [3]);
  assert.deepEqual([...labels.data], [7, 0, 9]);
});

Deno.test("09.1 parseIdx() reads big dimensions big-endian", () => {
  const bytes = idxBytes([70000], new Uint8Array(70000));
  assert.deepEqual(
    parseIdx(bytes, "big").dims,
    [70000],
    "70000 = 0x00011170: read the 4 bytes most significant first",
  );
});

Deno.test("09.1 parseIdx() refuses bad files, naming the file", () => {
  const good = idxBytes([2, 2], [1, 2, 3, 4]);
  const badMagic = good.slice();
  badMagic[2] = 0x0d; // float type
  assertThrows(
    () => parseIdx(badMagic, "floats.idx"),
    /floats\.idx/,
    "a type byte other than 0x08 must throw naming the file",
  );
  assertThrows(
    () => parseIdx(good.subarray(0, good.length - 1), "short.idx"),
    /short\.idx/,
    "a truncated file must throw naming the file",
  );
  assertThrows(
    () => parseIdx(new Uint8Array([0, 0]), "tiny.idx"),
    /tiny\.idx/,
    "a 2-byte file must throw naming the file",
  );
  const long = new Uint8Array(good.length + 1);
  long.set(good);
  assertThrows(
    () => parseIdx(long, "long.idx"),
    /long\.idx/,
    "extra bytes after the data must throw naming the file",
  );
});

Deno.test("09.1 parseIdx() refuses a magic number whose first two bytes are not 0", () => {
  for (const at of [0, 1]) {
    const bytes = idxBytes([2], [1, 2]);
    bytes[at] = 1;
    assertThrows(
      () => parseIdx(bytes, "odd-magic.idx"),
      /odd-magic\.idx/,
      `magic byte ${at} set to 1 must throw naming the file: the magic is 00 00 08 dd`,
    );
  }
});

Deno.test("09.1 parseIdx() reads a Uint8Array that is a view into a larger buffer", () => {
  const file = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);
  const buffer = new Uint8Array(7 + file.length + 5).fill(9);
  buffer.set(file, 7);
  const parsed = parseIdx(buffer.subarray(7, 7 + file.length), "view.idx");
  assert.deepEqual(
    parsed.dims,
    [2, 3],
    "dims: read from the view's own start (byteOffset 7)",
  );
  assert.deepEqual([...parsed.data], [1, 2, 3, 4, 5, 6], "data");
});

Deno.test("09.2 fitScale() makes the mean square 1", () => {
  const scale = fitScale(new Uint8Array([0, 0, 3, 4]));
  // mean square = (9 + 16) / 4 = 6.25, so scale = 1 / 2.5
  assert.ok(
    Math.abs(scale - 0.4) < 1e-12,
    `fitScale([0, 0, 3, 4]) = ${scale}, expected 0.4`,
  );
  assert.equal(
    fitScale(new Uint8Array(5)),
    1,
    "all-zero images: scale 1, not Infinity",
  );
});

Deno.test("09.2 toInputs() gathers and scales the chosen images", () => {
  const set = {
    images: new Uint8Array([1, 2, 3, 4, 5, 6]),
    labels: new Uint8Array([7, 8, 9]),
    count: 3,
    pixels: 2,
  };
  const { x, labels } = toInputs(set, [2, 0], 0.5);
  assertTensorClose(
    x,
    { shape: [2, 2], values: [2.5, 3, 0.5, 1] },
    "toInputs(images 2 and 0, scale 0.5)",
  );
  assert.deepEqual([...labels], [9, 7]);
  assertShapeIs(toInputs(set, [], 1).x, [0, 2], "toInputs with no indices");
});

Deno.test("09.2 toInputs() refuses an index outside the set, naming it", () => {
  const set = {
    images: new Uint8Array([1, 2, 3, 4, 5, 6]),
    labels: new Uint8Array([7, 8, 9]),
    count: 3,
    pixels: 2,
  };
  for (const bad of [3, -1]) {
    assertThrows(
      () => toInputs(set, [0, bad], 1),
      new RegExp(`${bad}`),
      `index ${bad} of a 3-image set must throw naming the index`,
    );
  }
});

Deno.test("09.3 batchIndices() covers every index once, in batches of batchSize", () => {
  const batches = batchIndices(10, 4, makeRng(1));
  assert.deepEqual(
    batches.map((b) => b.length),
    [4, 4, 2],
    "10 items in batches of 4",
  );
  const seen = batches.flatMap((b) => [...b]).sort((a, b) => a - b);
  assert.deepEqual(
    seen,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    "every index exactly once",
  );
});

Deno.test("09.3 batchIndices() shuffles, and the seed decides the order", () => {
  const a = batchIndices(100, 100, makeRng(3))[0];
  const b = batchIndices(100, 100, makeRng(3))[0];
  assert.deepEqual([...a], [...b], "the same seed must give the same order");
  const inPlace = [...a].filter((v, i) => v === i).length;
  assert.ok(
    inPlace < 10,
    `${inPlace} of 100 indices stayed in place: is the order shuffled?`,
  );
  const firsts = new Set<number>();
  const rng = makeRng(4);
  for (let epoch = 0; epoch < 20; epoch++) {
    firsts.add(batchIndices(10, 10, rng)[0][0]);
  }
  assert.ok(
    firsts.size >= 5,
    `over 20 epochs only ${firsts.size} different first items: each call must reshuffle`,
  );
});

Deno.test("09.3 batchIndices() draws all 6 orders of 3 items equally often (30,000 shuffles, seed 5, each 1/6 ± 0.01)", () => {
  const counts = new Map<string, number>();
  const rng = makeRng(5);
  const draws = 30000;
  for (let n = 0; n < draws; n++) {
    const order = batchIndices(3, 3, rng)[0].join("");
    counts.set(order, (counts.get(order) ?? 0) + 1);
  }
  // A fair shuffle gives each order with probability 1/6: the standard
  // error of its frequency is 0.0022, so ± 0.01 is a 4.6-sigma band.
  for (const order of ["012", "021", "102", "120", "201", "210"]) {
    const frequency = (counts.get(order) ?? 0) / draws;
    assert.ok(
      Math.abs(frequency - 1 / 6) < 0.01,
      `order ${order} came ${
        (100 * frequency).toFixed(1)
      }% of the time, expected 16.7% ± 1%: swap entry i with floor(rng() · (i + 1)), not rng() · count or rng() · i`,
    );
  }
});
