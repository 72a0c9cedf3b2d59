/**
 * Times your three matrix products on the shapes MNIST training uses.
 * Run it with `deno run exercises/12_speed/bench.ts`. (Given; nothing to
 * edit here.)
 *
 * @module
 */

import { makeRng, randomNormal, type Tensor } from "../01_tensors/tensors.ts";
import { matmul } from "../02_matmul/matmul.ts";
import { matmulIjk, matmulSkipZeros, timeIt } from "./fast.ts";

/** A `[rows, cols]` batch where about 80% of the entries are 0, like MNIST. */
function sparseLikeMnist(rows: number, cols: number, seed: number): Tensor {
  const rng = makeRng(seed);
  const t = randomNormal([rows, cols], 1, rng);
  for (let i = 0; i < t.data.length; i++) if (rng() < 0.8) t.data[i] = 0;
  return t;
}

if (import.meta.main) {
  const rng = makeRng(1);
  const cases = [
    {
      what: "layer 1 forward [64,784]·[784,128], 80% zeros",
      a: sparseLikeMnist(64, 784, 2),
      b: randomNormal([784, 128], 0.05, rng),
    },
    {
      what: "layer 2 forward [64,128]·[128,64], dense",
      a: randomNormal([64, 128], 1, rng),
      b: randomNormal([128, 64], 0.1, rng),
    },
  ];
  const kernels = [
    { name: "12.1 matmulIjk (i-j-k)", fn: matmulIjk },
    { name: "02.1 matmul (yours)", fn: matmul },
    { name: "12.2 matmulSkipZeros", fn: matmulSkipZeros },
  ];
  for (const { what, a, b } of cases) {
    console.log(what);
    const flops = 2 * a.shape[0] * a.shape[1] * b.shape[1];
    for (const { name, fn } of kernels) {
      const { medianMs, gflops } = timeIt(() => fn(a, b), {
        repeats: 9,
        flops,
      });
      console.log(
        `  ${name.padEnd(26)} ${medianMs.toFixed(3).padStart(8)} ms  ${
          gflops.toFixed(2).padStart(6)
        } GFLOPS`,
      );
    }
  }
}
