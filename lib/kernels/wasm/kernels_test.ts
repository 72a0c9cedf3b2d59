import assert from "node:assert/strict";
import {
  allocate,
  createWasmKernels,
  fastKernels,
  type FloatArray,
  fromValues,
  type Kernels,
  Linear,
  Mlp,
  referenceKernels,
  RELAXED_SIMD_AVAILABLE,
  ReLU,
  Rng,
  Sgd,
  Tensor,
} from "../../../mod.ts";
import { buildEmbed, EMBED_URL } from "./build.ts";
import { instantiate } from "./module.ts";
import {
  CONTROL,
  controlViews,
  JOB,
  type WorkerStart,
  writeArgs,
} from "./protocol.ts";

Deno.test("lib/kernels/wasm/gemm_wasm.ts is exactly what deno task build:wasm makes from gemm.wat", async () => {
  assert.equal(await Deno.readTextFile(EMBED_URL), await buildEmbed());
});

Deno.test("this runtime has relaxed SIMD (else the plain build is used)", () => {
  assert.equal(RELAXED_SIMD_AVAILABLE, true);
});

function random<T extends FloatArray = Float32Array>(
  length: number,
  rng: Rng,
  zeroFraction: number,
  into?: T,
): T {
  const data = into ?? new Float32Array(length) as FloatArray as T;
  for (let i = 0; i < length; i++) {
    data[i] = rng.uniform() < zeroFraction ? 0 : rng.normal();
  }
  return data;
}

/**
 * Where two arrays first differ (Object.is), or -1: for large arrays, whose
 * deepEqual failure message would take minutes to build.
 */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [64, 784, 128],
  [31, 13, 65],
  [5, 130, 10],
  [64, 64, 32],
  // atb adds its second slice of k into out: accumulating, with a 2-column tail
  [40, 2000, 10],
  // k ≥ 4096: atb transposes slices of a (atb_slices), with 8-, 4- and
  // 1-column tails
  [10, 5000, 7],
  [33, 4100, 45],
];

/**
 * How far a product may stray from the f64 reference: rounding in the
 * dtype's precision, growing with the length of the sums. An f64 kernel
 * that rounded through f32 anywhere would miss its bound by far.
 */
const TOLERANCE = { f32: 1e-5, f64: 1e-13 } as const;

for (const dtype of ["f32", "f64"] as const) {
  for (const relaxed of [true, false]) {
    for (const inArena of [false, true]) {
      Deno.test(`wasm kernels in ${dtype} (${relaxed ? "relaxed" : "plain"} SIMD, operands ${inArena ? "in the arena" : "copied"}) match the reference`, () => {
        // Small scratch regions force the row-chunked path on the larger shapes.
        const kernels = createWasmKernels({
          relaxed,
          scratchBytes: 256 * 1024,
          arenaBytes: 8 << 20,
        });
        const rng = new Rng(12);
        const make = (length: number, zeros = 0) =>
          random(
            length,
            rng,
            zeros,
            inArena
              ? kernels.allocate!(dtype, length)
              : allocate(dtype, length),
          );
        for (const product of ["ab", "atb", "abt"] as const) {
          for (const [m, k, n] of shapes) {
            const a = make(m * k, 0.7);
            const b = make(k * n);
            const expected = new Float64Array(m * n);
            (referenceKernels as Kernels)[product](
              Float64Array.from(a),
              Float64Array.from(b),
              expected,
              m,
              k,
              n,
            );
            const actual = make(m * n);
            kernels[product](a, b, actual, m, k, n);
            for (let i = 0; i < m * n; i++) {
              assert.ok(
                Math.abs(actual[i] - expected[i]) <=
                  TOLERANCE[dtype] * Math.sqrt(k) *
                    Math.max(1, Math.abs(expected[i])),
                `${product} [${m},${k},${n}]: out[${i}] = ${
                  actual[i]
                }, reference ${expected[i]}`,
              );
            }
          }
        }
      });
    }
  }
}

/**
 * Runs `body` with the TypeScript products replaced by ones that throw, so
 * that a kernel set which quietly falls back to them fails.
 */
function withoutTypeScriptProducts(body: () => void) {
  const saved = { ...fastKernels };
  const kernels = fastKernels as { -readonly [K in keyof Kernels]: Kernels[K] };
  for (const product of ["ab", "atb", "abt"] as const) {
    kernels[product] = () => {
      throw new Error(`${product} fell back to the TypeScript kernels`);
    };
  }
  try {
    body();
  } finally {
    Object.assign(kernels, saved);
  }
}

