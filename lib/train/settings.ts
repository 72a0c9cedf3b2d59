/**
 * The training settings, each declared once: its type (in
 * {@link TrainConfig}), default, validation, help text, and from its name the
 * `--flag` (`batchSize` → `--batch-size`) and the metrics.json key
 * (`batch_size`). {@link DEFAULT_CONFIG}, the command-line parser, `--help`,
 * the config in metrics.json and the `--impl` handling are all read from
 * {@link TRAIN_SETTINGS}. Adding a setting: a field in `TrainConfig` and its
 * entry in the table (the compiler refuses one without the other).
 *
 * @module
 */

import { type ActivationName, ACTIVATIONS } from "../nn/layers.ts";
import { OPTIMIZER_NAMES, type OptimizerName } from "../optim/registry.ts";
import { type ScheduleName, SCHEDULES } from "../optim/schedule.ts";
import type { DType } from "../base/tensor.ts";
import { parseDecimal } from "../base/decimal.ts";

/**
 * Everything that decides a training run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const config: TrainConfig = { ...DEFAULT_CONFIG, optimizer: "adam", lr: 0.001 };
 * assert(config.hidden.join() === "128,64");
 * ```
 */
export interface TrainConfig {
  /** Passes over the training split. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** The peak learning rate. */
  lr: number;
  /** Where the cosine schedule ends. */
  lrMin: number;
  /** How the learning rate moves over the run. */
  schedule: ScheduleName;
  /** The optimizer, by registry name (`lib/optim/registry.ts`). */
  optimizer: OptimizerName;
  /** SGD momentum. */
  momentum: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** L2 weight decay (decoupled with AdamW). */
  weightDecay: number;
  /** Adam's first-moment decay. */
  beta1: number;
  /** Adam's second-moment decay. */
  beta2: number;
  /** Adam's ε. */
  eps: number;
  /** Hidden layer widths, e.g. `[128, 64]`. */
  hidden: number[];
  /** The hidden activation. */
  activation: ActivationName;
  /** Probability of zeroing each hidden activation while training; 0 is off. */
  dropout: number;
  /** The dtype of the whole computation. */
  dtype: DType;
  /** Seeds initialization, shuffling and dropout. */
  seed: number;
}

/**
 * One setting: its default, how to read it from text, how to show it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const lr: Setting<number> = TRAIN_SETTINGS.lr;
 * assert(lr.parse("0.1") === 0.1 && lr.parse("-1") === undefined);
 * ```
 */
export interface Setting<T> {
  /** The value when nothing says otherwise. */
  readonly default: T;
  /** One line for `--help` and the README. */
  readonly help: string;
  /** `"value"` flags take text (`--lr 0.1`); `"switch"` flags stand alone. */
  readonly kind: "value" | "switch";
  /** What a valid value looks like, for the error message. */
  readonly expected: string;
  /**
   * Reads a flag's text.
   *
   * @returns The value, or `undefined` when the text is not a valid value.
   */
  parse(text: string): T | undefined;
  /** Writes a value as a flag would take it (`--help` shows defaults so). */
  show(value: T): string;
  /** Overrides the flag derived from the setting's name. */
  readonly flag?: string;
}

/**
 * Every setting of a record type, one entry per field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const settings: Settings<TrainConfig> = TRAIN_SETTINGS;
 * assert(settings.dropout.default === 0);
 * ```
 */
export type Settings<T> = { readonly [K in keyof T]-?: Setting<T[K]> };

/** A number that `ok` accepts; `expected` says which in words. */
export function numberSetting(
  value: number,
  ok: (x: number) => boolean,
  expected: string,
  help: string,
): Setting<number> {
  return {
    default: value,
    help,
    kind: "value",
    expected,
    parse: (text) => {
      const x = parseDecimal(text);
      return Number.isFinite(x) && ok(x) ? x : undefined;
    },
    show: (x) => `${x}`,
  };
}

/** A whole number `≥ min`. */
export function integerSetting(
  value: number,
  min: number,
  help: string,
): Setting<number> {
  const ok = (x: number) => Number.isSafeInteger(x) && x >= min;
  return numberSetting(value, ok, `a whole number ≥ ${min}`, help);
}

/** A number in [0, 1): momenta, β, dropout rates. */
export function fractionSetting(value: number, help: string): Setting<number> {
  return numberSetting(
    value,
    (x) => x >= 0 && x < 1,
    "a number in [0, 1)",
    help,
  );
}

/** One of a fixed list of names. */
export function choiceSetting<T extends string>(
  value: T,
  names: readonly T[],
  help: string,
): Setting<T> {
  return {
    default: value,
    help: `${help}: ${names.join(", ")}`,
    kind: "value",
    expected: `one of ${names.join(", ")}`,
    parse: (text) => names.find((name) => name === text),
    show: (name) => name,
  };
}

