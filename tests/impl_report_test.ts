/**
 * `deno task train --impl solutions` gets the same run folder as a lib run:
 * metrics.json in the full schema (every step's loss and accuracy through
 * exercise 10's onStep, the missed digits), report.html and every figure;
 * and an impl whose code never reports a step is stopped, not reported
 * without curves.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readRunMetrics } from "../lib/report/run_metrics.ts";
import { runScript } from "./helpers/cli.ts";
import {
  shortRunOptions,
  writeMnistWithMistakes,
} from "./helpers/report_run.ts";
import { syntheticDigits } from "./helpers/synthetic.ts";
import { loadImpl } from "../lib/cli/impl.ts";
import { implRecorder, writeImplRun } from "../lib/cli/impl_report.ts";
import { KitError } from "../lib/base/errors.ts";
import { Mlp } from "../lib/nn/mlp.ts";

Deno.test("train --impl solutions writes the same report, figures and metrics as a lib run", async () => {
  const work = await Deno.makeTempDir({ prefix: "impl_report_" });
  const data = await writeMnistWithMistakes(work);
  const common = [
    "--data",
    data,
    "--epochs",
    "2",
    "--hidden",
    "16",
    "--batch-size",
    "50",
    "--quiet",
  ];
  const runs: Record<string, string> = {};
  for (const impl of ["lib", "solutions"]) {
    runs[impl] = join(work, impl);
    const result = await runScript("bin/train.ts", [
      ...common,
      "--impl",
      impl,
      "--out",
      runs[impl],
      "--target",
      "1",
    ]);
    assert.equal(result.code, 0, `${impl}: ${result.stderr}`);
  }
  const files = async (dir: string) => {
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    return names.sort();
  };
  assert.deepEqual(await files(runs.solutions), await files(runs.lib));
  assert.deepEqual(
    await files(join(runs.solutions, "figures")),
    await files(join(runs.lib, "figures")),
  );
  const metrics = await readRunMetrics(runs.solutions);
  assert.equal(
    metrics.batch_loss.length,
    2 * Math.ceil(500 / 50),
    "one loss per step",
  );
  assert.equal(
    metrics.batch_accuracy.length,
    2 * Math.ceil(500 / 50),
    "one accuracy per step",
  );
  const first = metrics.epochs[0];
  const meanLoss = metrics.batch_loss.slice(0, 10).reduce((a, b) => a + b) / 10;
  assert.ok(
    Math.abs(meanLoss - first.train_loss) < 1e-9,
    `steps' mean loss ${meanLoss} vs epoch ${first.train_loss}`,
  );
  assert.ok(
    metrics.missed.test.length > 0,
    "the mislabelled test digits are listed",
  );
  assert.equal(
    metrics.missed.test.length,
    Math.round((1 - metrics.test_accuracy) * 300),
    "the missed list agrees with the learner's test accuracy",
  );
  const page = await Deno.readTextFile(join(runs.solutions, "report.html"));
  const figures = (html: string) =>
    [...html.matchAll(/data-figure="([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(
    figures(page),
    figures(await Deno.readTextFile(join(runs.lib, "report.html"))),
  );
});

/** Synthetic digits in the form exercise 11's `loadMnist` returns. */
function implSet(count: number, seed: number) {
  const { images, labels } = syntheticDigits(count, seed);
  return { images, labels, count, pixels: 784 };
}

Deno.test("an --impl run whose trainMnist never calls onStep stops with an error naming tasks 10.3 and 11.2, keeping model.bin", async () => {
  const runDir = await Deno.makeTempDir({ prefix: "impl_no_steps_" });
  const module = await loadImpl("solutions");
  const config = {
    ...module.MNIST_CONFIG,
    epochs: 1,
    hidden: [8],
    batchSize: 50,
  };
  const data = {
    train: implSet(200, 1),
    validation: implSet(50, 2),
    test: implSet(50, 3),
  };
  const recorder = implRecorder(config, data.train.count, true);
  // The learner's bug: trainMnist does not pass onStep on to trainModel.
  const result = module.trainMnist(data, config, recorder.onEpoch);
  assert.equal(recorder.epochs.length, 1, "the epoch was reported");
  const error = await writeImplRun({
    runDir,
    impl: "exercises",
    target: 97,
    options: shortRunOptions(runDir, runDir),
    startedAt: new Date(),
    recorder,
    result,
    model: new Mlp({ sizes: [784, 8, 10], dtype: "f64" }),
    data,
    dir: runDir,
  }).then(() => null, (e) => e);
  assert.ok(error instanceof KitError, `a KitError, not ${error}`);
  assert.match(
    error.message,
    /^exercises\/11_mnist\/mnist\.ts: trainMnist never called onStep/,
  );
  assert.match(error.help ?? "", /tasks 10\.3 and 11\.2/);
  assert.ok(
    (await Deno.stat(join(runDir, "model.bin"))).isFile,
    "the trained model is kept",
  );
  await assert.rejects(
    Deno.stat(join(runDir, "metrics.json")),
    Deno.errors.NotFound,
    "no metrics.json without curves",
  );
});
