/**
 * Thousands of seeded, mutated IDX and model files through the parsers, a
 * sample of them through the command line, and the hostile cases that
 * used to grow past gigabytes, each held under 1 GB. Every answer must be
 * a parse or the kit's own error: any other exception is a crash.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  decodeModel,
  encodeIdx,
  encodeModel,
  Mlp,
  MNIST_FILES,
  readIdxFile,
  Rng,
} from "../mod.ts";
import {
  type FuzzCase,
  type FuzzTally,
  gzip,
  mutateGzip,
  mutateIdx,
  mutateModel,
  tally,
} from "./helpers/fuzz.ts";
import { peakRssKb } from "./helpers/peak_rss.ts";
import { syntheticDigits, writeSyntheticMnist } from "./helpers/synthetic.ts";
import { runScript } from "./helpers/cli.ts";
import { runTraining } from "../lib/cli/train_command.ts";
import {
  shortRunOptions,
  writeMnistWithMistakes,
} from "./helpers/report_run.ts";

const SEED = 20261130;
const ONE_GB_KB = 1e6;
const valid = syntheticDigits(12, 5);
const validIdx = [
  { dimensions: 3, bytes: encodeIdx([12, 28, 28], valid.images) },
  { dimensions: 1, bytes: encodeIdx([12], valid.labels) },
];
const validModel = encodeModel(
  new Mlp({ sizes: [20, 6, 3], seed: 1 }),
  { scale: 0.0117 },
);

/** Prints a tally in the suite's output, for the README's table. */
function report(name: string, result: FuzzTally, peakKb: number) {
  console.log(
    `fuzz ${name}: ${result.tried} tried, ${result.refused} refused with the kit's error, ` +
      `${result.accepted} parsed, ${result.crashes.length} crashes, peak RSS ${
        Math.round(peakKb / 1024)
      } MiB`,
  );
}

/** Runs `parse` over the cases, tracking this process's peak RSS. */
async function fuzz<C extends FuzzCase>(
  cases: C[],
  parse: (fuzz: C) => unknown,
): Promise<{ result: FuzzTally; peakKb: number }> {
  let peakKb = 0;
  const result = await tally(cases, async (fuzz) => {
    try {
      return await parse(fuzz);
    } finally {
      peakKb = Math.max(peakKb, Deno.memoryUsage().rss / 1024);
    }
  });
  return { result, peakKb };
}

Deno.test("2,000 mutated IDX files: readIdxFile parses each or refuses it with a KitError", async () => {
  const rng = new Rng(SEED);
  const path = join(await Deno.makeTempDir(), "fuzz-idx");
  const cases = Array.from({ length: 2000 }, (_, i) => {
    const base = validIdx[i % 2];
    return { ...mutateIdx(rng, base.bytes), dimensions: base.dimensions };
  });
  const { result, peakKb } = await fuzz(cases, async (fuzz) => {
    Deno.writeFileSync(path, fuzz.bytes);
    return await readIdxFile(path, fuzz.dimensions);
  });
  report("IDX", result, peakKb);
  assert.deepEqual(result.crashes, []);
  assert.ok(result.refused > 1000, `${result.refused} refused`);
  assert.ok(peakKb < ONE_GB_KB, `peak RSS ${peakKb} kB`);
});

Deno.test("1,000 mutated gzip IDX files (content and framing): readIdxFile parses or refuses each", async () => {
  const rng = new Rng(SEED + 1);
  const path = join(await Deno.makeTempDir(), "fuzz-idx.gz");
  const gzipped = await Promise.all(validIdx.map((v) => gzip(v.bytes)));
  const cases: (FuzzCase & { dimensions: number })[] = [];
  for (let i = 0; i < 1000; i++) {
    const base = validIdx[i % 2];
    const fuzzed = i % 4 < 2
      ? mutateGzip(rng, gzipped[i % 2])
      : mutateIdx(rng, base.bytes);
    const bytes = i % 4 < 2 ? fuzzed.bytes : await gzip(fuzzed.bytes);
    cases.push({ kind: fuzzed.kind, bytes, dimensions: base.dimensions });
  }
  const { result, peakKb } = await fuzz(cases, async (fuzz) => {
    Deno.writeFileSync(path, fuzz.bytes);
    return await readIdxFile(path, fuzz.dimensions);
  });
  report("gzip IDX", result, peakKb);
  assert.deepEqual(result.crashes, []);
  assert.ok(result.refused > 500, `${result.refused} refused`);
  assert.ok(peakKb < ONE_GB_KB, `peak RSS ${peakKb} kB`);
});

