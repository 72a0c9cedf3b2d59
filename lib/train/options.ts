/**
 * What one training run was asked to do: the hyperparameters plus where the
 * data comes from, where the run goes and which code trains. The command
 * line builds it; the run files record it.
 *
 * @module
 */

import type { KernelName } from "../kernels/registry.ts";
import type { TrainConfig } from "./train.ts";

/** What `deno task train` was asked to do. */
export interface TrainOptions {
  /** The hyperparameters and seed. */
  config: TrainConfig;
  /** A folder with the four MNIST files; the verified cache when absent. */
  data?: string;
  /** The run folder; `runs/<timestamp>/` when absent. */
  out?: string;
  /** The test accuracy to reach for PASS, in percent. */
  targetPercent: number;
  /** Print only the summary line. */
  quiet: boolean;
  /** Write into a folder holding the user's report or figures; clear a stale lock. */
  force?: boolean;
  /** Refuse a network whose estimated memory is above this, in MB. */
  maxMemoryMb?: number;
  /** The matrix-product kernels, by name. */
  kernels: KernelName;
  /** Whether `--full-batch` chose the recipe. */
  fullBatch?: boolean;
  /** Whose code trains: lib (default), the learner's exercises, or the solutions. */
  impl?: "lib" | "exercises" | "solutions";
}