Deno.test("wasm kernels run f64 products in WebAssembly, in the arena or copied, not on the TypeScript kernels", () => {
  const kernels = createWasmKernels({ arenaBytes: 1 << 20 });
  const placed = kernels.allocate!("f64", 4);
  placed.set([1, 2, 3, 4]);
  const copied = Float64Array.of(1, 2, 3, 4);
  withoutTypeScriptProducts(() => {
    for (const a of [placed, copied]) {
      const out = new Float64Array(4);
      kernels.ab(a, a, out, 2, 2, 2);
      assert.deepEqual([...out], [7, 10, 15, 22]);
      kernels.atb(a, a, out, 2, 2, 2);
      assert.deepEqual([...out], [10, 14, 14, 20]);
      kernels.abt(a, a, out, 2, 2, 2);
      assert.deepEqual([...out], [5, 11, 11, 25]);
    }
  });
});

Deno.test("wasm kernels put f64 tensors in their memory, each on a 64-byte line", () => {
  const kernels = createWasmKernels({ arenaBytes: 1 << 20 });
  const first = kernels.allocate!("f32", 3);
  const second = kernels.allocate!("f64", 3);
  const third = kernels.allocate!("f64", 5);
  assert.ok(second instanceof Float64Array && third instanceof Float64Array);
  assert.equal(second.buffer, first.buffer);
  assert.equal(second.byteOffset - first.byteOffset, 64);
  assert.equal(third.byteOffset - second.byteOffset, 64);
});

Deno.test("wasm kernels multiply mixed f32 and f64 operands on the TypeScript kernels", () => {
  const kernels = createWasmKernels({ arenaBytes: 1 << 20 });
  const out = new Float64Array(4);
  kernels.ab(
    Float32Array.of(1, 2, 3, 4),
    Float64Array.of(1, 2, 3, 4),
    out,
    2,
    2,
    2,
  );
  assert.deepEqual([...out], [7, 10, 15, 22]);
});

Deno.test("an MLP on wasm kernels computes what it computes on the TypeScript kernels", () => {
  const wasm = createWasmKernels({ arenaBytes: 8 << 20 });
  const rng = new Rng(4);
  const input = fromValues(random(32 * 784, rng, 0.8), [32, 784]);
  const logits = (
    kernels: Kernels,
  ) => [
    ...new Mlp({ sizes: [784, 128, 64, 10], seed: 3, kernels }).forward(input)
      .data,
  ];
  const fast = logits(fastKernels);
  const viaWasm = logits(wasm);
  for (let i = 0; i < fast.length; i++) {
    assert.ok(
      Math.abs(fast[i] - viaWasm[i]) < 1e-4,
      `logit ${i}: ${viaWasm[i]} vs ${fast[i]}`,
    );
  }
});

Deno.test("the WebAssembly bias and ReLU loops give the layers exactly the numbers of their own loops", () => {
  const wasm = createWasmKernels({ arenaBytes: 1 << 20 });
  const rng = new Rng(5);
  // 7 columns: the 4-wide loops and their scalar tails both run.
  const [rows, cols] = [3, 7];
  const values = [NaN, -0, 0, -1.5, 2.25, ...random(rows * cols - 5, rng, 0.3)];
  const pair = () => ({
    plain: { relu: new ReLU(cols), linear: new Linear(2, cols) },
    wasm: {
      relu: new ReLU(cols, "f32", wasm),
      linear: new Linear(2, cols, { kernels: wasm }),
    },
  });
  const layers = pair();
  const gradient = random(rows * cols, rng, 0);
  const bias = random(cols, rng, 0);
  layers.plain.linear.bias.data.set(bias);
  layers.wasm.linear.bias.data.set(bias);
  const results = Object.entries(layers).map(([where, { relu, linear }]) => {
    const place = (data: Float32Array) => {
      const out = where === "wasm"
        ? wasm.allocate!("f32", data.length) as Float32Array
        : new Float32Array(data.length);
      out.set(data);
      return out;
    };
    const input = new Tensor(place(Float32Array.from(values)), [rows, cols]);
    const dOutput = new Tensor(place(gradient), [
      rows,
      cols,
    ]);
    const activated = [...relu.forward(input).data];
    const dInput = [...relu.backward(dOutput).data];
    // Zero weights make the product exactly 0, leaving the bias.
    const biased = [
      ...linear.forward(
        new Tensor(place(new Float32Array(rows * 2)), [rows, 2]),
      ).data,
    ];
    linear.backward(dOutput);
    return { activated, dInput, biased, dBias: [...linear.dBias.data] };
  });
  assert.deepEqual(results[1], results[0]);
  assert.ok(Number.isNaN(results[0].activated[0]), "NaN passes ReLU");
  // 150 rows: the bias gradient sums them in chunks of 64, in row order.
  const tall = wasm.allocate!("f32", 150 * cols) as Float32Array;
  random(tall.length, rng, 0.2, tall);
  const sums = wasm.allocate!("f32", cols);
  assert.equal(wasm.sumRows!(tall, sums, 150, cols), true);
  const expected = new Float32Array(cols);
  for (let r = 0; r < 150; r++) {
    for (let j = 0; j < cols; j++) expected[j] += tall[r * cols + j];
  }
  assert.deepEqual(sums, expected);
  const arena = wasm.allocate!("f32", 4);
  assert.equal(wasm.relu!(arena, arena), true, "arena arrays run in wasm");
  assert.equal(
    wasm.relu!(new Float32Array(4), arena),
    false,
    "others fall back",
  );
});

