/**
 * `deno task bench [--max-epochs N] [--no-peers] [--full-batch] [--seeds N] [--rounds R] [--out DIR]`
 *
 * Trains the default network with every implementation (the kit's
 * kernel sets as `deno task train` runs them; NumPy, C++/Eigen and PyTorch
 * on one and two threads) and prints seconds per epoch, throughput,
 * GFLOPS, time to 97% accuracy and ratios to the fastest peer; then
 * matrix-product GFLOPS on 60000x784 @ 784x128 and one whole default
 * `deno task train` run (wall time, peak memory). With `--seeds N`, also
 * the epochs each of the kit, NumPy and Eigen (f32) needs to reach 97% over
 * seeds 1..N, and the expected time to it; with `--rounds R`, R alternated
 * rounds of the kit (with and without the bounds checks) and the f32 peers,
 * of the default recipe and, with `--full-batch`, of the full-batch one.
 * Writes bench.json and bench.svg into the output folder.
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  createWasmKernels,
  fastKernels,
  loadMnist,
  referenceKernels,
  type WasmKernels,
  wasmKernels,
  writeFileAtomic,
} from "../mod.ts";
import {
  type BenchRow,
  formatBenchTable,
  measureGemm,
} from "../lib/bench/bench.ts";
import {
  benchChartSvg,
  benchFullBatch,
  benchKitRun,
  benchSolutions,
  benchWholeRun,
} from "../lib/bench/bench_runs.ts";
import { nonzeroFraction, rooflineLines } from "../lib/bench/roofline.ts";
import { formatSeedStudy, seedStudy } from "../lib/bench/seeds.ts";
import {
  alternatedRounds,
  formatRounds,
  fullBatchRace,
  minibatchRace,
} from "../lib/bench/alternate.ts";
import {
  benchEigen,
  benchNumpy,
  benchTfjs,
  benchTorch,
} from "../lib/bench/peers.ts";

/** @returns What `use` makes of a two-thread kernel set, stopped after. */
function withWorker<T>(use: (kernels: WasmKernels) => T): T {
  const kernels = createWasmKernels({ arenaBytes: 1 << 20, worker: true });
  try {
    return use(kernels);
  } finally {
    kernels.dispose();
  }
}

const USAGE =
  "deno task bench [--max-epochs N] [--no-peers] [--full-batch] [--seeds N] [--rounds R] [--out DIR] [--help]";
/** @returns The flags, or exits 2 with a one-line error. */
function parseFlags() {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        "max-epochs": { type: "string", default: "8" },
        "no-peers": { type: "boolean", default: false },
        "full-batch": { type: "boolean", default: false },
        seeds: { type: "string", default: "0" },
        rounds: { type: "string", default: "0" },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(`usage: ${USAGE}`);
      Deno.exit(0);
    }
    const maxEpochs = Number(values["max-epochs"]);
    if (!Number.isInteger(maxEpochs) || maxEpochs < 3) {
      throw new Error(
        `--max-epochs must be a whole number of at least 3, got ${
          values["max-epochs"]
        }`,
      );
    }
    const seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 0 || seeds === 1) {
      throw new Error(
        `--seeds must be 0 (no seed study) or a whole number of at least 2, got ${values.seeds}`,
      );
    }
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 0) {
      throw new Error(
        `--rounds must be a whole number (0: none), got ${values.rounds}`,
      );
    }
    return { ...values, maxEpochs, seeds, rounds };
  } catch (error) {
    console.error(
      `error: ${(error as Error).message.split("\n")[0]}\nhelp: ${USAGE}`,
    );
    Deno.exit(2);
  }
}
const values = parseFlags();
const protocol = { maxEpochs: values.maxEpochs, target: 0.97 };
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
  `Default network 784-128-64-10, batch 64, its 15-epoch schedule. The kit's rows are deno task train ` +
    `itself (15 epochs, a fresh process each); each peer stops at 97% test accuracy (after at least 3 ` +
    `epochs) or ${protocol.maxEpochs} epochs. Ratios: against the fastest peer of the same float type.\n`,
);

const peersDir = new URL("./peers/", import.meta.url).pathname;
const kitRuns = [
  ["wasm-workers", "f32"],
  ["wasm", "f32"],
  ["fast", "f32"],
  ["wasm-workers", "f64"],
  ["fast", "f64"],
] as const;
const rows: BenchRow[] = [];
for (const [kernels, dtype] of kitRuns) {
  rows.push(await benchKitRun(kernels, dtype, protocol.target));
}
// What Deno's software bounds checks cost the default run (see
// UNCHECKED_V8_FLAGS): a measurement, never a way to run the kit.
rows.push(await benchKitRun("wasm-workers", "f32", protocol.target, true));
rows.push(await benchSolutions(2));
if (!values["no-peers"]) {
  rows.push(
    ...await benchNumpy(peersDir, mnist.dir, protocol),
    ...await benchEigen(peersDir, mnist.dir, protocol),
    ...await benchTorch(peersDir, mnist.dir, protocol),
    await benchTfjs(peersDir, mnist.dir, protocol),
  );
}
console.log(formatBenchTable(rows));

const races = [
  minibatchRace(peersDir, mnist.dir),
  ...(values["full-batch"] ? [fullBatchRace(peersDir, mnist.dir)] : []),
];
const alternated = [];
if (values.rounds && values["no-peers"]) {
  console.log(
    "\n--rounds skipped: it races the kit against the peers (--no-peers)",
  );
} else if (values.rounds) {
  for (const race of races) {
    const result = await alternatedRounds(race, values.rounds);
    alternated.push({ race: race.title, ...result });
    const kit = `deno task train ${race.kitArgs.join(" ")}`;
    console.log(
      `\nThe ${race.title} alternated, ${values.rounds} rounds: each implementation's median ${race.unit} after the first (the kit: ${kit}, and with the bounds checks off):`,
    );
    console.log(formatRounds(result.rounds));
    for (const { implementation, note } of result.missing) {
      console.log(`  ${implementation}: skipped, ${note}`);
    }
  }
}

const seeds = values.seeds
  ? await seedStudy(
    peersDir,
    mnist,
    protocol,
    values.seeds,
    !values["no-peers"],
  )
  : [];
if (seeds.length) {
  console.log(
    `\nEpochs to ${
      protocol.target * 100
    }% test accuracy (at least 3) with seeds 1 to ${values.seeds}, f32; ` +
      "expected time: the first epoch, then the mean's other epochs at the median epoch of the table above:",
  );
  console.log(formatSeedStudy(seeds, rows, protocol));
}

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

const peaks = {
  one: wasmKernels().peakGflops(),
  two: withWorker((kernels) => kernels.peakGflops()),
};
console.log(
  "\n" +
    rooflineLines(peaks, gemms, rows, nonzeroFraction(mnist.train.images))
      .join("\n"),
);

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
    {
      machine,
      protocol,
      rows,
      alternated,
      seeds,
      gemms,
      peaks,
      whole,
      fullBatch,
    },
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