/** On or off; `--name` turns it on, `--no-name` off. */
export function switchSetting(value: boolean, help: string): Setting<boolean> {
  return {
    default: value,
    help,
    kind: "switch",
    expected: "no value",
    parse: () => undefined,
    show: (on) => (on ? "on" : "off"),
  };
}

/** Comma-separated layer widths; `none` (or nothing) for no hidden layer. */
function widthsSetting(value: number[], help: string): Setting<number[]> {
  return {
    default: value,
    help,
    kind: "value",
    expected: "comma-separated whole numbers ≥ 1 (e.g. 128,64)",
    parse: (text) => {
      if (text.trim() === "" || text === "none") return [];
      const widths = text.split(",").map((part) => parseDecimal(part));
      return widths.every((w) => Number.isSafeInteger(w) && w >= 1)
        ? widths
        : undefined;
    },
    show: (widths) => (widths.length > 0 ? widths.join(",") : "none"),
  };
}

const positive = (x: number) => x > 0;

/**
 * The training settings, in the order `--help` lists them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(TRAIN_SETTINGS.optimizer.expected === "one of sgd, adam, adamw");
 * assert(TRAIN_SETTINGS.hidden.show([128, 64]) === "128,64");
 * ```
 */
export const TRAIN_SETTINGS: Settings<TrainConfig> = {
  epochs: integerSetting(15, 1, "passes over the 50,000 training images"),
  batchSize: integerSetting(64, 1, "images per step"),
  lr: numberSetting(0.05, positive, "a positive number", "peak learning rate"),
  lrMin: numberSetting(
    0,
    (x) => x >= 0,
    "a number ≥ 0",
    "final learning rate of the cosine schedule",
  ),
  schedule: choiceSetting("cosine", SCHEDULES, "learning-rate schedule"),
  optimizer: choiceSetting("sgd", OPTIMIZER_NAMES, "optimizer"),
  momentum: fractionSetting(0.9, "SGD momentum, in [0, 1)"),
  nesterov: switchSetting(false, "Nesterov momentum instead of classical"),
  weightDecay: numberSetting(
    5e-4,
    (x) => x >= 0,
    "a number ≥ 0",
    "weight decay: L2 (sgd, adam) or decoupled (adamw)",
  ),
  beta1: fractionSetting(0.9, "Adam's first-moment decay β1, in [0, 1)"),
  beta2: fractionSetting(0.999, "Adam's second-moment decay β2, in [0, 1)"),
  eps: numberSetting(1e-8, positive, "a positive number", "Adam's ε, > 0"),
  hidden: widthsSetting([128, 64], "hidden layer widths, comma-separated"),
  activation: choiceSetting(
    "relu",
    Object.keys(ACTIVATIONS) as ActivationName[],
    "hidden activation",
  ),
  dropout: fractionSetting(
    0,
    "dropout after each hidden activation while training, in [0, 1)",
  ),
  dtype: choiceSetting<DType>("f32", ["f32", "f64"], "float type"),
  seed: integerSetting(1, 0, "seeds initialization, shuffling and dropout"),
};

/**
 * Every setting at its default: the kit's run, 784-128-64-10 ReLU, f32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(DEFAULT_CONFIG.epochs === 15 && DEFAULT_CONFIG.optimizer === "sgd");
 * ```
 */
export const DEFAULT_CONFIG: Readonly<TrainConfig> = defaultsOf(
  TRAIN_SETTINGS,
);

/** Every field of a settings table at its default. */
export function defaultsOf<T>(settings: Settings<T>): T {
  return Object.fromEntries(
    Object.entries<Setting<unknown>>(settings).map(([key, s]) => [
      key,
      s.default,
    ]),
  ) as T;
}

/** The `--flag` of a setting: its own, or its name in kebab case. */
export function flagOf(key: string, setting: Setting<unknown>): string {
  return setting.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The metrics.json key of a setting: its flag in snake case
 * (`--batch-size` → `batch_size`).
 */
export function metricsKeyOf(key: string, setting: Setting<unknown>): string {
  return flagOf(key, setting).replaceAll("-", "_");
}

/**
 * The `config` object metrics.json records: every setting by its metrics
 * key, absent optional values as `null`.
 */
export function settingsJson<T>(
  settings: Settings<T>,
  values: T,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries<Setting<unknown>>(settings).map(([key, setting]) => [
      metricsKeyOf(key, setting),
      (values as Record<string, unknown>)[key] ?? null,
    ]),
  );
}

/**
 * What is wrong with a config whose settings are each valid alone.
 *
 * @returns A message naming the flags, or `undefined` when nothing is.
 */
export function configProblem(config: TrainConfig): string | undefined {
  if (config.lrMin > config.lr) {
    return `--lr-min: ${config.lrMin} is above --lr ${config.lr}`;
  }
  return undefined;
}