Deno.test("the WebAssembly SGD step matches the TypeScript one", () => {
  const wasm = createWasmKernels({ arenaBytes: 1 << 20 });
  for (const nesterov of [false, true]) {
    const rng = new Rng(9);
    const length = 37; // not a multiple of 4: exercises the scalar tail
    const make = (place: (n: number) => FloatArray) => {
      const values = place(length);
      const grad = place(length);
      for (let i = 0; i < length; i++) values[i] = rng.normal();
      return {
        name: "p",
        value: new Tensor(values, [length]),
        grad: new Tensor(grad, [length]),
      };
    };
    const plain = make((n) => new Float32Array(n));
    const inArena = make((n) => wasm.allocate!("f32", n));
    inArena.value.data.set(plain.value.data);
    const options = { momentum: 0.9, weightDecay: 0.01, nesterov };
    const sgdPlain = new Sgd([plain], options);
    const sgdWasm = new Sgd([inArena], { ...options, kernels: wasm });
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < length; i++) {
        plain.grad.data[i] = inArena.grad.data[i] = rng.normal();
      }
      sgdPlain.step(0.1);
      sgdWasm.step(0.1);
    }
    for (let i = 0; i < length; i++) {
      assert.ok(
        Math.abs(plain.value.data[i] - inArena.value.data[i]) < 1e-5,
        `nesterov ${nesterov}, w[${i}]: ${inArena.value.data[i]} vs ${
          plain.value.data[i]
        }`,
      );
    }
    const [w, g] = [inArena.value.data, inArena.grad.data];
    const step = { lr: 0, momentum: 0, weightDecay: 0, nesterov };
    assert.equal(
      wasm.sgdStep!(w, g, wasm.allocate!("f32", length), step),
      true,
      "arena arrays run in wasm",
    );
    assert.equal(
      wasm.sgdStep!(new Float32Array(length), g, g, step),
      false,
      "others fall back",
    );
  }
});

/**
 * Checks `ab` and `atb` on two threads against one: identical where the
 * output's rows are split, the same to rounding where k is, and the same
 * on every run.
 */
function productsOnTwoThreads(
  one: Kernels,
  two: Kernels,
  dtype: "f32" | "f64",
  rng: Rng,
) {
  for (
    const [m, k, n] of [[64, 784, 128], [7, 33, 10], [1000, 64, 10], [
      40,
      4100,
      40,
    ], [9, 301, 13]]
  ) {
    const a = random(m * k, rng, 0.6, allocate(dtype, m * k));
    const b = random(k * n, rng, 0, allocate(dtype, k * n));
    for (const product of ["ab", "atb"] as const) {
      const [expected, actual, again] = [0, 1, 2].map(() =>
        allocate(dtype, m * n)
      );
      // atb reads a as [k, m]: the same numbers, another shape.
      one[product](a, b, expected, m, k, n);
      two[product](a, b, actual, m, k, n);
      two[product](a, b, again, m, k, n);
      const where = `${dtype} ${product} [${m},${k},${n}]`;
      assert.equal(
        firstDifference(again, actual),
        -1,
        `${where} is deterministic`,
      );
      if (k <= m) {
        assert.equal(
          firstDifference(actual, expected),
          -1,
          `${where}: rows split`,
        );
        continue;
      }
      // Split along k: two partial sums added, so the last bits may move.
      assert.notDeepEqual(actual, allocate(dtype, m * n));
      for (let i = 0; i < m * n; i++) {
        assert.ok(
          Math.abs(actual[i] - expected[i]) <=
            TOLERANCE[dtype] * Math.sqrt(k) *
              Math.max(1, Math.abs(expected[i])),
          `${where}: out[${i}] = ${actual[i]}, one thread ${expected[i]}`,
        );
      }
    }
  }
}

