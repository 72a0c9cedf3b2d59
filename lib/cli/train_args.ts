/**
 * The `deno task train` command line: flags, defaults, validation, help.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  DEFAULT_KERNELS,
  KERNEL_NAMES,
  type KernelName,
} from "../kernels/registry.ts";
import { type ActivationName, ACTIVATIONS } from "../nn/layers.ts";
import { OPTIMIZER_NAMES, type OptimizerName } from "../optim/registry.ts";
import { type ScheduleName, SCHEDULES } from "../optim/schedule.ts";
import { DEFAULT_CONFIG, type TrainConfig } from "../train/train.ts";

export type { TrainOptions } from "../train/options.ts";
import type { TrainOptions } from "../train/options.ts";

/** Thrown for a flag the command cannot accept; the CLI exits with 2. */
export class UsageError extends Error {
  /** @param message Names the flag and what was expected. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

interface FlagSpec {
  type: "string" | "boolean";
  help: string;
  default: string | boolean;
  short?: string;
}

const d = DEFAULT_CONFIG;

/** Every flag, its help line and its default, in the order `--help` lists them. */
export const TRAIN_FLAGS: Readonly<Record<string, FlagSpec>> = {
  epochs: {
    type: "string",
    default: `${d.epochs}`,
    help: "passes over the 50,000 training images",
  },
  "batch-size": {
    type: "string",
    default: `${d.batchSize}`,
    help: "images per SGD step",
  },
  lr: { type: "string", default: `${d.lr}`, help: "peak learning rate" },
  "lr-min": {
    type: "string",
    default: `${d.lrMin}`,
    help: "final learning rate of the cosine schedule",
  },
  schedule: {
    type: "string",
    default: d.schedule,
    help: `learning-rate schedule: ${SCHEDULES.join(", ")}`,
  },
  momentum: {
    type: "string",
    default: `${d.momentum}`,
    help: "SGD momentum, in [0, 1)",
  },
  nesterov: {
    type: "boolean",
    default: d.nesterov,
    help: "Nesterov momentum instead of classical momentum",
  },
  "weight-decay": {
    type: "string",
    default: `${d.weightDecay}`,
    help: "L2 weight decay",
  },
  optimizer: {
    type: "string",
    default: d.optimizer,
    help: `optimizer: ${OPTIMIZER_NAMES.join(", ")}`,
  },
  beta1: {
    type: "string",
    default: `${d.beta1}`,
    help: "Adam's β1, in [0, 1)",
  },
  beta2: {
    type: "string",
    default: `${d.beta2}`,
    help: "Adam's β2, in [0, 1)",
  },
  eps: { type: "string", default: `${d.eps}`, help: "Adam's ε, > 0" },
  hidden: {
    type: "string",
    default: d.hidden.join(","),
    help: "hidden layer widths, comma-separated",
  },
  activation: {
    type: "string",
    default: d.activation,
    help: `hidden activation: ${Object.keys(ACTIVATIONS).join(", ")}`,
  },
  dtype: { type: "string", default: d.dtype, help: "float type: f32 or f64" },
  seed: {
    type: "string",
    default: `${d.seed}`,
    help: "seeds initialization and shuffling",
  },
  data: {
    type: "string",
    default: "",
    help: "folder with the four MNIST files (default: verified cache in data/)",
  },
  out: {
    type: "string",
    default: "",
    help: "run folder (default: runs/<timestamp>/)",
  },
  target: {
    type: "string",
    default: "98",
    help: "test accuracy in percent that counts as PASS",
  },
  kernels: {
    type: "string",
    default: DEFAULT_KERNELS,
    help: `matrix-product kernels: ${KERNEL_NAMES.join(", ")}`,
  },
  impl: {
    type: "string",
    default: "lib",
    help:
      "whose code trains: lib, exercises (yours) or solutions; impl runs default to exercise 11's MNIST_CONFIG and --target 97",
  },
  "full-batch": {
    type: "boolean",
    default: false,
    help:
      "the original project's recipe: 300 steps over all 50,000 images at once, " +
      "momentum 0.9, cosine 0.05 → 0.01, no weight decay, kernels on two threads (flags given still win)",
  },
  quiet: {
    type: "boolean",
    default: false,
    help: "print only the summary line",
  },
  help: { type: "boolean", default: false, short: "h", help: "show this help" },
};

/** The flags `--full-batch` sets, unless given: the original project's recipe. */
export const FULL_BATCH_PRESET: Readonly<Record<string, string | boolean>> = {
  epochs: "300",
  "batch-size": "50000",
  lr: "0.05",
  "lr-min": "0.01",
  schedule: "cosine",
  momentum: "0.9",
  nesterov: false,
  "weight-decay": "0",
  // A batch of 50,000 is where the second core pays: 1.4x per step.
  kernels: "wasm-workers",
};

/** @returns The `--help` text: usage and every flag with its default. */
export function trainHelp(): string {
  const lines = [
    "Train a fully connected network on MNIST, from scratch.",
    "",
    "Usage: deno task train [flags]",
    "",
  ];
  for (const [name, spec] of Object.entries(TRAIN_FLAGS)) {
    const flag = spec.type === "string" ? `--${name} <value>` : `--${name}`;
    const fallback = spec.type === "string" && spec.default !== ""
      ? ` (default: ${spec.default})`
      : spec.type === "boolean" && spec.default
      ? " (default: on)"
      : "";
    lines.push(`  ${flag.padEnd(24)} ${spec.help}${fallback}`);
  }
  return lines.join("\n");
}

/**
 * @param args The command-line arguments.
 * @returns The options, or `"help"` when `--help` was given.
 * @throws {UsageError} On an unknown flag or a value out of range.
 */
export function parseTrainArgs(args: string[]): TrainOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(TRAIN_FLAGS).map(([name, spec]) => [
          name,
          spec.short
            ? { type: spec.type, short: spec.short }
            : { type: spec.type },
        ]),
      ),
      allowNegative: true,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw error;
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  if (values.help) return "help";
  // --full-batch swaps in the original project's recipe for every flag the
  // user did not give.
  const preset: Record<string, string | boolean> = values["full-batch"]
    ? FULL_BATCH_PRESET
    : {};
  const get = (name: string): string =>
    (values[name] as string | undefined) ??
      (preset[name] as string | undefined) ??
      (TRAIN_FLAGS[name].default as string);
  const flag = (name: string): boolean =>
    (values[name] as boolean | undefined) ??
      (preset[name] as boolean | undefined) ??
      (TRAIN_FLAGS[name].default as boolean);

  const config: TrainConfig = {
    epochs: integer("epochs", get("epochs"), 1),
    batchSize: integer("batch-size", get("batch-size"), 1),
    lr: number("lr", get("lr"), (x) => x > 0, "a positive number"),
    lrMin: number("lr-min", get("lr-min"), (x) => x >= 0, "a number ≥ 0"),
    schedule: choice("schedule", get("schedule"), SCHEDULES) as ScheduleName,
    momentum: number(
      "momentum",
      get("momentum"),
      (x) => x >= 0 && x < 1,
      "a number in [0, 1)",
    ),
    nesterov: flag("nesterov"),
    weightDecay: number(
      "weight-decay",
      get("weight-decay"),
      (x) => x >= 0,
      "a number ≥ 0",
    ),
    optimizer: choice(
      "optimizer",
      get("optimizer"),
      OPTIMIZER_NAMES,
    ) as OptimizerName,
    beta1: number(
      "beta1",
      get("beta1"),
      (x) => x >= 0 && x < 1,
      "a number in [0, 1)",
    ),
    beta2: number(
      "beta2",
      get("beta2"),
      (x) => x >= 0 && x < 1,
      "a number in [0, 1)",
    ),
    eps: number("eps", get("eps"), (x) => x > 0, "a positive number"),
    hidden: widths(get("hidden")),
    activation: choice(
      "activation",
      get("activation"),
      Object.keys(ACTIVATIONS),
    ) as ActivationName,
    dtype: choice("dtype", get("dtype"), ["f32", "f64"]) as "f32" | "f64",
    seed: integer("seed", get("seed"), 0),
  };
  if (config.lrMin > config.lr) {
    throw new UsageError(
      `--lr-min: ${config.lrMin} is above --lr ${config.lr}`,
    );
  }
  return {
    config,
    data: get("data") || undefined,
    out: get("out") || undefined,
    targetPercent: number(
      "target",
      get("target"),
      (x) => x > 0 && x <= 100,
      "a percentage in (0, 100]",
    ),
    quiet: flag("quiet"),
    fullBatch: flag("full-batch"),
    kernels: choice("kernels", get("kernels"), KERNEL_NAMES) as KernelName,
    impl: choice("impl", get("impl"), ["lib", "exercises", "solutions"]) as
      | "lib"
      | "exercises"
      | "solutions",
  };
}

function number(
  name: string,
  text: string,
  ok: (x: number) => boolean,
  expected: string,
): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value) || !ok(value)) {
    throw new UsageError(`--${name}: expected ${expected}, got "${text}"`);
  }
  return value;
}

function integer(name: string, text: string, min: number): number {
  return number(
    name,
    text,
    (x) => Number.isSafeInteger(x) && x >= min,
    min === 0 ? "a whole number ≥ 0" : `a whole number ≥ ${min}`,
  );
}

function choice(
  name: string,
  text: string,
  allowed: readonly string[],
): string {
  if (!allowed.includes(text)) {
    throw new UsageError(
      `--${name}: expected one of ${allowed.join(", ")}, got "${text}"`,
    );
  }
  return text;
}

function widths(text: string): number[] {
  if (text.trim() === "" || text === "none") return [];
  return text.split(",").map((part) =>
    number(
      "hidden",
      part,
      (x) => Number.isSafeInteger(x) && x >= 1,
      `comma-separated whole numbers ≥ 1 (e.g. 128,64)`,
    )
  );
}
