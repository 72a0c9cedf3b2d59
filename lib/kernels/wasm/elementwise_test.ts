import assert from "node:assert/strict";
import {
  Batcher,
  fastKernels,
  fillBatch,
  type Kernels,
  type LabeledImages,
  Linear,
  ReLU,
  Rng,
  Tensor,
} from "../../../mod.ts";
import { Arena, MiB } from "./arena.ts";
import { WasmElementwise } from "./elementwise.ts";
import { instantiate, RELAXED_SIMD_AVAILABLE } from "./module.ts";
import { Threads } from "./threads.ts";

/**
 * Values the f64 kernels must pass through as the TypeScript loops do:
 * NaN, both zeros, both infinities, the smallest subnormals, the largest
 * finite values.
 */
const SPECIAL = [
  NaN,
  -0,
  0,
  Infinity,
  -Infinity,
  5e-324,
  -5e-324,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

/**
 * The elementwise kernels on their own arena, one thread or two; the
 * thread split is tested through `threads.jobCounts`.
 */
function elementwiseOn(worker: boolean) {
  const arena = new Arena({
    arenaBytes: 32 * MiB,
    scratchBytes: 4 * MiB,
    worker,
  });
  const wasm = instantiate(arena.memory, RELAXED_SIMD_AVAILABLE);
  const threads = new Threads(arena, wasm, RELAXED_SIMD_AVAILABLE, worker);
  const kernels = new WasmElementwise(arena, threads, wasm);
  const inArena = (values: Float64Array) => {
    const copy = arena.allocate("f64", values.length) as Float64Array;
    copy.set(values);
    return copy;
  };
  return { arena, threads, kernels, inArena };
}

/**
 * `length` doubles: a quarter special values, a quarter zeros, the rest
 * normals of magnitudes from 1e-3 to 1e3; with `zeroRows`, every
 * `zeroRows`-th row of `cols` values is all zeros (-0 in odd ones).
 */
function values(
  length: number,
  rng: Rng,
  cols = length,
  zeroRows = 0,
): Float64Array {
  const x = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const u = rng.uniform();
    const row = Math.floor(i / cols);
    if (zeroRows > 0 && row % zeroRows === 0) x[i] = row % 2 ? -0 : 0;
    else if (u < 0.25) x[i] = SPECIAL[Math.floor(rng.uniform() * 9)];
    else if (u < 0.5) x[i] = 0;
    else x[i] = rng.normal() * 10 ** Math.floor(rng.uniform() * 7 - 3);
  }
  return x;
}

/**
 * Asserts `actual` holds exactly `expected`'s values: the same bits, -0
 * told from +0 (Object.is), except that any NaN matches any NaN (a NaN
 * stored into a Float64Array may take any NaN encoding, by the language's
 * own rules).
 */
function assertSameDoubles(
  actual: Float64Array,
  expected: Float64Array,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(
        `${what}: [${i}] = ${actual[i]}, the TypeScript loop gives ${
          expected[i]
        }`,
      );
    }
  }
}

/** The bias loop of `Linear.forward` (lib/nn/layers.ts), as it is there. */
function addRowVectorLoop(
  out: Float64Array,
  bias: Float64Array,
  batch: number,
  n: number,
) {
  for (let r = 0; r < batch; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) out[row + j] += bias[j];
  }
}

/** The bias-gradient loop of `Linear.backward`, as it is there. */
function sumRowsLoop(
  dY: Float32Array | Float64Array,
  dBias: Float32Array | Float64Array,
  batch: number,
  n: number,
) {
  dBias.fill(0);
  for (let r = 0; r < batch; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) dBias[j] += dY[row + j];
  }
}

/**
 * Shapes `[rows, cols]`: one row; columns of every remainder of the 8-wide
 * and 2-wide loops; row counts around sum_rows' 64-row chunks; and one over
 * 2^18 values, which two threads split.
 */
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [3, 9],
  [5, 10],
  [64, 17],
  [65, 128],
  [150, 3],
  [129, 64],
  [42_858, 7],
];

