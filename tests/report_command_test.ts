import assert from "node:assert/strict";
import { join } from "node:path";
import { KitError } from "../lib/base/errors.ts";
import { checkRunMetrics } from "../lib/report/run_metrics.ts";
import { writeReport } from "../lib/report/write_report.ts";
import { runTraining } from "../lib/cli/train_command.ts";
import {
  shortRunOptions,
  writeMnistWithMistakes,
} from "./helpers/report_run.ts";

const REPORT_BIN = new URL("../bin/report.ts", import.meta.url).pathname;

/** Every folder these tests make lives here, and goes when they end. */
const ROOT = await Deno.makeTempDir({ prefix: "report_tests_" });
globalThis.addEventListener("unload", () => {
  Deno.removeSync(ROOT, { recursive: true });
});

function tempDir(prefix: string): Promise<string> {
  return Deno.makeTempDir({ dir: ROOT, prefix });
}

/** One short training run on synthetic data, shared by the tests below. */
let run: Promise<string> | undefined;
function trainedRun(): Promise<string> {
  run ??= (async () => {
    const data = await writeMnistWithMistakes(await tempDir("data_"));
    const out = join(await tempDir("report_run_"), "run");
    await runTraining(shortRunOptions(data, out));
    return out;
  })();
  return run;
}

/** A fresh copy of the trained run's metrics.json and model.bin. */
async function copyOfRun(): Promise<string> {
  const from = await trainedRun();
  const to = await tempDir("report_copy_");
  for (const file of ["metrics.json", "model.bin"]) {
    await Deno.copyFile(join(from, file), join(to, file));
  }
  return to;
}

async function readMetrics(dir: string) {
  return JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));
}

async function report(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", REPORT_BIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function assertNoReport(dir: string): Promise<void> {
  assert.ok(
    !(await exists(join(dir, "report.html"))),
    "report.html was left behind",
  );
  assert.ok(!(await exists(join(dir, "figures"))), "figures/ was left behind");
}

function assertOneLineError(
  result: { code: number; stderr: string },
  pattern: RegExp,
): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  // One error line, and a help line where the error has one.
  const helped = lines.length === 2 && lines[1].startsWith("help: ");
  assert.ok(
    lines.length === 1 || helped,
    `expected one line, got:\n${result.stderr}`,
  );
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
}

Deno.test("a training run writes report.html and every figure into its run folder", async () => {
  const dir = await trainedRun();
  const html = await Deno.readTextFile(join(dir, "report.html"));
  const metrics = await readMetrics(dir);
  const count = (name: string) =>
    Number(html.match(new RegExp(`data-count="${name}">([^<]*)<`))?.[1]);
  assert.equal(count("missed-test"), metrics.missed.test.length);
  assert.equal(count("missed-validation"), metrics.missed.validation.length);
  assert.equal(count("epochs"), metrics.epochs.length);
  assert.ok(metrics.missed.test.length > 0, "the synthetic data has mistakes");
  for (
    const file of [
      "accuracy.svg",
      "loss.svg",
      "learning_rate.svg",
      "confusion_test.svg",
      "missed_test.png",
      "missed_validation.png",
      "weights_layer0.png",
    ]
  ) {
    const { size } = await Deno.stat(join(dir, "figures", file));
    assert.ok(size > 500, `${file}: ${size} bytes`);
    assert.ok(html.includes(`href="figures/${file}"`), `${file} is linked`);
  }
  assert.doesNotMatch(
    html,
    /(src|href)="(https?:)?\/\//,
    "no network resources",
  );
  const cells = html.match(/<figure class="digit">/g)?.length;
  assert.equal(
    cells,
    Math.min(100, metrics.missed.test.length) +
      Math.min(100, metrics.missed.validation.length),
  );
});

Deno.test("deno task report RUN_DIR rewrites the same report", async () => {
  const dir = await copyOfRun();
  const first = await report(dir);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /^report: .*report\.html \(8 files in [\d.]+ s\)\n$/,
  );
  const html = await Deno.readTextFile(join(dir, "report.html"));
  const original = await Deno.readTextFile(
    join(await trainedRun(), "report.html"),
  );
  assert.equal(
    html.replace(/MNIST run [^<]*/g, ""),
    original.replace(/MNIST run [^<]*/g, ""),
    "the regenerated page equals the one training wrote",
  );
});

Deno.test("deno task report on a missing folder: one-line error, exit 1, nothing written", async () => {
  const parent = await tempDir("empty_");
  const missing = join(parent, "no_such_run");
  assertOneLineError(
    await report(missing),
    /no_such_run: no such folder; expected a run folder/,
  );
  assert.ok(!(await exists(missing)));
});

Deno.test("deno task report on a folder without metrics.json names the file", async () => {
  const dir = await tempDir("empty_");
  assertOneLineError(
    await report(dir),
    /metrics\.json: missing; expected the metrics\.json that `deno task train` writes/,
  );
  await assertNoReport(dir);
});

Deno.test("deno task report on malformed metrics.json names the file and what was expected", async () => {
  const dir = await copyOfRun();
  await Deno.writeTextFile(join(dir, "metrics.json"), '{"config": {');
  assertOneLineError(await report(dir), /metrics\.json: not valid JSON/);
  await assertNoReport(dir);
  const metrics = await readMetrics(await trainedRun());
  metrics.missed.test[0].predicted = "seven";
  await Deno.writeTextFile(join(dir, "metrics.json"), JSON.stringify(metrics));
  assertOneLineError(
    await report(dir),
    /metrics\.json: expected "missed\.test\.0\.predicted" to be a digit 0-9, found the string "seven"$/,
  );
  await assertNoReport(dir);
});