for (const worker of [false, true]) {
  Deno.test(`the WebAssembly SGD step in f64 (${worker ? "two threads" : "one thread"}) gives exactly the TypeScript loop's numbers`, () => {
    const wasm = createWasmKernels({ arenaBytes: 4 << 20, worker });
    try {
      for (const nesterov of [false, true]) {
        // [301, 129]: over the split length, an odd row length and count.
        const shape = [301, 129];
        const length = shape[0] * shape[1];
        const rng = new Rng(nesterov ? 31 : 30);
        const make = (place: (n: number) => FloatArray) => ({
          name: "w",
          value: new Tensor(place(length), shape),
          grad: new Tensor(place(length), shape),
        });
        const plain = make((n) => new Float64Array(n));
        const inArena = make((n) => wasm.allocate!("f64", n));
        random(length, rng, 0, plain.value.data);
        inArena.value.data.set(plain.value.data);
        const options = { momentum: 0.9, weightDecay: 0.01, nesterov };
        const sgdPlain = new Sgd([plain], options);
        const sgdWasm = new Sgd([inArena], { ...options, kernels: wasm });
        for (let step = 0; step < 3; step++) {
          random(length, rng, 0.1, plain.grad.data);
          inArena.grad.data.set(plain.grad.data);
          sgdPlain.step(0.1);
          withoutTypeScriptSgd(wasm, () => sgdWasm.step(0.1));
        }
        assert.equal(
          firstDifference(inArena.value.data, plain.value.data),
          -1,
          `nesterov ${nesterov}`,
        );
      }
    } finally {
      wasm.dispose();
    }
  });
}

/**
 * Runs `body`, failing if `kernels.sgdStep` declines an update (the
 * optimizer would then run its own loop and the test compare it to itself).
 */
function withoutTypeScriptSgd(kernels: Kernels, body: () => void) {
  const sgdStep = kernels.sgdStep!;
  const mutable = kernels as { sgdStep: typeof sgdStep };
  mutable.sgdStep = (...args) => {
    assert.equal(sgdStep(...args), true, "sgdStep ran in WebAssembly");
    return true;
  };
  try {
    body();
  } finally {
    mutable.sgdStep = sgdStep;
  }
}

Deno.test("wasm kernels in f64 on two threads: a row split gives identical results, a k split the same to rounding, both deterministic", () => {
  const one = createWasmKernels({ arenaBytes: 16 << 20 });
  const two = createWasmKernels({
    arenaBytes: 16 << 20,
    worker: true,
    splitThreshold: 1,
  });
  try {
    withoutTypeScriptProducts(() =>
      productsOnTwoThreads(one, two, "f64", new Rng(22))
    );
  } finally {
    two.dispose();
  }
});

Deno.test("wasm kernels on two threads: a row split gives identical results, a k split the same to rounding, both deterministic", () => {
  const one = createWasmKernels({ arenaBytes: 16 << 20 });
  const two = createWasmKernels({
    arenaBytes: 16 << 20,
    worker: true,
    splitThreshold: 1,
  });
  try {
    assert.match(two.name, /-workers$/);
    const rng = new Rng(21);
    productsOnTwoThreads(one, two, "f32", rng);
    // An SGD step split between the threads updates every value as one
    // thread does.
    const length = 784 * 128;
    const step = { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true };
    const [w1, g1, v1, w2, g2, v2] = [one, one, one, two, two, two].map((
      kernels,
    ) => kernels.allocate!("f32", length));
    random(length, rng, 0, w1 as Float32Array);
    random(length, rng, 0, g1 as Float32Array);
    w2.set(w1);
    g2.set(g1);
    for (let i = 0; i < 3; i++) {
      assert.equal(one.sgdStep!(w1, g1, v1, step, 128), true);
      assert.equal(two.sgdStep!(w2, g2, v2, step, 128), true);
    }
    assert.equal(firstDifference(w2, w1), -1, "weights");
    assert.equal(firstDifference(v2, v1), -1, "velocities");
    // Elementwise loops over 2^18 values or more are split too.
    const [rows, cols] = [42_858, 7]; // 300,006 values
    const elementwise = (kernels: Kernels) => {
      const [x, y, dy, dx] = [0, 1, 2, 3].map(() =>
        kernels.allocate!("f32", rows * cols) as Float32Array
      );
      const bias = kernels.allocate!("f32", cols) as Float32Array;
      const data = new Rng(8);
      random(x.length, data, 0.1, x);
      random(dy.length, data, 0, dy);
      random(cols, data, 0, bias);
      assert.equal(kernels.addRowVector!(x, bias, rows, cols), true);
      assert.equal(kernels.relu!(x, y), true);
      assert.equal(kernels.reluBackward!(y, dy, dx), true);
      return { addRowVector: x, relu: y, reluBackward: dx };
    };
    const [split, single] = [elementwise(two), elementwise(one)];
    for (const [name, values] of Object.entries(split)) {
      const expected = single[name as keyof typeof single];
      assert.equal(firstDifference(values, expected), -1, name);
    }
  } finally {
    two.dispose();
  }
});

