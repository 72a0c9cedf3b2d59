/**
 * `deno task train --impl solutions` gets the same run folder as a lib run:
 * metrics.json in the full schema (every step's loss and accuracy through
 * exercise 10's onStep, the missed digits), report.html and every figure.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readRunMetrics } from "../lib/report/run_metrics.ts";
import { runScript } from "./helpers/cli.ts";
import { writeMnistWithMistakes } from "./helpers/report_run.ts";

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
