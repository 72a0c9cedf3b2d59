/**
 * Hostile input through the real entry points: every case ends in a
 * one-line `error:` naming the file or flag, a non-zero exit, no stack
 * trace, and nothing lost.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeIdx, Mlp, MNIST_FILES, saveModel } from "../mod.ts";
import { runTraining } from "../lib/cli/train_command.ts";
import { runScript, runTrainInto } from "./helpers/cli.ts";
import {
  shortRunOptions,
  writeMnistWithMistakes,
} from "./helpers/report_run.ts";
import { tempSyntheticMnist } from "./helpers/synthetic.ts";

const repo = new URL("../", import.meta.url).pathname;
const quick = ["--epochs", "1", "--hidden", "16"];

function assertCleanError(
  result: { code: number; stderr: string },
  code: number,
  message: RegExp,
) {
  assert.equal(result.code, code, result.stderr);
  assert.doesNotMatch(result.stderr, /Stack backtrace|^\s+at /m, result.stderr);
  assert.doesNotMatch(result.stderr, /bug in the kit/, result.stderr);
  assert.match(result.stderr, message);
}

/** A data folder whose images are `rows x cols` (labels 0-9 in turn). */
async function writeImagesOfSize(
  counts: { train: number; test: number },
  rows: number,
  cols: number,
): Promise<string> {
  const dir = await Deno.makeTempDir();
  const sets = [
    [MNIST_FILES.trainImages, MNIST_FILES.trainLabels, counts.train],
    [MNIST_FILES.testImages, MNIST_FILES.testLabels, counts.test],
  ] as const;
  for (const [images, labels, count] of sets) {
    const pixels = Uint8Array.from(
      { length: count * rows * cols },
      (_, i) => (i * 37) % 256,
    );
    const digits = Uint8Array.from({ length: count }, (_, i) => i % 10);
    await Deno.writeFile(
      join(dir, images.name),
      encodeIdx([count, rows, cols], pixels),
    );
    await Deno.writeFile(join(dir, labels.name), encodeIdx([count], digits));
  }
  return dir;
}

Deno.test("train refuses 0x28 images before creating the run folder", async () => {
  const data = await writeImagesOfSize({ train: 10100, test: 10 }, 0, 28);
  const out = join(await Deno.makeTempDir(), "run");
  const result = await runTrainInto(quick, data, out);
  assertCleanError(
    result,
    1,
    /^error: .*train-images-idx3-ubyte: images are 0x28; a network needs at least one pixel$/m,
  );
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test("train refuses 10,000 training images, naming the file and the validation split", async () => {
  const data = await tempSyntheticMnist({ train: 10000, test: 10 });
  const result = await runScript("bin/train.ts", [...quick, "--data", data]);
  assertCleanError(
    result,
    1,
    /^error: .*train-images-idx3-ubyte: 10000 training images, but the last 10000 are held out for validation, so at least 10001 are needed\nhelp: /m,
  );
});

Deno.test("train refuses a test set of zero images instead of reporting test 0.00%", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 0 });
  const result = await runScript("bin/train.ts", [...quick, "--data", data]);
  assertCleanError(
    result,
    1,
    /^error: .*t10k-images-idx3-ubyte: no test images/m,
  );
});

Deno.test("a run on 1x1 images trains, prints 1-16-10 in its banner, and deno task report redraws it", async () => {
  const data = await writeImagesOfSize({ train: 10100, test: 50 }, 1, 1);
  const out = join(await Deno.makeTempDir(), "run");
  const train = await runTrainInto(
    [...quick, "--target", "1"],
    data,
    out,
  );
  assert.equal(train.code, 0, train.stderr);
  assert.match(train.stdout, /^training 1-16-10 relu f32 on 100 images/m);
  const report = await runScript("bin/report.ts", [out]);
  assert.equal(report.code, 0, report.stderr);
  assert.ok((await Deno.stat(join(out, "report.html"))).isFile);
});

Deno.test("--hidden 100000,100000 is refused from the memory estimate, naming --max-memory", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const result = await runScript("bin/train.ts", [
    "--hidden",
    "100000,100000",
    "--data",
    data,
  ]);
  assertCleanError(
    result,
    1,
    /^error: --hidden 100000,100000: the 784-100000-100000-10 network needs about \d+ MB .* above --max-memory 4096 MB$/m,
  );
});

Deno.test("--out inside a file is refused at once, naming the folder", async () => {
  const file = join(await Deno.makeTempDir(), "notes.txt");
  await Deno.writeTextFile(file, "mine");
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const result = await runScript("bin/train.ts", [
    ...quick,
    "--data",
    data,
    "--out",
    join(file, "run"),
  ]);
  assertCleanError(
    result,
    1,
    /^error: .*notes\.txt\/run: cannot create the run folder/m,
  );
  assert.equal(await Deno.readTextFile(file), "mine");
});

