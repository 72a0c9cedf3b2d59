/**
 * `deno task train --impl exercises|solutions`: the full MNIST run with the
 * learner's own code (or the reference solutions, plugged in exactly where
 * the learner's code goes). Nothing from `lib/` touches the numbers: lib
 * only makes sure the data files are there, prints, and writes the run
 * folder (`metrics.json`, and `model.bin` in the kit's format so the other
 * tools can read the learner's model).
 *
 * @module
 */

import { join } from "node:path";
import { KitError, thrownMessage } from "../base/errors.ts";
import {
  findExercise,
  loadCurriculum,
  REPO_ROOT,
  stubPath,
  unfinishedTasks,
} from "../kit/curriculum.ts";
import { Linear } from "../nn/layers.ts";
import { ensureMnist } from "../data/mnist.ts";
import { Mlp } from "../nn/mlp.ts";
import { percent } from "./progress_bar.ts";
import { flagOf, TRAIN_SETTINGS, type TrainConfig } from "../train/settings.ts";
import type { Impl, TrainOptions } from "./train_args.ts";
import {
  type ImplEpoch,
  implRecorder,
  type ImplStep,
  writeImplRun,
} from "./impl_report.ts";
import { epochsText, printVerdict } from "./run_folder.ts";
import { withRunFolder } from "./preflight.ts";
import type { TrainHooks } from "../train/train.ts";

/** The exercise whose file holds `loadMnist` and `trainMnist`. */
export const IMPL_EXERCISE = "11";

/** The hyperparameters the exercises' `trainMnist` takes. */
export interface ImplConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  lrMin: number;
  schedule: "constant" | "step" | "cosine";
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  hidden: number[];
  activation: "relu" | "sigmoid" | "tanh";
  seed: number;
}

interface ImplTensor {
  data: Float64Array;
  shape: number[];
}

interface ImplSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  pixels: number;
}

/** What `exercises/11_mnist/mnist.ts` (and its solution) export. */
export interface ImplModule {
  MNIST_CONFIG: ImplConfig;
  loadMnist(
    dir: string,
  ): Promise<{ train: ImplSet; validation: ImplSet; test: ImplSet }>;
  trainMnist(
    data: { train: ImplSet; validation: ImplSet; test: ImplSet },
    config: ImplConfig,
    onEpoch?: (report: ImplEpoch) => void,
    onStep?: (report: ImplStep) => void,
  ): {
    model: {
      sizes: number[];
      activation: ImplConfig["activation"];
      layers: { weights: ImplTensor; bias: ImplTensor }[];
    };
    epochs: ImplEpoch[];
    validationAccuracy: number;
    testAccuracy: number;
    trainSeconds: number;
  };
}

/** The default PASS line for impl runs, in percent. */
export const IMPL_TARGET_PERCENT = 97;

/** Whether `--name` (or `--name=...`, or `--no-name`) appears in `args`. */
export function flagGiven(args: string[], name: string): boolean {
  return args.some((a) =>
    a === `--${name}` || a.startsWith(`--${name}=`) || a === `--no-${name}`
  );
}

/**
 * The run's hyperparameters: the implementation's own `MNIST_CONFIG`, with
 * every training setting given on the command line that it also has on top.
 *
 * @param base The module's `MNIST_CONFIG`.
 * @param options The parsed command line.
 * @param args The raw arguments, to tell given flags from defaults.
 */
export function implConfig(
  base: ImplConfig,
  options: TrainOptions,
  args: string[],
): ImplConfig {
  const config: ImplConfig = { ...base, hidden: [...base.hidden] };
  const target = config as unknown as Record<string, unknown>;
  for (const key of givenSettings(args)) {
    if (key in base) target[key] = options.config[key];
  }
  return config;
}

/** The training settings whose flags appear in `args`. */
function givenSettings(args: string[]): (keyof TrainConfig)[] {
  return (Object.keys(TRAIN_SETTINGS) as (keyof TrainConfig)[]).filter((key) =>
    flagGiven(args, flagOf(key, TRAIN_SETTINGS[key]))
  );
}

