/**
 * gemm.wat's `atb_part` and `atb_part64` (rows [from, from + rows) of a
 * batch's weight gradient aᵀ·b, each transposing its own block of a's
 * columns), and the kernel set's `atbAbt`, which runs a layer's two
 * backward products on two threads. Each must give bit for bit what the
 * kernels it stands for give: `ab` over the transposed a, and `atb` and
 * `abt` called one after the other.
 */
import assert from "node:assert/strict";
import {
  createWasmKernels,
  type FloatArray,
  RELAXED_SIMD_AVAILABLE,
  Rng,
} from "../../../mod.ts";
import {
  assertSameFloats,
  memoryFor,
  randomWithZeros as random,
} from "./operands_testing.ts";

/** One block of an `atb_part` call: out[m,n] = a[k,m]ᵀ · b[k,n], rows [from, from + rows). */
interface Block {
  name: string;
  m: number;
  k: number;
  n: number;
  from: number;
  rows: number;
}

const BLOCKS: Block[] = [
  {
    name: "all rows of a batch-64 gradient",
    m: 37,
    k: 64,
    n: 10,
    from: 0,
    rows: 37,
  },
  {
    name: "a second half at an odd column",
    m: 37,
    k: 64,
    n: 10,
    from: 18,
    rows: 19,
  },
  {
    name: "a first half, 128 columns",
    m: 30,
    k: 13,
    n: 128,
    from: 0,
    rows: 15,
  },
  { name: "one row in the middle, k < 4", m: 9, k: 3, n: 7, from: 4, rows: 1 },
  { name: "the last row", m: 6, k: 16, n: 5, from: 5, rows: 1 },
];

/**
 * Runs one block through `atb_part` (`f64`: `atb_part64`) in a fresh memory
 * and, in another, `ab` (`ab64`) over the block of a transposed in
 * TypeScript. Out starts as NaN everywhere, so a row outside the block
 * must stay NaN and a row inside must be overwritten.
 *
 * @returns [atb_part's out, ab's out].
 */
function runBoth(relaxed: boolean, f64: boolean, c: Block, rng: Rng) {
  const Type = f64 ? Float64Array : Float32Array;
  const size = Type.BYTES_PER_ELEMENT;
  const { m, k, n, from, rows } = c;
  const a = Type.from(random(rng, k * m, 0.5));
  a.fill(0, 0, m); // a blank row of a: rows of aᵀ with one zero fewer
  const b = Type.from(random(rng, k * n, 0.1));
  const outs: FloatArray[] = [];
  for (const part of [true, false]) {
    const { memory, wasm } = memoryFor(relaxed);
    const heap = f64
      ? new Float64Array(memory.buffer as ArrayBuffer)
      : new Float32Array(memory.buffer as ArrayBuffer);
    const [aAt, bAt, outAt] = [0, a.length, a.length + b.length];
    const scratch = size * (outAt + m * n);
    heap.set(a, aAt);
    heap.set(b, bAt);
    heap.fill(NaN, outAt, outAt + m * n);
    if (part) {
      const kernel = f64 ? wasm.atb_part64 : wasm.atb_part;
      kernel(
        size * aAt,
        size * bAt,
        size * outAt,
        m,
        k,
        n,
        from,
        rows,
        scratch,
      );
    } else {
      const aT = new Type(rows * k);
      for (let r = 0; r < k; r++) {
        for (let p = 0; p < rows; p++) aT[p * k + r] = a[r * m + from + p];
      }
      heap.set(aT, aAt); // a is not needed any more
      const ab = f64 ? wasm.ab64 : wasm.ab;
      const into = size * (outAt + from * n);
      ab(size * aAt, size * bAt, into, rows, k, n, k, n, scratch, 0);
    }
    outs.push(heap.slice(outAt, outAt + m * n));
  }
  return outs;
}

