/**
 * `deno task bench [--max-epochs N] [--no-peers] [--full-batch] [--out DIR]`
 *
 * Trains the default network with every implementation (the kit's
 * TypeScript and WebAssembly kernels, NumPy, C++/Eigen) and prints seconds
 * per epoch, throughput, GFLOPS, time to 97% test accuracy and ratios; then
 * matrix-product GFLOPS on 60000x784 @ 784x128 and one whole default
 * `deno task train` run (wall time, peak memory). Writes bench.json and
 * bench.svg into the output folder.
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  fastKernels,
  loadMnist,
  referenceKernels,
  wasmKernels,
  writeFileAtomic,
} from "../mod.ts";
import {
  benchEigen,
  benchKit,
  benchNumpy,
  type BenchRow,
  formatBenchTable,
  measureGemm,
} from "../lib/bench/bench.ts";
import {
  benchChartSvg,
  benchFullBatch,
  benchSolutions,
  benchWholeRun,
} from "../lib/bench/bench_runs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "max-epochs": { type: "string", default: "8" },
    "no-peers": { type: "boolean", default: false },
    "full-batch": { type: "boolean", default: false },
    out: { type: "string" },
  },
  strict: true,
});
const protocol = { maxEpochs: Number(values["max-epochs"]), target: 0.97 };
const out = values.out ??
  join(
    "runs",
    `bench-${new Date().toISOString().replace(/:/g, "-").replace(/\..*$/, "")}`,
  );
await Deno.mkdir(out, { recursive: true });

const mnist = await loadMnist();
const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => "")).match(
  /model name\s*:\s*(.*)/,
)?.[1] ??
  "unknown CPU";
const machine =
  `${navigator.hardwareConcurrency} cores, ${cpu}, Deno ${Deno.version.deno}`;
console.log(`mnist-from-scratch bench on ${machine}`);
console.log(
  `Default network 784-128-64-10, batch 64, its 15-epoch schedule; each row stops at 97% test accuracy ` +
    `(after at least 3 epochs) or ${protocol.maxEpochs} epochs.\n`,
);

const peersDir = new URL("./peers/", import.meta.url).pathname;
const rows: BenchRow[] = [
  await benchKit(mnist, "wasm", "f32", protocol),
  await benchKit(mnist, "fast", "f32", protocol),
  await benchKit(mnist, "fast", "f64", protocol),
  await benchKit(mnist, "wasm-workers", "f32", protocol),
  await benchSolutions(2),
  ...(values["no-peers"] ? [] : [
    ...await benchNumpy(peersDir, mnist.dir, protocol),
    ...await benchEigen(peersDir, mnist.dir, protocol),
  ]),
];
console.log(formatBenchTable(rows));

const shape = { m: 60000, k: 784, n: 128 };
console.log(
  `\nMatrix product [${shape.m}x${shape.k}] · [${shape.k}x${shape.n}], f32, one core, best of 3:`,
);
const gemms = [
  measureGemm(referenceKernels, {
    ...shape,
    input: "mnist",
    repeats: 1,
    mnist,
  }),
  ...[fastKernels, wasmKernels()].flatMap((kernels) =>
    (["dense", "mnist"] as const).map((input) =>
      measureGemm(kernels, { ...shape, input, repeats: 3, mnist })
    )
  ),
];
for (const g of gemms) {
  console.log(
    `  ${g.kernels.padEnd(10)} ${g.input.padEnd(6)} ${
      g.seconds.toFixed(3).padStart(7)
    } s ` +
      `${g.gflops.toFixed(1).padStart(6)} GFLOPS  ${
        (gemms[0].seconds / g.seconds).toFixed(1).padStart(5)
      }x reference`,
  );
}

console.log(
  "\nWhole default run (deno task train --quiet) in a fresh process:",
);
const whole = await benchWholeRun();
console.log(
  `  ${whole.wallSeconds.toFixed(1)} s wall (${
    whole.trainSeconds.toFixed(1)
  } s training), ` +
    `peak RSS ${whole.peakRssMiB?.toFixed(0) ?? "?"} MiB, test accuracy ${
      (whole.testAccuracy * 100).toFixed(2)
    }%`,
);

const fullBatch = values["full-batch"]
  ? await benchFullBatch(peersDir, mnist.dir)
  : [];
if (fullBatch.length) {
  console.log(
    "\nThe original's full-batch recipe, 300 steps over all 50,000 images:",
  );
  for (const r of fullBatch) {
    const result = r.seconds === null
      ? `skipped: ${r.note}`
      : `${r.seconds.toFixed(1)} s for 300 steps, test accuracy ${
        (r.testAccuracy! * 100).toFixed(2)
      }%`;
    console.log(`  ${r.implementation.padEnd(24)} ${r.dtype}  ${result}`);
  }
}

await writeFileAtomic(
  join(out, "bench.json"),
  JSON.stringify(
    { machine, protocol, rows, gemms, whole, fullBatch },
    null,
    1,
  ) + "\n",
);
await writeFileAtomic(
  join(out, "bench.svg"),
  await benchChartSvg(rows, machine),
);
console.log(`\nwrote ${join(out, "bench.json")} and ${join(out, "bench.svg")}`);
// The wasm-workers kernels keep a Worker thread alive: end the process.
Deno.exit(0);