/**
 * The flags given that an impl run cannot honour: training settings its
 * `MNIST_CONFIG` lacks (dtype, optimizer, dropout, ...) and the kit's own
 * run options.
 */
export function ignoredFlags(base: ImplConfig, args: string[]): string[] {
  const settings = givenSettings(args).filter((key) => !(key in base))
    .map((key) => flagOf(key, TRAIN_SETTINGS[key]));
  const kitOnly = ["kernels", "full-batch"].filter((flag) =>
    flagGiven(args, flag)
  );
  return [...settings, ...kitOnly];
}

/** Loads the implementation's module. */
export async function loadImpl(
  impl: Exclude<Impl, "lib">,
  root = REPO_ROOT,
): Promise<ImplModule> {
  const curriculum = await loadCurriculum(root);
  const path = stubPath(findExercise(curriculum, IMPL_EXERCISE)).replace(
    /^exercises\//,
    `${impl}/`,
  );
  return await import(new URL(`file://${join(root, path)}`).href);
}

/**
 * Lists what is still unfinished in the exercises training needs (01 up
 * to {@link IMPL_EXERCISE}; the speed exercise after it is optional), one
 * line per file, for the refusal message.
 *
 * @returns Empty when every needed task of `impl` is implemented.
 */
export async function unfinishedLines(
  impl: Exclude<Impl, "lib">,
  root = REPO_ROOT,
): Promise<string[]> {
  const curriculum = await loadCurriculum(root);
  const lines: string[] = [];
  for (
    const { exercise, path, todos } of await unfinishedTasks(
      curriculum,
      impl,
      root,
    )
  ) {
    if (exercise.id > IMPL_EXERCISE) continue;
    const byTask = new Map<string, string[]>();
    for (const todo of todos) {
      byTask.set(todo.task, [...(byTask.get(todo.task) ?? []), todo.fn]);
    }
    const tasks = [...byTask].map(([task, fns]) => `${task} ${fns.join(", ")}`);
    lines.push(`  ${path}: ${tasks.join("; ")}`);
  }
  return lines;
}

/** Copies the learner's weights into the kit's `Mlp`, to save `model.bin`. */
function toKitModel(model: ReturnType<ImplModule["trainMnist"]>["model"]): Mlp {
  const kit = new Mlp({
    sizes: model.sizes,
    activation: model.activation,
    dtype: "f64",
  });
  const linears = kit.layers.filter((l) => l instanceof Linear);
  linears.forEach((layer, i) => {
    layer.weights.data.set(model.layers[i].weights.data);
    layer.bias.data.set(model.layers[i].bias.data);
  });
  return kit;
}

/**
 * Runs the command for `--impl exercises` or `--impl solutions`.
 *
 * @param options The parsed command line.
 * @param args The raw arguments (to see which flags were given).
 * @param watcher More hooks for every step and epoch (the lab's live stream).
 * @returns The exit code: 0 PASS, 1 FAIL, unfinished tasks or a failure in
 * the implementation.
 * @throws {KitError} On bad data or an unusable run folder, which the
 * caller prints as it prints lib runs' errors.
 */
export async function implTrainCommand(
  options: TrainOptions,
  args: string[],
  watcher?: TrainHooks,
): Promise<number> {
  const impl = options.impl;
  if (impl === "lib") throw new Error("implTrainCommand: impl is lib");
  const unfinished = await unfinishedLines(impl);
  if (unfinished.length > 0) {
    console.error(
      `error: --impl ${impl}: these tasks are not implemented yet, so the network cannot train:`,
    );
    for (const line of unfinished) console.error(line);
    console.error(
      "help: `deno task progress` shows the next task; `deno task train --impl solutions` runs the reference answers",
    );
    return 1;
  }
  try {
    const module = await loadImpl(impl);
    for (const flag of ignoredFlags(module.MNIST_CONFIG, args)) {
      console.error(
        `note: --${flag} is ignored with --impl ${impl}: that run uses exercise 11's MNIST_CONFIG (plus the flags given) and its own float64 loops`,
      );
    }
    return await runImpl(module, options, args, impl, watcher);
  } catch (error) {
    if (impl !== "exercises" || error instanceof KitError) throw error;
    // Learners' code may throw anything, not only an Error.
    console.error(`error: your code threw: ${thrownMessage(error)}`);
    const frame = error instanceof Error
      ? error.stack?.split("\n").find((l) => l.includes("/exercises/"))
      : undefined;
    if (frame) console.error(`  ${frame.trim()}`);
    console.error(
      "help: run the exercises' tests (`deno test exercises/`) to find the piece at fault",
    );
    return 1;
  }
}

