/**
 * `deno task bench`: matrix-product GFLOPS (fast vs reference kernels on
 * 60000x784 @ 784x128), seconds per epoch of the default network in f32 and
 * f64, and one whole default `deno task train` run (wall time, peak memory,
 * test accuracy). Figures are measured in one run; ratios compare them.
 */

import { join } from "node:path";
import { fastKernels, loadMnist, referenceKernels } from "../mod.ts";
import { measureEpochs, measureGemm } from "../lib/bench.ts";

const mnist = await loadMnist();
const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => "")).match(
  /model name\s*:\s*(.*)/,
)?.[1] ?? "unknown CPU";
console.log(
  `mnist-from-scratch bench: Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ${cpu}\n`,
);

const shape = { m: 60000, k: 784, n: 128 };
console.log(
  `Matrix product [${shape.m}x${shape.k}] · [${shape.k}x${shape.n}], f32, one core (best of repeats):`,
);
const gemms = [
  measureGemm(referenceKernels, {
    ...shape,
    input: "mnist",
    repeats: 1,
    mnist,
  }),
  measureGemm(fastKernels, { ...shape, input: "dense", repeats: 3, mnist }),
  measureGemm(fastKernels, { ...shape, input: "mnist", repeats: 3, mnist }),
];
const reference = gemms[0].seconds;
for (const g of gemms) {
  console.log(
    `  ${g.kernels.padEnd(10)} ${g.input.padEnd(6)} ${
      g.seconds.toFixed(3).padStart(7)
    } s ` +
      `${g.gflops.toFixed(2).padStart(6)} GFLOPS  ${
        (reference / g.seconds).toFixed(1).padStart(5)
      }x reference`,
  );
}

const epochs = 3;
console.log(
  `\nDefault network 784-128-64-10, batch 64, ${epochs} epochs each (median epoch):`,
);
const f32 = await measureEpochs(mnist, "f32", epochs);
const f64 = await measureEpochs(mnist, "f64", epochs);
for (const e of [f32, f64]) {
  console.log(
    `  ${e.dtype}  ${e.median.toFixed(2)} s/epoch  ${
      Math.round(e.samplesPerSecond)
    } img/s  ` +
      `(epochs: ${e.epochSeconds.map((s) => s.toFixed(2)).join(", ")})`,
  );
}
console.log(`  f64 / f32 time ratio: ${(f64.median / f32.median).toFixed(2)}`);

console.log(
  "\nWhole default run (deno task train --quiet), in a fresh process:",
);
const out = join(await Deno.makeTempDir(), "run");
const started = performance.now();
const child = await new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("../bin/train.ts", import.meta.url).pathname,
    "--quiet",
    "--out",
    out,
  ],
  stdout: "piped",
  stderr: "piped",
}).output();
const wall = (performance.now() - started) / 1000;
if (child.code > 1) {
  console.log(new TextDecoder().decode(child.stderr));
  Deno.exit(1);
}
const metrics = JSON.parse(await Deno.readTextFile(join(out, "metrics.json")));
console.log(
  `  ${wall.toFixed(1)} s wall (${
    metrics.train_seconds.toFixed(1)
  } s training, ${metrics.epochs.length} epochs), ` +
    `peak RSS ${
      metrics.peak_rss_bytes
        ? (metrics.peak_rss_bytes / 2 ** 20).toFixed(0) + " MiB"
        : "unknown"
    }, ` +
    `test accuracy ${(metrics.test_accuracy * 100).toFixed(2)}%`,
);
await Deno.remove(out, { recursive: true });
