/**
 * The `deno task train` command line. Its flags are the training settings
 * of `lib/train/settings.ts` plus {@link RUN_SETTINGS} (where the data comes
 * from, where the run goes, which code trains); the parser, `--help` and the
 * run's metrics.json config all read those two tables.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  DEFAULT_KERNELS,
  KERNEL_NAMES,
  type KernelName,
} from "../kernels/registry.ts";
import { DEFAULT_LAB_PORT, isPort } from "../lab/server.ts";
import {
  choiceSetting,
  configProblem,
  flagOf,
  numberSetting,
  type Setting,
  type Settings,
  settingsJson,
  switchSetting,
  TRAIN_SETTINGS,
  type TrainConfig,
} from "../train/settings.ts";

import {
  repeatedFlag,
  SAFETY_SETTINGS,
  type SafetyOptions,
} from "./strict_args.ts";
import { DEBUG_FLAG, DEBUG_HELP } from "./guard.ts";

/** Thrown for a flag the command cannot accept; the CLI exits with 2. */
export class UsageError extends Error {
  /** @param message Names the flag and what was expected. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Whose code `deno task train` runs. */
export const IMPLS = ["lib", "exercises", "solutions"] as const;

/** `"lib"` (the fast library), `"exercises"` (yours), `"solutions"`. */
export type Impl = typeof IMPLS[number];

/** How a run is carried out, as opposed to what it computes. */
export interface RunOptions extends SafetyOptions {
  /** A folder with the four MNIST files; the verified cache when absent. */
  data?: string;
  /** The run folder; `runs/<timestamp>/` when absent. */
  out?: string;
  /** The test accuracy to reach for PASS, in percent. */
  targetPercent: number;
  /** The matrix-product kernels, by name. */
  kernels: KernelName;
  /** Whose code trains. */
  impl: Impl;
  /** Whether `--full-batch` chose the recipe. */
  fullBatch: boolean;
  /** Print only the summary line. */
  quiet: boolean;
  /** Serve the lab while training, streaming every step to its Live view. */
  lab: boolean;
  /** The lab's port on 127.0.0.1, with `lab`. */
  labPort: number;
}

/** What `deno task train` was asked to do. */
export interface TrainOptions extends RunOptions {
  /** The hyperparameters and seed. */
  config: TrainConfig;
}

function folderSetting(help: string): Setting<string | undefined> {
  return {
    default: undefined,
    help,
    kind: "value",
    expected: "a folder",
    parse: (text) => text || undefined,
    show: (dir) => dir ?? "",
  };
}

/** The flags that say how a run is carried out, in `--help` order. */
export const RUN_SETTINGS: Settings<RunOptions> = {
  data: folderSetting(
    "folder with the four MNIST files (default: verified cache in data/)",
  ),
  out: folderSetting("run folder (default: runs/<timestamp>/)"),
  targetPercent: {
    ...numberSetting(
      98,
      (x) => x > 0 && x <= 100,
      "a percentage in (0, 100]",
      "test accuracy in percent that counts as PASS",
    ),
    flag: "target",
  },
  kernels: choiceSetting(
    DEFAULT_KERNELS,
    KERNEL_NAMES,
    "matrix-product kernels",
  ),
  impl: {
    ...choiceSetting("lib", IMPLS, "whose code trains"),
    help: `whose code trains: ${
      IMPLS.join(", ")
    } (the last two default to exercise 11's MNIST_CONFIG and --target 97)`,
  },
  fullBatch: switchSetting(
    false,
    "the original project's recipe: 300 steps over all 50,000 images at once, " +
      "momentum 0.9, cosine 0.05 → 0.01, no weight decay, kernels on two threads (flags given still win)",
  ),
  quiet: switchSetting(false, "print only the summary line"),
  lab: switchSetting(
    false,
    "serve the lab (deno task lab) while training: its Live view streams every step; it keeps serving after the run until Ctrl-C",
  ),
  labPort: numberSetting(
    DEFAULT_LAB_PORT,
    isPort,
    "a port from 0 to 65535",
    "the lab's port on 127.0.0.1 with --lab (0: any free port)",
  ),
  ...SAFETY_SETTINGS,
};

/** What `--full-batch` sets, unless given: the original project's recipe. */
export const FULL_BATCH_PRESET: Readonly<Partial<RunOptions & TrainConfig>> = {
  epochs: 300,
  batchSize: 50000,
  lr: 0.05,
  lrMin: 0.01,
  schedule: "cosine",
  momentum: 0.9,
  nesterov: false,
  weightDecay: 0,
  // A batch of 50,000 is where the second core pays: 1.4x per step.
  kernels: "wasm-workers",
};

/** Every flag: the training settings, then the run's, by setting name. */
function allSettings(): [string, Setting<unknown>][] {
  return [
    ...Object.entries<Setting<unknown>>(TRAIN_SETTINGS),
    ...Object.entries<Setting<unknown>>(RUN_SETTINGS),
  ];
}

/** @returns The `--help` text: usage and every flag with its default. */
export function trainHelp(): string {
  const lines = [
    "Train a fully connected network on MNIST, from scratch.",
    "",
    "Usage: deno task train [flags]",
    "",
  ];
  const line = (flag: string, help: string) =>
    lines.push(`  ${flag.padEnd(24)} ${help}`);
  for (const [key, setting] of allSettings()) {
    const flag = `--${flagOf(key, setting)}`;
    const shown = setting.show(setting.default);
    const fallback = setting.kind === "switch"
      ? (setting.default ? " (default: on)" : "")
      : shown === ""
      ? ""
      : ` (default: ${shown})`;
    line(
      setting.kind === "value" ? `${flag} <value>` : flag,
      setting.help + fallback,
    );
  }
  line(DEBUG_FLAG, DEBUG_HELP);
  line("--help, -h", "show this help");
  return lines.join("\n");
}

/**
 * Reads the command line: each flag given, else `--full-batch`'s preset,
 * else the setting's default.
 *
 * @returns The options, or `"help"` when `--help` was given.
 * @throws {UsageError} On an unknown flag or a value out of range.
 */
export function parseTrainArgs(args: string[]): TrainOptions | "help" {
  const given = readFlags(args);
  if (given.help) return "help";
  const preset = given["full-batch"] ? FULL_BATCH_PRESET : {};
  const config = readSettings(TRAIN_SETTINGS, given, preset);
  const problem = configProblem(config);
  if (problem) throw new UsageError(problem);
  return { config, ...readSettings(RUN_SETTINGS, given, preset) };
}

/**
 * The `config` object of a run's metrics.json: every flag's value by its
 * metrics key.
 */
export function configJson(options: TrainOptions): Record<string, unknown> {
  return {
    ...settingsJson(TRAIN_SETTINGS, options.config),
    ...settingsJson(RUN_SETTINGS, options),
  };
}

type Given = Record<string, string | boolean | undefined>;

function readFlags(args: string[]): Given {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string }
  > = { help: { type: "boolean", short: "h" } };
  for (const [key, setting] of allSettings()) {
    const type = setting.kind === "value" ? "string" : "boolean";
    options[flagOf(key, setting)] = { type };
  }
  const repeated = repeatedFlag(args, options);
  if (repeated) {
    throw new UsageError(`--${repeated}: given twice; give each flag once`);
  }
  try {
    return parseArgs({
      args,
      options,
      allowNegative: true,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw error;
    throw new UsageError(parseArgsProblem((error as Error).message, args));
  }
}

/**
 * One line for a `parseArgs` error. Its "argument is ambiguous" (a value
 * that starts with a dash, `--lr -1`) becomes how to give that value.
 */
function parseArgsProblem(message: string, args: string[]): string {
  const dashed = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
  const value = dashed ? args[args.indexOf(dashed[1]) + 1] : undefined;
  if (dashed && value !== undefined) {
    return `${dashed[1]}: a value that starts with "-" goes after "=": ${
      dashed[1]
    }=${value}`;
  }
  return message.split("\n")[0];
}

function readSettings<T>(
  settings: Settings<T>,
  given: Given,
  preset: Readonly<Record<string, unknown>>,
): T {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries<Setting<unknown>>(settings)) {
    const flag = flagOf(key, setting);
    const text = given[flag];
    if (text === undefined) {
      values[key] = key in preset ? preset[key] : setting.default;
    } else if (typeof text === "boolean") {
      values[key] = text;
    } else {
      values[key] = setting.parse(text);
      // undefined means "not a valid value", unless it is the default
      // (an absent --data or --out); an empty --data or --out is refused.
      if (
        values[key] === undefined &&
        (setting.default !== undefined || text === "")
      ) {
        throw new UsageError(
          `--${flag}: expected ${setting.expected}, got "${text}"`,
        );
      }
    }
  }
  return values as T;
}