/**
 * A kernel worker on its own shared memory of `pages` 64 KiB pages, started
 * and ready, driven through the control block at byte 0 as the main thread
 * drives it.
 */
async function bareWorker(pages: number, spins?: number) {
  const memory = new WebAssembly.Memory({
    initial: pages,
    maximum: pages,
    shared: true,
  });
  const views = controlViews(memory.buffer, 0);
  const worker = new Worker(
    new URL("./worker.ts", import.meta.url),
    { type: "module" },
  );
  const start: WorkerStart = {
    memory,
    control: 0,
    relaxed: RELAXED_SIMD_AVAILABLE,
    ...(spins === undefined ? {} : { spins }),
  };
  worker.postMessage(start);
  await Atomics.waitAsync(views.ints, CONTROL.ready, 0, 30_000).value;
  return { memory, views, worker };
}

/** Posts job 1 of `kind` to a {@link bareWorker} and waits until it is done. */
async function runJob(
  views: ReturnType<typeof controlViews>,
  kind: number,
  args: number[],
): Promise<void> {
  writeArgs(views, kind, args);
  views.ints[CONTROL.kind] = kind;
  Atomics.store(views.ints, CONTROL.job, 1);
  Atomics.notify(views.ints, CONTROL.job);
  await Atomics.waitAsync(views.ints, CONTROL.done, 0, 10_000).value;
  assert.equal(Atomics.load(views.ints, CONTROL.done), 1, "job 1 done");
}

Deno.test("a kernel worker whose job traps says so instead of leaving the main thread spinning", async () => {
  const { views, worker } = await bareWorker(2);
  try {
    // An ab job whose first operand lies far past the 128 KiB memory.
    await runJob(views, JOB.ab, [1 << 30, 0, 0, 1, 16, 4, 16, 4, 1024, 0]);
    assert.equal(Atomics.load(views.ints, CONTROL.failed), 1, "and failed");
  } finally {
    worker.terminate();
  }
});

Deno.test("a kernel worker woken by a late notify of a job it has done does not run it again", async () => {
  const { memory, views, worker } = await bareWorker(1, 0);
  const heap = new Float32Array(memory.buffer);
  // An SGD job over 4 values (w at byte 256, grad at 512, velocity at 768)
  // with lr 1 and no momentum: w -= grad, which a second run applies twice.
  const [w, grad] = [64, 128];
  heap.set([1, 2, 3, 4], w);
  heap.set([0.5, 0.25, 0.125, 2], grad);
  try {
    await runJob(views, JOB.sgd, [4 * w, 4 * grad, 768, 4, 1, 0, 0, 0]);
    // Asleep again (spins: 0), it gets a second notify of job 1, as when the
    // main thread is preempted between storing the counter and notifying
    // while the worker, spinning, has seen the counter and run the job.
    await new Promise((resolve) => setTimeout(resolve, 50));
    Atomics.notify(views.ints, CONTROL.job);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      Array.from(heap.subarray(w, w + 4)),
      [0.5, 1.75, 2.875, 2],
      "w -= grad, once",
    );
  } finally {
    worker.terminate();
  }
});

Deno.test("the roofline's peak loop does every multiply-add it counts (8 vectors a trip)", () => {
  for (const relaxed of [false, RELAXED_SIMD_AVAILABLE]) {
    const memory = new WebAssembly.Memory({
      initial: 1,
      maximum: 1,
      shared: true,
    });
    const wasm = instantiate(memory, relaxed);
    // Each trip adds 0.5 · 0.25 to each of the 8 accumulators: exact in f32.
    wasm.peak(1000, 64);
    assert.deepEqual(
      Array.from(new Float32Array(memory.buffer, 64, 4)),
      [1000, 1000, 1000, 1000],
      relaxed ? "relaxed" : "plain",
    );
  }
});