for (const worker of [false, true]) {
  const threads = worker ? "two threads" : "one thread";
  Deno.test(`f64 bias add and bias gradient in WebAssembly (${threads}) give exactly the TypeScript loops' numbers`, () => {
    const on = elementwiseOn(worker);
    try {
      const rng = new Rng(64);
      for (const [rows, cols] of SHAPES) {
        const where = `[${rows},${cols}]`;
        const matrix = values(rows * cols, rng, cols, 4);
        const bias = values(cols, rng);
        const expected = matrix.slice();
        addRowVectorLoop(expected, bias, rows, cols);
        const actual = on.inArena(matrix);
        assert.ok(
          on.kernels.addRowVector(actual, on.inArena(bias), rows, cols),
        );
        assertSameDoubles(actual, expected, `addRowVector ${where}`);

        const sums = new Float64Array(cols);
        sumRowsLoop(matrix, sums, rows, cols);
        // Stale values in the output: the kernel must start from +0.
        const out = on.inArena(new Float64Array(cols).fill(NaN));
        assert.ok(on.kernels.sumRows(on.inArena(matrix), out, rows, cols));
        assertSameDoubles(out, sums, `sumRows ${where}`);
      }
      const { posted } = on.threads.jobCounts;
      assert.equal(posted > 0, worker, "only the largest shape is split");
    } finally {
      on.threads.dispose();
    }
  });
}

Deno.test("the f32 bias gradient in WebAssembly gives exactly the TypeScript loop's sums, for every column block of sum_rows", () => {
  const on = elementwiseOn(false);
  try {
    const rng = new Rng(66);
    // Columns through the 16-, 4- and 1-wide blocks and their remainders;
    // rows across the 64-row chunks. Finite values of magnitudes 1e-3 to
    // 1e3 with zeros: every column's sum depends on the order of its adds.
    const shapes = [[1, 16], [70, 17], [129, 37], [200, 128], [65, 10]];
    for (const [rows, cols] of shapes) {
      const dY = new Float32Array(rows * cols);
      for (let i = 0; i < dY.length; i++) {
        dY[i] = rng.uniform() < 0.3
          ? 0
          : rng.normal() * 10 ** Math.floor(rng.uniform() * 7 - 3);
      }
      const expected = new Float32Array(cols);
      sumRowsLoop(dY, expected, rows, cols);
      const inside = on.arena.allocate("f32", dY.length);
      inside.set(dY);
      const out = on.arena.allocate("f32", cols).fill(NaN);
      assert.ok(on.kernels.sumRows(inside, out, rows, cols));
      for (let j = 0; j < cols; j++) {
        assert.ok(
          Object.is(out[j], expected[j]),
          `[${rows},${cols}] column ${j}: ${out[j]}, the loop gives ${
            expected[j]
          }`,
        );
      }
    }
  } finally {
    on.threads.dispose();
  }
});

/** Checks `kernels` ran `name` in WebAssembly every time it was asked. */
function insistOn<K extends keyof WasmElementwise>(
  kernels: WasmElementwise,
  name: K,
): WasmElementwise[K] {
  const kernel = kernels[name] as (...args: unknown[]) => boolean;
  return ((...args: unknown[]) => {
    assert.equal(kernel(...args), true, `${name} ran in WebAssembly`);
    return true;
  }) as WasmElementwise[K];
}

