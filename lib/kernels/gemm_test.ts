import assert from "node:assert/strict";
import {
  allocate,
  type DType,
  fastKernels,
  type Kernels,
  referenceKernels,
  Rng,
} from "../../mod.ts";

function random(dtype: DType, length: number, rng: Rng, zeroFraction = 0) {
  const data = allocate(dtype, length);
  for (let i = 0; i < length; i++) {
    data[i] = rng.uniform() < zeroFraction ? 0 : rng.normal();
  }
  return data;
}

Deno.test("reference kernels compute a 2x3 · 3x2 product by hand", () => {
  const a = Float64Array.of(1, 2, 3, 4, 5, 6); // [2,3]
  const b = Float64Array.of(7, 8, 9, 10, 11, 12); // [3,2]
  const out = new Float64Array(4);
  referenceKernels.ab(a, b, out, 2, 3, 2);
  assert.deepEqual([...out], [58, 64, 139, 154]);
  // aᵀ·b with a = [3,2] read as its transpose: aᵀ is [2,3].
  const aT = Float64Array.of(1, 4, 2, 5, 3, 6);
  referenceKernels.atb(aT, b, out, 2, 3, 2);
  assert.deepEqual([...out], [58, 64, 139, 154]);
  // a·bᵀ with b stored as [2,3].
  const bT = Float64Array.of(7, 9, 11, 8, 10, 12);
  referenceKernels.abt(a, bT, out, 2, 3, 2);
  assert.deepEqual([...out], [58, 64, 139, 154]);
});

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [8, 16, 8],
  [64, 784, 128],
  [31, 13, 65],
  [5, 130, 10],
];

for (const dtype of ["f32", "f64"] as const) {
  for (const product of ["ab", "atb", "abt"] as const) {
    Deno.test(`fast ${product} matches the reference in ${dtype} on odd shapes, with zeros`, () => {
      const rng = new Rng(11);
      const tolerance = dtype === "f32" ? 1e-5 : 1e-12;
      for (const [m, k, n] of shapes) {
        for (const zeroFraction of [0, 0.8]) {
          const a = random(dtype, m * k, rng, zeroFraction);
          const b = random(dtype, product === "abt" ? n * k : k * n, rng);
          const expected = allocate(dtype, m * n);
          const actual = allocate(dtype, m * n).fill(123); // stale values must be overwritten
          (referenceKernels as Kernels)[product](a, b, expected, m, k, n);
          fastKernels[product](a, b, actual, m, k, n);
          for (let i = 0; i < m * n; i++) {
            const scale = Math.max(1, Math.abs(expected[i]));
            assert.ok(
              Math.abs(actual[i] - expected[i]) <=
                tolerance * scale * Math.sqrt(k),
              `${product} [${m},${k},${n}] zeros ${zeroFraction}: out[${i}] = ${
                actual[i]
              }, reference ${expected[i]}`,
            );
          }
        }
      }
    });
  }
}
