/**
 * Reading a run folder's `metrics.json` (schema: lib/train/run_files.ts) back,
 * checking every field the report uses, so a malformed file gets a one-line
 * message naming the field instead of a broken page.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import { CHECKPOINT_FILE } from "../train/checkpoint.ts";
import { METRICS_FILE } from "../train/run_files.ts";
import { type ScheduleName, SCHEDULES } from "../optim/schedule.ts";

/** A mistake as `metrics.json` lists it. */
export interface MetricsMiss {
  /** Index in its set (validation: from the split's start). */
  index: number;
  /** The true digit. */
  label: number;
  /** What the network said. */
  predicted: number;
  /** Softmax probability of `predicted`. */
  confidence: number;
}

/** One epoch as `metrics.json` lists it. */
export interface MetricsEpoch {
  /** From 1. */
  epoch: number;
  /** Mean training loss. */
  train_loss: number;
  /** Fraction of training images right during the epoch. */
  train_accuracy: number;
  /** Fraction of validation images right after it. */
  val_accuracy: number;
  /** Training time. */
  seconds: number;
  /** Training images per second. */
  samples_per_second: number;
  /** Learning rate at its first step. */
  lr: number;
}

/** The parts of `metrics.json` the report reads, checked. */
export interface RunMetrics {
  /** Every flag's value; the report reads the schedule fields. */
  config: Record<string, unknown> & {
    epochs: number;
    batch_size: number;
    lr: number;
    lr_min: number;
    schedule: ScheduleName;
  };
  /** The seed. */
  seed: number;
  /** One per epoch. */
  epochs: MetricsEpoch[];
  /** `[steps]` training accuracy of each batch. */
  batch_accuracy: number[];
  /** `[steps]` training loss of each batch. */
  batch_loss: number[];
  /** Sum of the epochs' training time. */
  train_seconds: number;
  /** Final validation accuracy. */
  val_accuracy: number;
  /** Final test accuracy. */
  test_accuracy: number;
  /** Every mistake of the final model. */
  missed: { validation: MetricsMiss[]; test: MetricsMiss[] };
  /** The model file and architecture. */
  model: {
    file: string;
    sizes: number[];
    activation: string;
    dtype: string;
    parameters: number;
  };
  /** Where the data came from and the split sizes. */
  data: {
    dir: string;
    train: number;
    validation: number;
    test: number;
    scale: number;
  };
  /** Kit, Deno, V8 and TypeScript versions. */
  versions: Record<string, string>;
  /** ISO time the run began. */
  started_at: string;
}

type Check = (value: unknown) => boolean;

const isNumber: Check = (v) => typeof v === "number" && Number.isFinite(v);
const isCount: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const isFraction: Check = (v) =>
  isNumber(v) && (v as number) >= 0 && v as number <= 1;
const isString: Check = (v) => typeof v === "string";
const isObject: Check = (v) =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isDigit: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 9;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "string") {
    return `the string ${JSON.stringify(value.slice(0, 40))}`;
  }
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Field checks over one parsed file, each failing with the field's path. */
interface FieldChecker {
  /** Throws naming `path`, what was expected and what was found. */
  fail(path: string, expected: string, found: unknown): never;
  /** The value at a dotted `path`, which must pass `check`. */
  field(path: string, check: Check, expected: string): unknown;
  /** The list at `path`, at least `minLength` long, every item passing `check`. */
  list(
    path: string,
    check: Check,
    expected: string,
    minLength?: number,
  ): unknown[];
}

function fieldChecker(json: unknown, source: string): FieldChecker {
  const fail = (path: string, expected: string, found: unknown): never => {
    throw new KitError(
      `${source}: expected "${path}" to be ${expected}, found ${
        describe(found)
      }`,
      "metrics.json is written by `deno task train`; train again to get a complete run folder",
    );
  };
  const field = (path: string, check: Check, expected: string): unknown => {
    let value = json;
    for (const key of path.split(".")) {
      value = isObject(value) || Array.isArray(value)
        ? (value as Record<string, unknown>)[key]
        : undefined;
    }
    if (!check(value)) fail(path, expected, value);
    return value;
  };
  const list = (
    path: string,
    check: Check,
    expected: string,
    minLength = 0,
  ): unknown[] => {
    const value = field(path, Array.isArray, `a list of ${expected}`);
    const items = value as unknown[];
    if (items.length < minLength) {
      fail(path, `a list of at least ${minLength} ${expected}`, value);
    }
    items.forEach((item, i) => {
      if (!check(item)) fail(`${path}[${i}]`, expected, item);
    });
    return items;
  };
  return { fail, field, list };
}

