/**
 * Exact resume. A checkpoint holds everything the training loop would
 * otherwise lose when it stops: the parameters, the optimizer's state, the
 * RNG, the shuffled order, the epoch and step counters and what the epoch
 * has summed so far. Training restored from one continues with the same
 * numbers, bit for bit, as if it had never stopped.
 *
 * On disk it is `RUN_DIR/checkpoint.json` (written atomically): the run's
 * command line, so `--resume` continues with the same flags, and the state,
 * float arrays as base64 of their little-endian bytes, so nothing is
 * rounded.
 *
 * @module
 */

import { KitError } from "../base/errors.ts";
import type { Rng, RngState } from "../base/rng.ts";
import type { FloatArray } from "../base/tensor.ts";
import type { Mlp } from "../nn/mlp.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import type { EpochMetrics } from "./train.ts";

/** The checkpoint's file name inside a run folder. */
export const CHECKPOINT_FILE = "checkpoint.json";

/** The format's version; a file of another is refused. */
export const CHECKPOINT_VERSION = 1;

/**
 * Where the loop stands, and what it has measured so far.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TrainProgress } from "@mnist-from-scratch/kit";
 *
 * // Three steps into epoch 2 of a run with 10 steps an epoch:
 * const progress: Pick<TrainProgress, "epoch" | "step" | "stepInEpoch"> = { epoch: 2, step: 13, stepInEpoch: 3 };
 * assert(progress.step - progress.stepInEpoch === 10);
 * ```
 */
export interface TrainProgress {
  /** The epoch in progress, from 1 (`epochs + 1` when all are done). */
  epoch: number;
  /** Steps done in the whole run. */
  step: number;
  /** Steps done in the epoch in progress. */
  stepInEpoch: number;
  /** Σ loss × batch size over the epoch's steps so far. */
  lossSum: number;
  /** Training images classified right in the epoch so far. */
  correct: number;
  /** Training time of the epoch before the interruption. */
  secondsInEpoch: number;
  /** Every finished epoch. */
  epochs: EpochMetrics[];
  /** Every step's training accuracy. */
  batchAccuracy: number[];
  /** Every step's training loss. */
  batchLoss: number[];
}

/**
 * The state of a training run between two steps: `train(data, config,
 * hooks, kernels, checkpoint)` continues from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG, train, type TrainCheckpoint, type TrainData } from "@mnist-from-scratch/kit";
 *
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const config = { ...DEFAULT_CONFIG, epochs: 4, hidden: [8], batchSize: 4 };
 * const saved: TrainCheckpoint[] = [];
 * const whole = await train(data, config, { onCheckpoint: (c) => void saved.push(c) });
 * const resumed = await train(data, config, {}, undefined, saved[1]); // from after epoch 2
 * assert.deepEqual(resumed.batchLoss, whole.batchLoss);
 * ```
 */
export interface TrainCheckpoint {
  /** Counters and measurements. */
  progress: TrainProgress;
  /** The RNG (shuffling, dropout). */
  rng: RngState;
  /** `[train count]` the shuffled order the epoch in progress uses. */
  order: Int32Array;
  /** Parameter values by name (`layer0.weights`). */
  parameters: Record<string, FloatArray>;
  /** The optimizer's state by name. */
  optimizer: Record<string, FloatArray>;
}

/** What the loop's state lives in; see {@link captureCheckpoint}. */
export interface TrainParts {
  /** The network. */
  model: Mlp;
  /** Its optimizer. */
  optimizer: Optimizer;
  /** The run's one RNG. */
  rng: Rng;
  /** The batcher's live order (`Batcher.order`). */
  order: Int32Array;
}

/** A fresh run's progress: epoch 1, nothing done. */
export function freshProgress(): TrainProgress {
  return {
    epoch: 1,
    step: 0,
    stepInEpoch: 0,
    lossSum: 0,
    correct: 0,
    secondsInEpoch: 0,
    epochs: [],
    batchAccuracy: [],
    batchLoss: [],
  };
}

/**
 * Copies the loop's state (the live arrays keep changing after this).
 *
 * @param progress The counters.
 * @param parts Model, optimizer, RNG and order.
 * @returns A checkpoint no later step can change.
 */
export function captureCheckpoint(
  progress: TrainProgress,
  parts: TrainParts,
): TrainCheckpoint {
  const copy = (arrays: Record<string, FloatArray>) =>
    Object.fromEntries(
      Object.entries(arrays).map(([name, array]) => [name, array.slice()]),
    );
  return {
    progress: structuredClone(progress),
    rng: parts.rng.state(),
    order: parts.order.slice(),
    parameters: copy(parameterArrays(parts.model)),
    optimizer: copy(parts.optimizer.state()),
  };
}

/**
 * Puts a checkpoint's state into a freshly built model, optimizer, RNG and
 * batcher order.
 *
 * @param checkpoint What {@link captureCheckpoint} returned.
 * @param parts Built with the run's flags.
 * @returns The progress to continue from (a copy).
 * @throws {KitError} When the checkpoint does not fit them (another
 * architecture, optimizer or training set).
 */
export function restoreCheckpoint(
  checkpoint: TrainCheckpoint,
  parts: TrainParts,
): TrainProgress {
  const problem = (what: string, error?: unknown) =>
    new KitError(
      `the checkpoint does not fit this run: ${what}${
        error ? ` (${(error as Error).message})` : ""
      }`,
      "resume with the data folder and flags the run started with",
    );
  const values = parameterArrays(parts.model);
  const names = Object.keys(values).sort().join(",");
  if (names !== Object.keys(checkpoint.parameters).sort().join(",")) {
    throw problem(`its parameters are not ${names}`);
  }
  for (const [name, saved] of Object.entries(checkpoint.parameters)) {
    if (saved.length !== values[name].length) {
      throw problem(
        `${name} has ${saved.length} values, not ${values[name].length}`,
      );
    }
    values[name].set(saved);
  }
  if (checkpoint.order.length !== parts.order.length) {
    throw problem(
      `its order covers ${checkpoint.order.length} images, not ${parts.order.length}`,
    );
  }
  try {
    parts.optimizer.loadState(checkpoint.optimizer);
    parts.rng.setState(checkpoint.rng);
  } catch (error) {
    throw problem("its optimizer or RNG state", error);
  }
  parts.order.set(checkpoint.order);
  return structuredClone(checkpoint.progress);
}

function parameterArrays(model: Mlp): Record<string, FloatArray> {
  return Object.fromEntries(
    model.parameters().map((p) => [p.name, p.value.data]),
  );
}