Deno.test("2,000 mutated model files: decodeModel parses each or refuses it with a KitError", async () => {
  const rng = new Rng(SEED + 2);
  const cases = Array.from(
    { length: 2000 },
    () => mutateModel(rng, validModel),
  );
  const { result, peakKb } = await fuzz(
    cases,
    (fuzz) => decodeModel(fuzz.bytes, "model.bin"),
  );
  report("model", result, peakKb);
  assert.deepEqual(result.crashes, []);
  assert.ok(result.refused > 1500, `${result.refused} refused`);
  assert.ok(peakKb < ONE_GB_KB, `peak RSS ${peakKb} kB`);
});

/** Runs a command through the peak-RSS wrapper (see helpers/peak_rss.ts). */
async function runMeasured(command: "train" | "report", args: string[]) {
  const result = await runScript("tests/helpers/peak_rss.ts", [
    command,
    ...args,
  ]);
  const peakKb = peakRssKb(result.stderr) ?? 0;
  return { ...result, peakKb };
}

/** One `error:` line (and perhaps `help:`), no trace, not called a bug. */
function assertCleanRefusal(result: { code: number; stderr: string }) {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^error: [^\n]+\n(help: [^\n]+\n)?peak_rss_kb/);
  assert.doesNotMatch(result.stderr, /Stack backtrace|^\s+at |bug in the kit/m);
}

Deno.test("8 mutated training-image files through deno task train: a parse or one error line, under 1 GB each", async () => {
  const rng = new Rng(SEED + 3);
  const data = await writeSyntheticMnist(await Deno.makeTempDir(), {
    train: 10100,
    test: 20,
  });
  const imagesPath = join(data, MNIST_FILES.trainImages.name);
  const images = await Deno.readFile(imagesPath);
  const gzipped = await gzip(images);
  let peakKb = 0;
  let refused = 0;
  for (let i = 0; i < 8; i++) {
    await Deno.remove(imagesPath).catch(() => {});
    await Deno.remove(`${imagesPath}.gz`).catch(() => {});
    const fuzzed = i % 2 === 0
      ? mutateIdx(rng, images)
      : mutateGzip(rng, gzipped);
    await Deno.writeFile(
      i % 2 === 0 ? imagesPath : `${imagesPath}.gz`,
      fuzzed.bytes,
    );
    const out = join(await Deno.makeTempDir(), "run");
    const result = await runMeasured("train", [
      ...["--data", data, "--out", out, "--epochs", "1", "--hidden", "8"],
      ...["--quiet", "--kernels", "fast", "--target", "1"],
    ]);
    peakKb = Math.max(peakKb, result.peakKb);
    assert.ok(result.peakKb < ONE_GB_KB, `${fuzzed.kind}: ${result.peakKb} kB`);
    if (result.code === 0) continue; // the mutation left a valid file
    assertCleanRefusal(result);
    refused++;
    await assert.rejects(
      Deno.stat(out),
      Deno.errors.NotFound,
      "no run folder left",
    );
  }
  console.log(
    `fuzz train CLI: 8 tried, ${refused} refused, peak RSS ${
      Math.round(peakKb / 1024)
    } MiB`,
  );
});

Deno.test("8 mutated model files through deno task report: one error line each, under 1 GB, nothing written", async () => {
  const rng = new Rng(SEED + 4);
  const data = await writeMnistWithMistakes(await Deno.makeTempDir());
  const runDir = join(await Deno.makeTempDir(), "run");
  await runTraining(shortRunOptions(data, runDir));
  const model = await Deno.readFile(join(runDir, "model.bin"));
  const removeReport = async () => {
    await Deno.remove(join(runDir, "report.html"));
    await Deno.remove(join(runDir, "figures"), { recursive: true });
  };
  await removeReport();
  let peakKb = 0;
  let refused = 0;
  for (let i = 0; i < 8; i++) {
    const fuzzed = mutateModel(rng, model);
    await Deno.writeFile(join(runDir, "model.bin"), fuzzed.bytes);
    const result = await runMeasured("report", [runDir]);
    peakKb = Math.max(peakKb, result.peakKb);
    assert.ok(result.peakKb < ONE_GB_KB, `${fuzzed.kind}: ${result.peakKb} kB`);
    if (result.code === 0) {
      await removeReport(); // the mutation left a valid model
      continue;
    }
    assertCleanRefusal(result);
    refused++;
    await assert.rejects(Deno.stat(join(runDir, "report.html")));
  }
  console.log(
    `fuzz report CLI: 8 tried, ${refused} refused, peak RSS ${
      Math.round(peakKb / 1024)
    } MiB`,
  );
});