/**
 * Checks a parsed `metrics.json`.
 *
 * @param json The parsed file.
 * @param source The file's path, for messages.
 * @returns The same object, typed.
 * @throws {KitError} Naming the first field that is missing or of the wrong
 * kind, and what was expected.
 */
export function checkRunMetrics(json: unknown, source: string): RunMetrics {
  const checker = fieldChecker(json, source);
  if (!isObject(json)) checker.fail("(top level)", "an object", json);
  checkConfig(checker);
  checkCurves(checker);
  checkMissed(checker);
  const { field, list } = checker;
  field("model.file", isString, "a file name");
  list("model.sizes", isCount, "layer widths", 2);
  for (const name of ["train", "validation", "test"]) {
    field(`data.${name}`, isCount, "an image count");
  }
  field("data.dir", isString, "a folder");
  field("data.scale", isNumber, "a number");
  return json as RunMetrics;
}

/** `config` (the flags the report reads) and `seed`. */
function checkConfig({ field }: FieldChecker): void {
  field("config", isObject, "an object of flags");
  for (const name of ["epochs", "batch_size"]) {
    field(`config.${name}`, isCount, "a whole number");
  }
  for (const name of ["lr", "lr_min"]) {
    field(`config.${name}`, isNumber, "a number");
  }
  field(
    "config.schedule",
    (v) => (SCHEDULES as readonly unknown[]).includes(v),
    `one of ${SCHEDULES.join(", ")}`,
  );
  field("seed", isNumber, "a number");
}

/** The per-epoch records, per-step curves and final accuracies. */
function checkCurves({ fail, field, list }: FieldChecker): void {
  const epochKeys = [
    "epoch",
    "train_loss",
    "train_accuracy",
    "val_accuracy",
    "seconds",
    "samples_per_second",
    "lr",
  ];
  const epochs = list("epochs", isObject, "epoch records", 1);
  epochs.forEach((_, i) => {
    for (const key of epochKeys) {
      field(`epochs.${i}.${key}`, isNumber, "a number");
    }
  });
  const steps = list("batch_accuracy", isNumber, "numbers", 1).length;
  const losses = list("batch_loss", isNumber, "numbers");
  if (losses.length !== steps) {
    fail(
      "batch_loss",
      `a list of ${steps} numbers like batch_accuracy`,
      losses,
    );
  }
  field("train_seconds", isNumber, "a number");
  field("val_accuracy", isFraction, "a fraction in [0, 1]");
  field("test_accuracy", isFraction, "a fraction in [0, 1]");
}

/** `missed.validation` and `missed.test`: every miss's four fields. */
function checkMissed({ field, list }: FieldChecker): void {
  for (const set of ["validation", "test"]) {
    const misses = list(
      `missed.${set}`,
      isObject,
      "{index, label, predicted, confidence}",
    );
    misses.forEach((_, i) => {
      const at = `missed.${set}.${i}`;
      field(`${at}.index`, isCount, "an image index");
      field(`${at}.label`, isDigit, "a digit 0-9");
      field(`${at}.predicted`, isDigit, "a digit 0-9");
      field(`${at}.confidence`, isFraction, "a probability in [0, 1]");
    });
  }
}

/**
 * Reads and checks `RUN_DIR/metrics.json`.
 *
 * @param runDir The run folder.
 * @returns The checked metrics.
 * @throws {KitError} When the folder or the file is missing or unreadable,
 * the file is not JSON, or a field is missing or of the wrong kind.
 */
export async function readRunMetrics(runDir: string): Promise<RunMetrics> {
  const stat = await Deno.stat(runDir).catch(() => null);
  if (!stat?.isDirectory) {
    throw new KitError(
      `${runDir}: ${
        stat ? "not a folder" : "no such folder"
      }; expected a run folder written by \`deno task train\``,
    );
  }
  const path = join(runDir, METRICS_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "missing"
      : `cannot read (${(error as Error).message})`;
    const interrupted = await Deno.stat(join(runDir, CHECKPOINT_FILE))
      .then(() => true, () => false);
    throw new KitError(
      `${path}: ${why}; expected the metrics.json that \`deno task train\` writes into every run folder`,
      interrupted
        ? `the run was interrupted before it finished: continue it with \`deno task train --resume ${runDir}\``
        : undefined,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KitError(
      `${path}: not valid JSON (${(error as Error).message.split("\n")[0]})`,
    );
  }
  return checkRunMetrics(json, path);
}
