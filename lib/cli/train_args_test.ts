import assert from "node:assert/strict";
import { DEFAULT_CONFIG, type Setting, TRAIN_SETTINGS } from "../../mod.ts";
import { flagOf } from "../train/settings.ts";
import {
  configJson,
  parseTrainArgs,
  RUN_SETTINGS,
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
    /--hidden: expected comma-separated whole numbers ≥ 1 \(e\.g\. 128,64\), got "12,x"/,
  ],
  [["--lr=-1"], /--lr: expected a positive number, got "-1"/],
  [
    ["--lr", "-1"],
    /^--lr: a value that starts with "-" goes after "=": --lr=-1$/,
  ],
  [["--out", ""], /^--out: expected a folder, got ""$/],
  [["--data="], /^--data: expected a folder, got ""$/],
  [["--resume", ""], /^--resume: expected a run folder, got ""$/],
  [["--dtype", "f16"], /--dtype: expected one of f32, f64, got "f16"/],
  [["--epochs", "2.5"], /--epochs: expected a whole number ≥ 1, got "2\.5"/],
  [["--momentum", "1"], /--momentum: expected a number in \[0, 1\), got "1"/],
  [
    ["--schedule", "linear"],
    /--schedule: expected one of constant, step, cosine, got "linear"/,
  ],
  [["--target", "120"], /--target: expected a percentage/],
  [["--lr", "0.01", "--lr-min", "0.1"], /--lr-min: 0\.1 is above --lr 0\.01/],
  [["--lr", ""], /--lr: expected a positive number, got ""/],
  [
    ["--optimizer", "rmsprop"],
    /--optimizer: expected one of sgd, adam, adamw, got "rmsprop"/,
  ],
  [["--beta1", "1"], /--beta1: expected a number in \[0, 1\), got "1"/],
  [["--beta2=-0.1"], /--beta2: expected a number in \[0, 1\), got "-0\.1"/],
  [["--eps", "0"], /--eps: expected a positive number, got "0"/],
  [["--dropout", "1"], /--dropout: expected a number in \[0, 1\), got "1"/],
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
  const settings = [
    ...Object.entries<Setting<unknown>>(TRAIN_SETTINGS),
    ...Object.entries<Setting<unknown>>(RUN_SETTINGS),
  ];
  for (const [key, setting] of settings) {
    const flag = flagOf(key, setting);
    assert.match(help, new RegExp(`--${flag}\\b`));
    const shown = setting.show(setting.default);
    if (setting.kind === "value" && shown !== "") {
      assert.ok(help.includes(`(default: ${shown})`), flag);
    }
  }
});

Deno.test("the flags keep the names and defaults they had before the settings table", () => {
  const help = trainHelp();
  for (
    const line of [
      "--epochs <value>",
      "(default: 15)",
      "--batch-size <value>",
      "(default: 64)",
      "--lr-min <value>",
      "--weight-decay <value>",
      "(default: 0.0005)",
      "(default: 128,64)",
      "--target <value>",
      "(default: 98)",
      "--full-batch",
      "--nesterov",
      "--quiet",
      "--impl <value>",
      "--help",
    ]
  ) assert.ok(help.includes(line), line);
});

Deno.test("parseTrainArgs() reads the optimizer and dropout flags", () => {
  const { config } = parse([
    "--optimizer=adamw",
    "--beta1",
    "0.8",
    "--beta2",
    "0.99",
    "--eps",
    "1e-6",
    "--dropout",
    "0.2",
  ]);
  assert.equal(config.optimizer, "adamw");
  assert.equal(config.beta1, 0.8);
  assert.equal(config.beta2, 0.99);
  assert.equal(config.eps, 1e-6);
  assert.equal(config.dropout, 0.2);
});

Deno.test("configJson() records every flag under its metrics.json key", () => {
  const json = configJson(parse(["--batch-size", "32", "--out", "x"]));
  assert.deepEqual(json, {
    epochs: 15,
    batch_size: 32,
    lr: 0.05,
    lr_min: 0,
    schedule: "cosine",
    optimizer: "sgd",
    momentum: 0.9,
    nesterov: false,
    weight_decay: 0.0005,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    hidden: [128, 64],
    activation: "relu",
    dropout: 0,
    dtype: "f32",
    seed: 1,
    data: null,
    out: "x",
    target: 98,
    kernels: json.kernels,
    impl: "lib",
    full_batch: false,
    quiet: false,
    lab: false,
    lab_port: 8080,
    force: false,
    max_memory: 4096,
    resume: null,
  });
});

Deno.test("--lab takes --lab-port, a port from 0 to 65535", () => {
  const options = parse(["--lab", "--lab-port", "0"]);
  assert.equal(options.lab, true);
  assert.equal(options.labPort, 0);
  for (const bad of ["70000", "80.5", "x"]) {
    assert.throws(
      () => parse(["--lab", "--lab-port", bad]),
      /--lab-port.*a port from 0 to 65535/,
      bad,
    );
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
