import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../../mod.ts";
import {
  parseTrainArgs,
  TRAIN_FLAGS,
  trainHelp,
  type TrainOptions,
  UsageError,
} from "./train_args.ts";

function parse(args: string[]): TrainOptions {
  const options = parseTrainArgs(args);
  assert.notEqual(options, "help");
  return options as TrainOptions;
}

Deno.test("parseTrainArgs() with no flags gives the defaults", () => {
  const options = parse([]);
  assert.deepEqual(options.config, DEFAULT_CONFIG);
  assert.equal(options.targetPercent, 98);
  assert.equal(options.quiet, false);
  assert.equal(options.data, undefined);
  // Two threads wherever there is a second core (the CI machines have two).
  assert.equal(
    options.kernels,
    navigator.hardwareConcurrency >= 2 ? "wasm-workers" : "wasm",
  );
});

Deno.test("parseTrainArgs() reads every kind of flag", () => {
  const options = parse([
    "--epochs=3",
    "--batch-size",
    "32",
    "--lr",
    "0.1",
    "--schedule",
    "step",
    "--nesterov",
    "--hidden",
    "300,100",
    "--activation",
    "tanh",
    "--dtype",
    "f64",
    "--seed",
    "7",
    "--data",
    "/tmp/mnist",
    "--target",
    "97.5",
    "--quiet",
  ]);
  assert.equal(options.config.epochs, 3);
  assert.equal(options.config.batchSize, 32);
  assert.equal(options.config.lr, 0.1);
  assert.equal(options.config.schedule, "step");
  assert.equal(options.config.nesterov, true);
  assert.deepEqual(options.config.hidden, [300, 100]);
  assert.equal(options.config.activation, "tanh");
  assert.equal(options.config.dtype, "f64");
  assert.equal(options.config.seed, 7);
  assert.equal(options.data, "/tmp/mnist");
  assert.equal(options.targetPercent, 97.5);
  assert.equal(options.quiet, true);
});

const bad: [string[], RegExp][] = [
  [
    ["--hidden", "12,x"],
    /--hidden: expected comma-separated whole numbers ≥ 1 \(e\.g\. 128,64\), got "x"/,
  ],
  [["--lr=-1"], /--lr: expected a positive number, got "-1"/],
  [["--lr", "-1"], /--lr/],
  [["--dtype", "f16"], /--dtype: expected one of f32, f64, got "f16"/],
  [["--epochs", "2.5"], /--epochs: expected a whole number ≥ 1, got "2\.5"/],
  [["--momentum", "1"], /--momentum: expected a number in \[0, 1\), got "1"/],
  [
    ["--schedule", "linear"],
    /--schedule: expected one of constant, step, cosine, got "linear"/,
  ],
  [["--target", "120"], /--target: expected a percentage/],
  [["--lr", "0.01", "--lr-min", "0.1"], /--lr-min: 0\.1 is above --lr 0\.01/],
  [["--bogus"], /Unknown option '--bogus'/],
  [["extra"], /positional/],
];
for (const [args, message] of bad) {
  Deno.test(`parseTrainArgs() refuses ${args.join(" ")}`, () => {
    assert.throws(
      () => parseTrainArgs(args),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  });
}

Deno.test("--help lists every flag with its default", () => {
  assert.equal(parseTrainArgs(["--help"]), "help");
  const help = trainHelp();
  for (const [name, spec] of Object.entries(TRAIN_FLAGS)) {
    assert.match(help, new RegExp(`--${name}\\b`));
    if (spec.type === "string" && spec.default !== "") {
      assert.ok(help.includes(`(default: ${spec.default})`), name);
    }
  }
});

Deno.test("--full-batch sets the original recipe, and explicit flags still win", () => {
  const options = parse(["--full-batch", "--epochs", "5"]);
  assert.equal(options.fullBatch, true);
  assert.equal(options.config.epochs, 5);
  assert.equal(options.config.batchSize, 50000);
  assert.equal(options.config.lrMin, 0.01);
  assert.equal(options.config.nesterov, false);
  assert.equal(options.config.weightDecay, 0);
  assert.equal(options.kernels, "wasm-workers");
  assert.equal(parse(["--full-batch"]).config.epochs, 300);
  assert.equal(parse(["--full-batch", "--kernels", "wasm"]).kernels, "wasm");
});
