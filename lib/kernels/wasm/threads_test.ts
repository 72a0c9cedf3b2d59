import assert from "node:assert/strict";
import { Rng } from "../../base/rng.ts";
import { Arena, MiB } from "./arena.ts";
import { instantiate, RELAXED_SIMD_AVAILABLE } from "./module.ts";
import { WasmProducts } from "./products.ts";
import { WasmOptimizer } from "./sgd.ts";
import { Threads } from "./threads.ts";
import { JOB } from "./protocol.ts";

/**
 * Products and SGD over one arena, on two threads: a real worker, or one
 * that never takes a job, as when other processes hold the cores.
 */
function kernelsOn(worker: "running" | "absent") {
  const arena = new Arena({
    arenaBytes: 8 * MiB,
    scratchBytes: 4 * MiB,
    worker: true,
  });
  const wasm = instantiate(arena.memory, RELAXED_SIMD_AVAILABLE);
  const threads = worker === "running"
    ? new Threads(arena, wasm, RELAXED_SIMD_AVAILABLE, true)
    : new Threads(
      arena,
      wasm,
      RELAXED_SIMD_AVAILABLE,
      true,
      () => ({ terminate() {} }) as unknown as Worker,
    );
  return {
    arena,
    threads,
    products: new WasmProducts(arena, threads, wasm, 1),
    optimizer: new WasmOptimizer(arena, threads),
  };
}

/** @returns `length` normals, or zeros with probability `zeros`. */
function random(length: number, rng: Rng, zeros: number): Float32Array {
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    x[i] = rng.uniform() < zeros ? 0 : rng.normal();
  }
  return x;
}

Deno.test("a share the worker has not taken is run by this thread, with the numbers the worker gives", () => {
  const [one, stalled] = [kernelsOn("running"), kernelsOn("absent")];
  try {
    const rng = new Rng(5);
    // Row splits of ab (m ≥ k), a k split (k > m), a full-batch atb_slices.
    for (const [m, k, n] of [[300, 64, 10], [64, 784, 128], [4200, 20, 12]]) {
      const a = random(m * k, rng, 0.5);
      const b = random(k * n, rng, 0);
      const results = [one, stalled].map(({ products }) => {
        const ab = new Float32Array(m * n);
        const atb = new Float32Array(k * n);
        products.ab(a, b.subarray(0, k * n), ab, m, k, n);
        products.atb(a, random(m * n, new Rng(m), 0), atb, k, m, n);
        return { ab, atb };
      });
      assert.deepEqual(results[1], results[0], `[${m},${k},${n}]`);
    }
    const length = 784 * 128;
    const step = { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true };
    const init = random(length, rng, 0);
    const grad = random(length, rng, 0);
    const weights = [one, stalled].map(({ arena, optimizer }) => {
      const [w, g, v] = [0, 1, 2].map(() =>
        arena.allocate("f32", length) as Float32Array
      );
      w.set(init);
      g.set(grad);
      optimizer.sgdStep(w, g, v, step, 128);
      optimizer.sgdStep(w, g, v, step, 128);
      return w;
    });
    assert.deepEqual(weights[1], weights[0], "sgd");
    const { posted, ranHere } = stalled.threads.jobCounts;
    assert.ok(posted > 0, "jobs were posted for the worker");
    assert.equal(ranHere, posted, "and all were run here");
  } finally {
    one.threads.dispose();
  }
});

Deno.test("a job started later is complete after settle, or once the next job is handed over, worker running or not", () => {
  const [one, stalled] = [kernelsOn("running"), kernelsOn("absent")];
  try {
    const rng = new Rng(6);
    const n = 1 << 16;
    const input = random(n, rng, 0);
    const expected = input.map((x) => Math.max(x, 0));
    for (const { arena, threads, products } of [one, stalled]) {
      const inside = arena.allocate("f32", n) as Float32Array;
      inside.set(input);
      for (const next of ["settle", "a split product"]) {
        const out = arena.allocate("f32", n) as Float32Array;
        threads.later(JOB.relu, [inside.byteOffset, out.byteOffset, n]);
        if (next === "settle") threads.settle();
        else {
          const a = random(64 * 100, rng, 0);
          products.ab(
            a,
            random(100 * 8, rng, 0),
            new Float32Array(64 * 8),
            64,
            100,
            8,
          );
        }
        assert.deepEqual(out, expected, next);
      }
    }
    const { posted, ranHere } = stalled.threads.jobCounts;
    assert.equal(ranHere, posted, "the stalled worker's jobs all ran here");
  } finally {
    one.threads.dispose();
  }
});