for (const worker of [false, true]) {
  const threads = worker ? "two threads" : "one thread";
  Deno.test(`f64 ReLU and its gradient in WebAssembly (${threads}) give a ReLU layer exactly its own loops' numbers`, () => {
    const on = elementwiseOn(worker);
    const kernels: Kernels = {
      ...fastKernels,
      allocate: (dtype, length) => on.arena.allocate(dtype, length),
      relu: insistOn(on.kernels, "relu"),
      reluBackward: insistOn(on.kernels, "reluBackward"),
    };
    try {
      const rng = new Rng(65);
      // Every pair of special values as (input, gradient): 81 entries.
      const pairs = SPECIAL.flatMap((y) => SPECIAL.map((dy) => [y, dy]));
      const pairRows: [number, number[], number[]] = [
        1,
        pairs.map(([y]) => y),
        pairs.map(([, dy]) => dy),
      ];
      const cases = [
        pairRows,
        ...SHAPES.map(([rows, cols]) => {
          const x = values(rows * cols, rng, cols, 3);
          return [rows, [...x], [...values(x.length, rng)]] as typeof pairRows;
        }),
      ];
      for (const [rows, x, dy] of cases) {
        const cols = x.length / rows;
        const run = (relu: ReLU, place: (v: Float64Array) => Float64Array) => {
          const tensor = (v: number[]) =>
            new Tensor(place(Float64Array.from(v)), [rows, cols]);
          const y = relu.forward(tensor(x)).data.slice() as Float64Array;
          const dx = relu.backward(tensor(dy)).data as Float64Array;
          return { y, dx };
        };
        const plain = run(new ReLU(cols, "f64"), (v) => v);
        const viaWasm = run(new ReLU(cols, "f64", kernels), on.inArena);
        const where = `[${rows},${cols}]`;
        assertSameDoubles(viaWasm.y, plain.y, `relu ${where}`);
        assertSameDoubles(viaWasm.dx, plain.dx, `reluBackward ${where}`);
      }
      assert.equal(on.threads.jobCounts.posted > 0, worker);
    } finally {
      on.threads.dispose();
    }
  });
}

Deno.test("a Linear layer in f64 on the WebAssembly bias kernels gives exactly its own loops' output and bias gradient", () => {
  const on = elementwiseOn(false);
  const kernels: Kernels = {
    ...fastKernels,
    allocate: (dtype, length) => on.arena.allocate(dtype, length),
    addRowVector: insistOn(on.kernels, "addRowVector"),
    sumRows: insistOn(on.kernels, "sumRows"),
  };
  const [rows, inputs, outputs] = [70, 5, 11];
  const rng = new Rng(66);
  const input = values(rows * inputs, rng).map((v) => isFinite(v) ? v : 1);
  const dOutput = values(rows * outputs, rng, outputs, 5);
  const bias = values(outputs, rng);
  const run = (linear: Linear, place: (v: Float64Array) => Float64Array) => {
    linear.weights.data.set(
      values(inputs * outputs, new Rng(67)).map((v) => isFinite(v) ? v : -2),
    );
    linear.bias.data.set(bias);
    const out = linear.forward(new Tensor(place(input), [rows, inputs]));
    linear.backward(new Tensor(place(dOutput), [rows, outputs]));
    return { out: out.data.slice(), dBias: linear.dBias.data.slice() };
  };
  const plain = run(new Linear(inputs, outputs, { dtype: "f64" }), (v) => v);
  const viaWasm = run(
    new Linear(inputs, outputs, { dtype: "f64", kernels }),
    on.inArena,
  );
  assertSameDoubles(
    viaWasm.out as Float64Array,
    plain.out as Float64Array,
    "forward",
  );
  assertSameDoubles(
    viaWasm.dBias as Float64Array,
    plain.dBias as Float64Array,
    "dBias",
  );
});

Deno.test("the f64 elementwise kernels decline arrays outside their memory or of mixed types", () => {
  const { kernels, arena } = elementwiseOn(false);
  const [x64, y64] = [arena.allocate("f64", 9), arena.allocate("f64", 9)];
  const x32 = arena.allocate("f32", 9);
  const plain = new Float64Array(9);
  assert.equal(kernels.relu(x64, y64), true, "both in the memory: runs");
  assert.equal(kernels.relu(x32, y64), false, "f32 into f64");
  assert.equal(kernels.relu(plain, y64), false, "input outside");
  assert.equal(kernels.reluBackward(x64, y64, plain), false, "output outside");
  assert.equal(kernels.addRowVector(x64, x32, 3, 3), false, "f32 bias");
  assert.equal(kernels.sumRows(x64, plain, 3, 3), false, "out outside");
});

/**
 * `count` images of `pixels` bytes: every byte value in the first 256,
 * then, 16-byte runs at a time, blank runs (as MNIST's borders), runs with
 * one lit byte, and random bytes.
 */
