/**
 * End to end: `deno task train --impl solutions` (the reference solutions
 * plugged in exactly where a learner's code goes) trains on the full MNIST
 * with a fixed seed and reaches at least 97% test accuracy. About a minute
 * on an idle core.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/kit/curriculum.ts";
import { fitNormalizer, splitTrainValidation } from "../lib/data/dataset.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { loadModel } from "../lib/train/model_file.ts";
import { evaluate } from "../lib/train/train.ts";

Deno.test({
  name:
    "train --impl solutions reaches 97% test accuracy on the full MNIST (seed 1)",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "impl_run_" });
    try {
      const run = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "bin/train.ts",
          "--impl",
          "solutions",
          "--seed",
          "1",
          "--out",
          out,
        ],
        cwd: REPO_ROOT,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(run.stdout);
      const stderr = new TextDecoder().decode(run.stderr);
      const summary = stdout.trim().split("\n").at(-1) ?? "";
      console.log(summary);
      assert.equal(run.code, 0, `exit code ${run.code}\n${stdout}\n${stderr}`);
      assert.match(
        summary,
        /^PASS test accuracy (\d+\.\d+)% \(target 97\.00%\) in [\d.]+ s of training, 4 epochs \(--impl solutions\)$/,
      );
      assert.match(stdout, /with the code in solutions\//);
      const metrics = JSON.parse(
        await Deno.readTextFile(join(out, "metrics.json")),
      );
      assert.equal(metrics.impl, "solutions");
      assert.equal(metrics.seed, 1);
      assert.ok(
        metrics.test_accuracy >= 0.97,
        `test accuracy ${metrics.test_accuracy} < 0.97`,
      );
      assert.equal(metrics.epochs.length, 4);
      assert.equal(metrics.data.train, 50000);
      assert.equal(metrics.data.test, 10000);
      const { model } = await loadModel(join(out, "model.bin"));
      assert.deepEqual(model.sizes, [784, 128, 64, 10]);
      // The saved model.bin is the learner's network: lib reads it and
      // classifies the test set as the run did.
      const mnist = await loadMnist();
      const normalizer = fitNormalizer(splitTrainValidation(mnist.train).train);
      const again = evaluate(model, mnist.test, normalizer).accuracy;
      assert.ok(
        Math.abs(again - metrics.test_accuracy) <= 0.0005,
        `lib evaluates the saved model at ${again}, the run reported ${metrics.test_accuracy}`,
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
