import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeIdx, loadModel, MNIST_FILES } from "../mod.ts";
import { runScript, runTrainInto } from "./helpers/cli.ts";
import { tempSyntheticMnist } from "./helpers/synthetic.ts";

const quick = [
  "--epochs",
  "2",
  "--hidden",
  "16",
  "--batch-size",
  "32",
  "--quiet",
];

function assertNoStackTrace(stderr: string) {
  assert.doesNotMatch(stderr, /Stack backtrace|^\s+at /m, stderr);
}

Deno.test("train on a small data folder writes model.bin and a complete metrics.json", async () => {
  const data = await tempSyntheticMnist({ train: 10600, test: 300 });
  const out = join(await Deno.makeTempDir(), "run");
  const { code, stdout, stderr } = await runTrainInto(
    [...quick, "--target", "90"],
    data,
    out,
  );
  assert.equal(code, 0, stdout + stderr);
  assert.match(
    stdout,
    /^PASS test accuracy \d+\.\d\d% \(target 90\.00%\) in \d+\.\d s of training, 2 epochs$/m,
  );
  const metrics = JSON.parse(
    await Deno.readTextFile(join(out, "metrics.json")),
  );
  assert.equal(metrics.config.epochs, 2);
  assert.deepEqual(metrics.config.hidden, [16]);
  assert.equal(metrics.seed, 1);
  assert.equal(metrics.epochs.length, 2);
  for (
    const key of [
      "epoch",
      "train_loss",
      "train_accuracy",
      "val_accuracy",
      "seconds",
    ]
  ) {
    assert.ok(key in metrics.epochs[0], key);
  }
  assert.equal(metrics.batch_accuracy.length, 2 * Math.ceil(600 / 32));
  assert.ok(metrics.train_seconds > 0);
  assert.ok(metrics.test_accuracy >= 0.9 && metrics.test_accuracy <= 1);
  assert.equal(
    metrics.missed.test.length,
    Math.round((1 - metrics.test_accuracy) * 300),
  );
  assert.equal(metrics.versions.deno, Deno.version.deno);
  const { model } = await loadModel(join(out, "model.bin"), {
    sizes: [784, 16, 10],
  });
  assert.equal(model.dtype, "f32");
});

Deno.test("the same seed gives the same metrics, bit for bit", async () => {
  const data = await tempSyntheticMnist({ train: 10300, test: 100 });
  const run = async () => {
    const out = join(await Deno.makeTempDir(), "run");
    const result = await runTrainInto(quick.with(1, "1"), data, out); // one epoch
    assert.ok(result.code <= 1, result.stderr);
    const metrics = JSON.parse(
      await Deno.readTextFile(join(out, "metrics.json")),
    );
    return [
      metrics.batch_loss,
      metrics.missed,
      await Deno.readFile(join(out, "model.bin")),
    ];
  };
  assert.deepEqual(await run(), await run());
});

Deno.test("a bad flag exits 2 with a one-line error and no stack trace", async () => {
  for (
    const args of [["--hidden", "12,x"], ["--lr=-1"], ["--dtype", "f16"], [
      "--bogus",
    ]]
  ) {
    const { code, stderr } = await runScript("bin/train.ts", args);
    assert.equal(code, 2, args.join(" "));
    assert.match(
      stderr,
      /^error: .*--[a-z].*\nhelp: run `deno task train --help`/,
      stderr,
    );
    assertNoStackTrace(stderr);
  }
});

Deno.test("a bad optimizer or dropout value exits 2 naming the flag and the accepted values, writing nothing", async () => {
  const out = join(await Deno.makeTempDir(), "run");
  const cases: [string[], string][] = [
    [
      ["--optimizer", "rmsprop"],
      'optimizer: expected one of sgd, adam, adamw, got "rmsprop"',
    ],
    [["--beta1", "1"], 'beta1: expected a number in [0, 1), got "1"'],
    [["--beta2=-0.5"], 'beta2: expected a number in [0, 1), got "-0.5"'],
    [["--eps", "0"], 'eps: expected a positive number, got "0"'],
    [["--dropout", "1"], 'dropout: expected a number in [0, 1), got "1"'],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runScript("bin/train.ts", [
      ...args,
      "--out",
      out,
    ]);
    assert.equal(code, 2, args.join(" "));
    assert.ok(stderr.startsWith(`error: --${message}\nhelp: `), stderr);
    assertNoStackTrace(stderr);
  }
  assert.equal(await Deno.stat(out).then(() => true, () => false), false);
});