/** Loads the data with the impl's code, trains, writes the run folder. */
async function runImpl(
  module: ImplModule,
  options: TrainOptions,
  args: string[],
  impl: Exclude<Impl, "lib">,
  watcher?: TrainHooks,
): Promise<number> {
  const config = implConfig(module.MNIST_CONFIG, options, args);
  const { dir, data } = await loadImplData(module, options.data, impl);
  const startedAt = new Date();
  return await withRunFolder(
    options.out,
    { startedAt, force: options.force, quiet: options.quiet },
    (runDir) =>
      trainImplInto(runDir, { module, config, dir, data, startedAt }, {
        options,
        args,
        impl,
        watcher,
      }),
  );
}

/** Trains with the impl's code and writes the run's files into `runDir`. */
async function trainImplInto(
  runDir: string,
  { module, config, dir, data, startedAt }: {
    module: ImplModule;
    config: ImplConfig;
    dir: string;
    data: Awaited<ReturnType<ImplModule["loadMnist"]>>;
    startedAt: Date;
  },
  { options, args, impl, watcher }: {
    options: TrainOptions;
    args: string[];
    impl: Exclude<Impl, "lib">;
    watcher?: TrainHooks;
  },
): Promise<number> {
  const sizes = [data.train.pixels, ...config.hidden, 10];
  if (!options.quiet) {
    console.log(
      `training ${
        sizes.join("-")
      } ${config.activation} with the code in ${impl}/ on ${data.train.count} images ` +
        `for ${epochsText(config.epochs)} (seed ${config.seed}) → ${runDir}`,
    );
  }
  const recorder = implRecorder(
    config,
    data.train.count,
    options.quiet,
    watcher,
  );
  const result = module.trainMnist(
    data,
    config,
    recorder.onEpoch,
    recorder.onStep,
  );
  const target = flagGiven(args, "target")
    ? options.targetPercent
    : IMPL_TARGET_PERCENT;
  await writeImplRun({
    runDir,
    impl,
    target,
    options: { ...options, config: { ...options.config, ...config } },
    startedAt,
    recorder,
    result,
    model: toKitModel(result.model),
    data,
    dir,
  });
  return printImplSummary(result, target, runDir, options.quiet, impl) ? 0 : 1;
}

/** The closing lines of an impl run; returns whether it met its target. */
function printImplSummary(
  result: ReturnType<ImplModule["trainMnist"]>,
  targetPercent: number,
  runDir: string,
  quiet: boolean,
  impl: Exclude<Impl, "lib">,
): boolean {
  if (!quiet) {
    console.log(
      `validation ${percent(result.validationAccuracy)}, test ${
        percent(result.testAccuracy)
      }; run folder ${runDir}`,
    );
  }
  return printVerdict({
    testAccuracy: result.testAccuracy,
    targetPercent,
    trainSeconds: result.trainSeconds,
    epochs: result.epochs.length,
    suffix: ` (--impl ${impl})`,
  });
}

/** MNIST read by the impl's own `loadMnist`, from `--data` or the cache. */
async function loadImplData(
  module: ImplModule,
  data: string | undefined,
  impl: Exclude<Impl, "lib">,
): Promise<
  { dir: string; data: Awaited<ReturnType<ImplModule["loadMnist"]>> }
> {
  const dir = data ?? await ensureMnist();
  try {
    return { dir, data: await module.loadMnist(dir) };
  } catch (error) {
    throw new KitError(
      `${dir}: cannot load MNIST with the code in ${impl}/ (${
        thrownMessage(error)
      })`,
      "pass --data DIR with the four uncompressed MNIST files, or leave --data out for the cache in data/",
    );
  }
}