Deno.test("deno task report with a bad argument count exits 2", async () => {
  const result = await report();
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^error: expected one run folder, got 0 arguments/,
  );
});

Deno.test("checkRunMetrics() names the first missing or mistyped field", () => {
  const good = {
    config: {
      epochs: 1,
      batch_size: 2,
      lr: 0.1,
      lr_min: 0,
      schedule: "cosine",
    },
    seed: 1,
    epochs: [{
      epoch: 1,
      train_loss: 1,
      train_accuracy: 0.5,
      val_accuracy: 0.5,
      seconds: 1,
      samples_per_second: 9,
      lr: 0.1,
    }],
    batch_accuracy: [0.5],
    batch_loss: [1],
    train_seconds: 1,
    val_accuracy: 0.5,
    test_accuracy: 0.5,
    missed: { validation: [], test: [] },
    model: { file: "model.bin", sizes: [784, 10] },
    data: { dir: "d", train: 1, validation: 1, test: 1, scale: 1 },
  };
  assert.equal(checkRunMetrics(good, "m.json"), good);
  const cases: [(m: typeof good) => unknown, RegExp][] = [
    [
      (m) => delete (m as Partial<typeof m>).seed,
      /"seed" to be a number, found nothing/,
    ],
    [
      (m) => m.config.schedule = "warp",
      /"config.schedule" to be one of constant, step, cosine/,
    ],
    [
      (m) => m.epochs = [],
      /"epochs" to be a list of at least 1 epoch records, found a list of 0/,
    ],
    [
      (m) => m.epochs[0].seconds = null as unknown as number,
      /"epochs.0.seconds" to be a number, found null/,
    ],
    [
      (m) => m.batch_loss = [],
      /"batch_loss" to be a list of 1 numbers like batch_accuracy/,
    ],
    [
      (m) => m.test_accuracy = 97.2,
      /"test_accuracy" to be a fraction in \[0, 1\], found number 97.2/,
    ],
    [
      (m) => m.model.sizes = [784],
      /"model.sizes" to be a list of at least 2 layer widths/,
    ],
  ];
  for (const [spoil, message] of cases) {
    const metrics = structuredClone(good);
    spoil(metrics);
    assert.throws(
      () => checkRunMetrics(metrics, "m.json"),
      (e) =>
        e instanceof KitError && message.test(e.message) &&
        e.message.startsWith("m.json: "),
      `${spoil}`,
    );
  }
  assert.throws(
    () => checkRunMetrics([], "m.json"),
    /"\(top level\)" to be an object/,
  );
});

Deno.test("writeReport() refuses a run whose data no longer matches, and writes nothing", async () => {
  const dir = await copyOfRun();
  const metrics = await readMetrics(dir);
  const other = await writeMnistWithMistakes(await tempDir("data_"));
  const labels = join(other, "t10k-labels-idx1-ubyte");
  const bytes = await Deno.readFile(labels);
  const miss = metrics.missed.test[0];
  bytes[8 + miss.index] = (miss.label + 1) % 10;
  await Deno.writeFile(labels, bytes);
  metrics.data.dir = other;
  await Deno.writeTextFile(join(dir, "metrics.json"), JSON.stringify(metrics));
  await assert.rejects(
    writeReport(dir),
    new RegExp(
      `image ${miss.index} is labelled ${miss.label} there but ${
        (miss.label + 1) % 10
      } in the data`,
    ),
  );
  await assertNoReport(dir);
});

Deno.test("writeReport() removes the files it wrote when a later write fails", async () => {
  const dir = await copyOfRun();
  await Deno.mkdir(join(dir, "report.html"));
  await assert.rejects(
    writeReport(dir),
    (e) => e instanceof KitError && /cannot write the report/.test(e.message),
  );
  assert.ok(!(await exists(join(dir, "figures"))), "figures/ was removed");
  await Deno.remove(join(dir, "report.html"));
  await Deno.remove(join(dir, "model.bin"));
  await assert.rejects(writeReport(dir), /model\.bin: cannot read model file/);
  await assertNoReport(dir);
});

Deno.test("deno task train ends with the most confident missed test digits in Unicode blocks, then the report's path", async () => {
  const data = await writeMnistWithMistakes(await tempDir("data_"));
  const out = join(await tempDir("report_cli_"), "run");
  const train = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../bin/train.ts", import.meta.url).pathname,
      ...["--epochs", "1", "--hidden", "16", "--batch-size", "50"],
      ...["--target", "1", "--data", data, "--out", out],
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(train.stdout);
  assert.equal(train.code, 0, new TextDecoder().decode(train.stderr));
  const metrics = await readMetrics(out);
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => l.startsWith("the 5 test digits"));
  assert.ok(at >= 0, stdout);
  assert.equal(
    lines[at],
    `the 5 test digits the network was most sure of and got wrong (of ${metrics.missed.test.length} missed):`,
  );
  const expected = [...metrics.missed.test]
    .sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    .slice(0, 5)
    .map((m) =>
      `${m.label}→${m.predicted} ${Math.floor(m.confidence * 100 + 1e-9)}%`
    );
  assert.deepEqual(lines[at + 1].split(/ {3,}/), expected);
  const drawing = lines.slice(at + 2, at + 14);
  assert.ok(
    drawing.every((l) => /^[ ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█]*$/.test(l)),
    drawing.join("\n"),
  );
  assert.ok(
    drawing.join("").replaceAll(" ", "").length > 20,
    "the digits have ink",
  );
  assert.equal(lines[at + 14], `report: ${join(out, "report.html")}`);
  assert.ok(await exists(join(out, "report.html")));
});