for (const f64 of [false, true]) {
  for (const relaxed of [false, RELAXED_SIMD_AVAILABLE]) {
    const name = `${f64 ? "atb_part64" : "atb_part"} (${
      relaxed ? "relaxed" : "plain"
    } SIMD)`;
    Deno.test(`${name} gives bit for bit ab over its block of a transposed, and leaves other rows alone`, () => {
      const rng = new Rng(41);
      for (const c of BLOCKS) {
        const [part, whole] = runBoth(relaxed, f64, c, rng);
        const inside = part.subarray(c.from * c.n, (c.from + c.rows) * c.n);
        assert.ok(inside.every((x) => !Number.isNaN(x)), `${c.name}: written`);
        assertSameFloats(part, whole, c.name);
      }
    });
  }
}

/** A layer's backward operands: x [batch,in], dY [batch,out], w [in,out]. */
function layerOperands(
  kernels: ReturnType<typeof createWasmKernels>,
  dtype: "f32" | "f64",
  [batch, inputs, outputs]: number[],
  rng: Rng,
) {
  const fill = (length: number, zeros: number) => {
    const t = kernels.allocate!(dtype, length);
    t.set(random(rng, length, zeros));
    return t;
  };
  return {
    x: fill(batch * inputs, 0.5),
    dY: fill(batch * outputs, 0.2),
    w: fill(inputs * outputs, 0),
    dW: [0, 1].map(() => fill(inputs * outputs, 0).fill(NaN)),
    dX: [0, 1].map(() => fill(batch * inputs, 0).fill(NaN)),
  };
}

for (const dtype of ["f32", "f64"] as const) {
  Deno.test(`atbAbt (${dtype}, two threads) gives atb's dW and abt's dX bit for bit`, () => {
    const kernels = createWasmKernels({ worker: true, arenaBytes: 16 << 20 });
    try {
      const rng = new Rng(42);
      // The default network's second layer, a product at the
      // threshold for sharing work (2^18 multiply-adds), odd sizes.
      for (const shape of [[64, 128, 64], [64, 64, 64], [67, 131, 61]]) {
        const [batch, inputs, outputs] = shape;
        const { x, dY, w, dW, dX } = layerOperands(kernels, dtype, shape, rng);
        kernels.atb(x, dY, dW[0], inputs, batch, outputs);
        kernels.abt(dY, w, dX[0], batch, outputs, inputs);
        assert.ok(
          kernels.atbAbt(x, dY, w, dW[1], dX[1], batch, inputs, outputs),
          `${shape} taken`,
        );
        assertSameFloats(dW[1], dW[0], `${shape} dW`);
        assertSameFloats(dX[1], dX[0], `${shape} dX`);
      }
    } finally {
      kernels.dispose();
    }
  });
}

Deno.test("atbAbt declines without a worker, outside the memory, and where abt would add two partial sums", () => {
  const rng = new Rng(43);
  const one = createWasmKernels({ worker: false, arenaBytes: 8 << 20 });
  const two = createWasmKernels({ worker: true, arenaBytes: 8 << 20 });
  try {
    const args = (
      k: typeof one,
      shape: [number, number, number],
    ): Parameters<typeof one.atbAbt> => {
      const { x, dY, w, dW, dX } = layerOperands(k, "f32", shape, rng);
      return [x, dY, w, dW[0], dX[0], ...shape];
    };
    assert.equal(one.atbAbt(...args(one, [64, 128, 64])), false, "one thread");
    // The third layer: 41k multiply-adds each, not worth a hand-off.
    assert.equal(two.atbAbt(...args(two, [64, 64, 10])), false, "too small");
    const [x, dY, w, dW, dX] = args(two, [64, 128, 64]);
    const elsewhere = new Float32Array(dX.length);
    assert.equal(
      two.atbAbt(x, dY, w, dW, elsewhere, 64, 128, 64),
      false,
      "dX outside",
    );
    // dY · wᵀ with 512 outputs against a batch of 16: abt splits k.
    assert.equal(two.atbAbt(...args(two, [16, 64, 512])), false, "k split");
    assert.equal(two.atbAbt(...args(two, [64, 128, 64])), true, "taken");
  } finally {
    one.dispose();
    two.dispose();
  }
});