Deno.test("with --optimizer adamw and --dropout 0.2 the same seed gives the same numbers", async () => {
  const data = await tempSyntheticMnist({ train: 10300, test: 100 });
  const run = async () => {
    const out = join(await Deno.makeTempDir(), "run");
    const result = await runScript("bin/train.ts", [
      ...quick.with(1, "1"), // one epoch
      "--optimizer=adamw",
      "--lr=0.001",
      "--dropout=0.2",
      "--data",
      data,
      "--out",
      out,
    ]);
    assert.ok(result.code <= 1, result.stderr);
    const metrics = JSON.parse(
      await Deno.readTextFile(join(out, "metrics.json")),
    );
    assert.equal(metrics.config.optimizer, "adamw");
    assert.equal(metrics.config.dropout, 0.2);
    return [metrics.batch_loss, metrics.missed];
  };
  assert.deepEqual(await run(), await run());
});

Deno.test("--help shows every flag and exits 0", async () => {
  const { code, stdout } = await runScript("bin/train.ts", ["--help"]);
  assert.equal(code, 0);
  for (
    const flag of [
      "--epochs",
      "--batch-size",
      "--lr",
      "--schedule",
      "--momentum",
      "--nesterov",
      "--weight-decay",
      "--optimizer",
      "--beta1",
      "--beta2",
      "--eps",
      "--dropout",
      "--hidden",
      "--activation",
      "--dtype",
      "--seed",
      "--data",
      "--out",
      "--target",
      "--quiet",
      "--help",
    ]
  ) {
    assert.ok(stdout.includes(flag), flag);
  }
});

Deno.test("bad data exits 1 naming the file, with no run folder left behind", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 50 });
  const images = join(data, MNIST_FILES.testImages.name);
  const bytes = await Deno.readFile(images);
  await Deno.writeFile(images, bytes.subarray(0, bytes.length - 100));
  const out = join(await Deno.makeTempDir(), "run");
  let result = await runTrainInto(quick, data, out);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error: .*t10k-images-idx3-ubyte: dimensions \[50, 28, 28\] need \d+ bytes, the file has \d+ \(truncated\)$/m,
  );
  assertNoStackTrace(result.stderr);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);

  await Deno.writeFile(
    images,
    encodeIdx([49, 28, 28], new Uint8Array(49 * 784)),
  );
  result = await runTrainInto(quick, data, out);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /t10k-labels-idx1-ubyte: 50 labels, but .*t10k-images-idx3-ubyte holds 49 images/,
  );

  result = await runScript("bin/train.ts", [
    ...quick,
    "--data",
    "/nonexistent/folder",
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: \/nonexistent\/folder/);
  assertNoStackTrace(result.stderr);
});

Deno.test("a diverging run stops at once, names the step and learning rate, keeps the last good model", async () => {
  const data = await tempSyntheticMnist({ train: 10300, test: 50 });
  const out = join(await Deno.makeTempDir(), "run");
  const { code, stderr } = await runTrainInto(
    [...quick, "--lr", "1e6", "--schedule", "constant"],
    data,
    out,
  );
  assert.equal(code, 1);
  assert.match(
    stderr,
    /^error: training diverged: the loss became (NaN|Infinity) at step \d+ \(epoch 1\) with learning rate 1000000; no epoch finished, so no model was saved$/m,
  );
  assert.match(stderr, /^help: lower --lr/m);
  assertNoStackTrace(stderr);
  await assert.rejects(
    Deno.stat(join(out, "metrics.json")),
    Deno.errors.NotFound,
  );
});

Deno.test("a run folder that already holds a run is refused and left untouched", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 50 });
  const out = await Deno.makeTempDir();
  await Deno.writeTextFile(join(out, "metrics.json"), "earlier run");
  const { code, stderr } = await runTrainInto(quick, data, out);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /already holds a run \(metrics\.json\); it is left untouched/,
  );
  assert.equal(
    await Deno.readTextFile(join(out, "metrics.json")),
    "earlier run",
  );
});

Deno.test("--kernels wasm-workers on one core runs on one thread, with a one-line note, and metrics.json says wasm", async () => {
  const data = await tempSyntheticMnist({ train: 10100, test: 50 });
  const out = join(await Deno.makeTempDir(), "run");
  const output = await new Deno.Command("taskset", {
    args: [
      "-c",
      "0",
      Deno.execPath(),
      "run",
      "-A",
      "bin/train.ts",
      ...quick,
      "--kernels",
      "wasm-workers",
      "--data",
      data,
      "--out",
      out,
    ],
    cwd: new URL("../", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.code <= 1, stderr);
  assert.match(
    stderr,
    /^note: one CPU core: --kernels wasm-workers runs on one thread \(wasm\)$/m,
  );
  assertNoStackTrace(stderr);
  const metrics = JSON.parse(
    await Deno.readTextFile(join(out, "metrics.json")),
  );
  assert.equal(metrics.config.kernels, "wasm");
});