/** Gzips an IDX header claiming `dims`, then `zeros` zero bytes. */
async function gzipBomb(dims: number[], zeros: number): Promise<Uint8Array> {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x0800 + dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const stream = new CompressionStream("gzip");
  const writer = stream.writable.getWriter();
  const compressed = new Response(stream.readable).arrayBuffer();
  await writer.write(header);
  const piece = new Uint8Array(2 ** 20);
  for (let left = zeros; left > 0; left -= piece.length) {
    await writer.write(piece);
  }
  await writer.close();
  return new Uint8Array(await compressed);
}

Deno.test("hostile inputs that used to grow past gigabytes are refused, each under 1 GB", async () => {
  const data = await writeSyntheticMnist(await Deno.makeTempDir(), {
    train: 10100,
    test: 20,
  });
  const images = join(data, MNIST_FILES.trainImages.name);
  const setImages = async (bytes: Uint8Array | number, gz: boolean) => {
    await Deno.remove(images).catch(() => {});
    await Deno.remove(`${images}.gz`).catch(() => {});
    const path = gz ? `${images}.gz` : images;
    if (typeof bytes === "number") {
      using file = await Deno.create(path);
      await file.truncate(bytes); // sparse: no disk used
    } else await Deno.writeFile(path, bytes);
  };
  const runDir = join(await Deno.makeTempDir(), "run");
  await runTraining(
    shortRunOptions(
      await writeMnistWithMistakes(await Deno.makeTempDir()),
      runDir,
    ),
  );
  const model = await Deno.readFile(join(runDir, "model.bin"));
  const cases: [
    string,
    () => Promise<unknown>,
    "train" | "report",
    string[],
    RegExp,
  ][] = [
    [
      "1 MB gzip inflating to 1 GiB",
      async () => setImages(await gzipBomb([60000, 28, 28], 2 ** 30), true),
      "train",
      [],
      /inflates to more than the 47040016 bytes/,
    ],
    [
      "gzip header claiming 60000x1000x1000",
      async () => setImages(await gzipBomb([60000, 1000, 1000], 0), true),
      "train",
      [],
      /the header claims 60000000016 bytes/,
    ],
    [
      "a 600 MB (sparse) IDX file",
      () => setImages(600e6, false),
      "train",
      [],
      /600000000 bytes, more than the/,
    ],
    [
      "IDX header claiming 2^32-1 images",
      () =>
        setImages(
          encodeIdx([0, 28, 28], []).map((b, i) => i >= 4 && i < 8 ? 255 : b),
          false,
        ),
      "train",
      [],
      /dimensions \[4294967295, 28, 28\] need/,
    ],
    [
      "--hidden 1000000",
      () =>
        setImages(
          encodeIdx([10100, 28, 28], new Uint8Array(10100 * 784)),
          false,
        ),
      "train",
      ["--hidden", "1000000"],
      /needs about \d+ MB/,
    ],
    ["--hidden 100000,100000", async () => {}, "train", [
      "--hidden",
      "100000,100000",
    ], /needs about \d+ MB/],
    [
      "model header claiming 784-1048576-10",
      () => Deno.writeFile(join(runDir, "model.bin"), hugeLayerModel(model)),
      "report",
      [runDir],
      /model\.bin/,
    ],
  ];
  for (const [name, prepare, command, extra, message] of cases) {
    await prepare();
    const args = command === "train"
      ? [
        "--data",
        data,
        "--out",
        join(await Deno.makeTempDir(), "run"),
        "--quiet",
        ...extra,
      ]
      : extra;
    const result = await runMeasured(command, args);
    assertCleanRefusal(result);
    assert.match(result.stderr, message, name);
    assert.ok(
      result.peakKb < ONE_GB_KB,
      `${name}: peak RSS ${result.peakKb} kB`,
    );
    console.log(
      `hostile ${name}: refused, peak RSS ${
        Math.round(result.peakKb / 1024)
      } MiB`,
    );
  }
});

/** A model file whose header claims a hidden layer of 2^20 units. */
function hugeLayerModel(valid: Uint8Array): Uint8Array {
  const length = new DataView(valid.buffer).getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(valid.subarray(12, 12 + length)),
  );
  header.sizes = [784, 2 ** 20, 10];
  header.parameters = [
    { name: "layer0.weights", shape: [784, 2 ** 20] },
    { name: "layer0.bias", shape: [2 ** 20] },
    { name: "layer1.weights", shape: [2 ** 20, 10] },
    { name: "layer1.bias", shape: [10] },
  ];
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(Math.ceil((12 + json.length) / 8) * 8 + 4096);
  bytes.set(valid.subarray(0, 8));
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  return bytes;
}