function byteImages(count: number, pixels: number, rng: Rng): LabeledImages {
  const images = Uint8Array.from({ length: count * pixels }, (_, i) => {
    const run = Math.floor((i % pixels) / 16) % 3;
    if (i < 256) return i;
    if (run === 0) return 0;
    if (run === 1) return i % 16 === 7 ? 255 : 0;
    return Math.floor(rng.uniform() * 256);
  });
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, rows: 1, cols: pixels };
}

for (const worker of [false, true]) {
  const threads = worker ? "two threads" : "one thread";
  Deno.test(`f64 batches gathered in WebAssembly (${threads}) are exactly bytes[i] * scale in doubles, as fillBatch gives`, () => {
    const on = elementwiseOn(worker);
    try {
      const rng = new Rng(68);
      // 15 pixels: no 16-byte trip; 37: trips and a tail; 784: MNIST.
      for (const pixels of [15, 16, 37, 784]) {
        const set = byteImages(1000, pixels, rng);
        const placed = on.kernels.placeBytes(set.images)!;
        const order = Int32Array.from({ length: set.count }, (_, i) => i);
        rng.shuffle(order);
        // 1/77.3: its f32 rounding would change some products; a negative
        // scale makes the blank runs -0.
        for (const scale of [1 / 255, 1 / 77.3, 0.012728233358187738, -3]) {
          // 900 rows of 37 or more bytes: over 2^15, split between threads.
          for (const [from, count] of [[0, 1], [3, 64], [100, 900]]) {
            const expected = new Tensor(new Float64Array(count * pixels), [
              count,
              pixels,
            ]);
            fillBatch(
              set,
              order,
              from,
              { scale },
              expected,
              new Uint8Array(count),
            );
            const out = on.inArena(new Float64Array(count * pixels).fill(NaN));
            assert.ok(
              on.kernels.gatherScaled(
                placed,
                pixels,
                order,
                from,
                count,
                scale,
                out,
              ),
            );
            const where =
              `${pixels} pixels, rows ${from}+${count}, scale ${scale}`;
            assertSameDoubles(out, expected.data as Float64Array, where);
          }
        }
      }
      assert.equal(on.threads.jobCounts.posted > 0, worker);
      assert.equal(
        on.kernels.gatherScaled(
          on.kernels.placeBytes(new Uint8Array(4))!,
          4,
          Int32Array.of(0),
          0,
          1,
          1,
          new Float64Array(4),
        ),
        false,
        "out outside the memory: the Batcher's own loop runs",
      );
    } finally {
      on.threads.dispose();
    }
  });
}

Deno.test("an f64 Batcher on the WebAssembly kernels gives exactly the batches of a plain one", () => {
  const on = elementwiseOn(true);
  const kernels: Kernels = {
    ...fastKernels,
    allocate: (dtype, length) => on.arena.allocate(dtype, length),
    placeBytes: on.kernels.placeBytes,
    gatherScaled: insistOn(on.kernels, "gatherScaled"),
  };
  try {
    const set = byteImages(1000, 37, new Rng(69));
    const normalizer = { scale: 1 / 77.3 };
    const epoch = (batcher: Batcher) =>
      [...batcher.epoch(new Rng(4))].map((batch) => ({
        images: batch.images.data.slice(),
        labels: [...batch.labels],
      }));
    // 900: the last batch of 100 is smaller; 900 rows are split.
    for (const batchSize of [64, 900]) {
      const plain = epoch(new Batcher(set, batchSize, normalizer, "f64"));
      const viaWasm = epoch(
        new Batcher(set, batchSize, normalizer, "f64", kernels),
      );
      assert.equal(viaWasm.length, plain.length);
      viaWasm.forEach((batch, i) => {
        assert.deepEqual(batch.labels, plain[i].labels);
        assertSameDoubles(
          batch.images as Float64Array,
          plain[i].images as Float64Array,
          `batch ${i} of ${batchSize}`,
        );
      });
    }
  } finally {
    on.threads.dispose();
  }
});
