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
import { KitError } from "../base/errors.ts";
import {
  findExercise,
  loadCurriculum,
  REPO_ROOT,
  stubPath,
  unfinishedTasks,
} from "../kit/curriculum.ts";
import { Linear } from "../nn/layers.ts";
import { ensureMnist } from "../data/mnist.ts";
import { fitNormalizer } from "../data/dataset.ts";
import { Mlp } from "../nn/mlp.ts";
import { saveModel } from "../train/model_file.ts";
import { formatEpoch, percent } from "./progress_bar.ts";
import { METRICS_FILE, MODEL_FILE, writeMetrics } from "../train/run_files.ts";
import { learningRateAt } from "../optim/schedule.ts";
import type { TrainOptions } from "./train_args.ts";

/** Whose code `deno task train` runs. */
export const IMPLS = ["lib", "exercises", "solutions"] as const;

/** `"lib"` (the fast library), `"exercises"` (yours), `"solutions"`. */
export type Impl = typeof IMPLS[number];

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

interface ImplEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  seconds: number;
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

/** `--flag` names that map onto {@link ImplConfig} fields. */
const CONFIG_FLAGS: Record<string, keyof ImplConfig> = {
  epochs: "epochs",
  "batch-size": "batchSize",
  lr: "lr",
  "lr-min": "lrMin",
  schedule: "schedule",
  momentum: "momentum",
  nesterov: "nesterov",
  "weight-decay": "weightDecay",
  hidden: "hidden",
  activation: "activation",
  seed: "seed",
};

/** Whether `--name` (or `--name=...`, or `--no-name`) appears in `args`. */
export function flagGiven(args: string[], name: string): boolean {
  return args.some((a) =>
    a === `--${name}` || a.startsWith(`--${name}=`) || a === `--no-${name}`
  );
}

/**
 * The run's hyperparameters: the implementation's own `MNIST_CONFIG`, with
 * every flag given on the command line on top.
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
  const given = options.config as unknown as Record<string, unknown>;
  const target = config as unknown as Record<string, unknown>;
  for (const [flag, field] of Object.entries(CONFIG_FLAGS)) {
    if (flagGiven(args, flag)) target[field] = given[field];
  }
  return config;
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

async function makeRunDir(out: string | undefined): Promise<string> {
  const dir = out ??
    join(
      "runs",
      new Date().toISOString().replace(/:/g, "-").replace(/\..*$/, ""),
    );
  for (const file of [METRICS_FILE, MODEL_FILE]) {
    if (await Deno.stat(join(dir, file)).then(() => true, () => false)) {
      throw new KitError(
        `${dir}: already holds a run (${file}); it is left untouched`,
        "choose another --out folder, or leave --out out for a new runs/<timestamp>/",
      );
    }
  }
  await Deno.mkdir(dir, { recursive: true });
  return dir;
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
 * @returns The exit code: 0 PASS, 1 FAIL, unfinished tasks or a failure in
 * the implementation.
 */
export async function implTrainCommand(
  options: TrainOptions,
  args: string[],
): Promise<number> {
  const impl = (options as { impl?: Impl }).impl ?? "lib";
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
  for (const flag of ["dtype", "kernels", "full-batch"]) {
    if (flagGiven(args, flag)) {
      console.error(
        `note: --${flag} is ignored with --impl ${impl}: that run uses exercise 11's MNIST_CONFIG (plus the flags given) and its own float64 loops`,
      );
    }
  }
  const target = flagGiven(args, "target")
    ? options.targetPercent
    : IMPL_TARGET_PERCENT;
  try {
    const module = await loadImpl(impl);
    const config = implConfig(module.MNIST_CONFIG, options, args);
    const dir = options.data ?? await ensureMnist();
    const data = await module.loadMnist(dir).catch((error: Error) => {
      throw new KitError(
        `${dir}: cannot load MNIST with the code in ${impl}/ (${error.message})`,
        "pass --data DIR with the four uncompressed MNIST files, or leave --data out for the cache in data/",
      );
    });
    const runDir = await makeRunDir(options.out);
    const sizes = [data.train.pixels, ...config.hidden, 10];
    if (!options.quiet) {
      console.log(
        `training ${
          sizes.join("-")
        } ${config.activation} with the code in ${impl}/ on ${data.train.count} images ` +
          `for ${config.epochs} epochs (seed ${config.seed}) → ${runDir}`,
      );
    }
    const stepsPerEpoch = Math.ceil(data.train.count / config.batchSize);
    const startedAt = new Date();
    const result = module.trainMnist(data, config, (report) => {
      if (options.quiet) return;
      console.log(formatEpoch({
        ...report,
        samplesPerSecond: data.train.count / report.seconds,
        lr: learningRateAt(
          { kind: config.schedule, lr: config.lr, lrMin: config.lrMin },
          (report.epoch - 1) * stepsPerEpoch,
          config.epochs * stepsPerEpoch,
        ),
      }, config.epochs));
    });
    // The exercises fit the same scale (mean square 1 on the training split),
    // so the model file can carry it.
    await saveModel(
      join(runDir, MODEL_FILE),
      toKitModel(result.model),
      fitNormalizer(data.train),
    );
    await writeMetrics(join(runDir, METRICS_FILE), {
      impl,
      config,
      seed: config.seed,
      epochs: result.epochs.map((e) => ({
        epoch: e.epoch,
        train_loss: e.trainLoss,
        train_accuracy: e.trainAccuracy,
        val_accuracy: e.validationAccuracy,
        seconds: e.seconds,
      })),
      train_seconds: result.trainSeconds,
      val_accuracy: result.validationAccuracy,
      test_accuracy: result.testAccuracy,
      target,
      model: { file: MODEL_FILE, sizes, activation: config.activation },
      data: {
        dir,
        train: data.train.count,
        validation: data.validation.count,
        test: data.test.count,
      },
      started_at: startedAt.toISOString(),
    });
    const passed = result.testAccuracy * 100 >= target - 1e-9;
    if (!options.quiet) {
      console.log(
        `validation ${percent(result.validationAccuracy)}, test ${
          percent(result.testAccuracy)
        }; run folder ${runDir}`,
      );
    }
    const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
    const verdict = passed ? "PASS" : "FAIL";
    console.log(
      `${
        color ? `\x1b[${passed ? 32 : 31};1m${verdict}\x1b[0m` : verdict
      } test accuracy ${percent(result.testAccuracy)} (target ${
        target.toFixed(2)
      }%) in ${
        result.trainSeconds.toFixed(1)
      } s of training, ${result.epochs.length} epochs (--impl ${impl})`,
    );
    return passed ? 0 : 1;
  } catch (error) {
    if (error instanceof KitError) {
      console.error(`error: ${error.message}`);
      if (error.help) console.error(`help: ${error.help}`);
      return 1;
    }
    if (impl === "exercises" && error instanceof Error) {
      console.error(`error: your code threw: ${error.message}`);
      const frame = error.stack?.split("\n").find((l) =>
        l.includes("/exercises/")
      );
      if (frame) console.error(`  ${frame.trim()}`);
      console.error(
        "help: run the exercises' tests (`deno test exercises/`) to find the piece at fault",
      );
      return 1;
    }
    throw error;
  }
}