Deno.test("--out holding the user's report.html is refused and left untouched; --force writes there", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const out = await Deno.makeTempDir();
  await Deno.writeTextFile(join(out, "report.html"), "my own page");
  const refused = await runTrainInto(quick, data, out);
  assertCleanError(
    refused,
    1,
    /report\.html: would be overwritten by the run's report; it is left untouched\nhelp: .*--force/,
  );
  assert.equal(
    await Deno.readTextFile(join(out, "report.html")),
    "my own page",
  );
  const forced = await runTrainInto(
    [...quick, "--force", "--target", "1"],
    data,
    out,
  );
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(await Deno.readTextFile(join(out, "report.html")), /<html/);
});

Deno.test("a second run into a folder a live run holds is refused at once, and the folder is untouched", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const out = await Deno.makeTempDir();
  await Deno.writeTextFile(join(out, ".lock"), `${Deno.pid}\n`); // this test is alive
  const result = await runTrainInto(quick, data, out);
  assertCleanError(
    result,
    1,
    new RegExp(
      `^error: ${out}: another run \\(process ${Deno.pid}\\) is writing into this folder$`,
      "m",
    ),
  );
  assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), [".lock"]);
});

Deno.test("a stale lock is reported; --force clears it and the killed save's temporary file", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const out = await Deno.makeTempDir();
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  await Deno.writeTextFile(join(out, ".lock"), `${dead.pid}\n`);
  await Deno.writeTextFile(
    join(out, `.model.bin.${dead.pid}.1764540000000.tmp`),
    "half",
  );
  const stale = await runTrainInto(quick, data, out);
  assertCleanError(
    stale,
    1,
    new RegExp(
      `\\.lock: stale lock left by process ${dead.pid}, which is no longer running\\nhelp: .*--force`,
    ),
  );
  const forced = await runTrainInto(
    [...quick, "--force", "--target", "1"],
    data,
    out,
  );
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(
    forced.stdout,
    /removed 1 temporary files of an interrupted save/,
  );
  const names = [...Deno.readDirSync(out)].map((e) => e.name);
  assert.deepEqual(names.filter((n) => n.startsWith(".")), []);
});

Deno.test("a run that diverges in its first epoch leaves no run folder behind", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const out = join(await Deno.makeTempDir(), "run");
  const result = await runTrainInto(
    [...quick, "--lr", "1e6", "--schedule", "constant", "--batch-size", "16"],
    data,
    out,
  );
  assertCleanError(result, 1, /^error: training diverged/m);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test("train --lab on a port in use names --lab-port, not the lab's own --port", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const out = join(await Deno.makeTempDir(), "run");
  using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (busy.addr as Deno.NetAddr).port;
  const result = await runTrainInto(
    [...quick, "--lab", "--lab-port", `${port}`],
    data,
    out,
  );
  assertCleanError(
    result,
    1,
    new RegExp(
      `^error: --lab-port ${port}: the port is already in use\\nhelp: pick another with --lab-port N, or --lab-port 0`,
      "m",
    ),
  );
});

Deno.test("a train --lab run that fails leaves no empty run folder behind", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 10 });
  const out = join(await Deno.makeTempDir(), "run");
  using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (busy.addr as Deno.NetAddr).port;
  await runTrainInto([...quick, "--lab", "--lab-port", `${port}`], data, out);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test("a flag given twice, a hex number and an empty number exit 2 naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--epochs", "2", "--epochs", "3"],
      /^error: --epochs: given twice; give each flag once$/m,
    ],
    [
      ["--epochs=0x10"],
      /^error: --epochs: expected a whole number ≥ 1, got "0x10"$/m,
    ],
    [["--lr="], /^error: --lr: expected a positive number, got ""$/m],
  ];
  for (const [args, message] of cases) {
    assertCleanError(await runScript("bin/train.ts", args), 2, message);
  }
});

Deno.test("report refuses a model.bin of another architecture than metrics.json says, and writes nothing", async () => {
  const data = await writeMnistWithMistakes(await Deno.makeTempDir());
  const out = join(await Deno.makeTempDir(), "run");
  await runTraining(shortRunOptions(data, out)); // 784-32-10
  await saveModel(
    join(out, "model.bin"),
    new Mlp({ sizes: [784, 16, 10], seed: 1 }),
    { scale: 0.0117 },
  );
  await Deno.remove(join(out, "report.html"));
  const result = await runScript("bin/report.ts", [out]);
  assertCleanError(
    result,
    1,
    /^error: .*model\.bin: the model is 784-16-10 relu f32, expected 784-32-10 relu f32$/m,
  );
  await assert.rejects(
    Deno.stat(join(out, "report.html")),
    Deno.errors.NotFound,
  );
});

Deno.test("every entry point in bin/ and tools/ runs its command under the guard", async () => {
  const unguarded: string[] = [];
  for (const folder of ["bin", "tools"]) {
    for await (const entry of Deno.readDir(join(repo, folder))) {
      if (!entry.name.endsWith(".ts")) continue;
      const source = await Deno.readTextFile(join(repo, folder, entry.name));
      if (!/Deno\.exit\(await runGuarded\(/.test(source)) {
        unguarded.push(`${folder}/${entry.name}`);
      }
    }
  }
  assert.deepEqual(unguarded, []);
});
