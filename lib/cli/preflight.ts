/**
 * Checks made before the first training step, so a run that cannot finish
 * fails in a second instead of after an epoch: the data's shapes against
 * the network and the splits, the network's memory against `--max-memory`,
 * and the run folder (writable, no earlier run or user files in the way,
 * locked for this run alone).
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import { type Mnist, MNIST_FILES } from "../data/mnist.ts";
import { FIGURES_DIR, REPORT_FILE } from "../report/build_report.ts";
import { acquireRunLock, type RunLock } from "../train/run_lock.ts";
import { METRICS_FILE, MODEL_FILE } from "../train/run_files.ts";
import type { TrainConfig } from "../train/settings.ts";
import { DEFAULT_MAX_MEMORY_MB } from "./strict_args.ts";

/** How many training images the validation split holds out. */
export const VALIDATION_COUNT = 10000;

/**
 * Refuses data the run cannot use: empty images, too few training images
 * for the validation split, no test images.
 *
 * @param mnist The loaded data.
 * @throws {KitError} Naming the file at fault and what was expected.
 */
export function checkData(mnist: Mnist): void {
  const trainFile = join(mnist.dir, MNIST_FILES.trainImages.name);
  const testFile = join(mnist.dir, MNIST_FILES.testImages.name);
  const { rows, cols, count } = mnist.train;
  if (rows === 0 || cols === 0) {
    throw new KitError(
      `${trainFile}: images are ${rows}x${cols}; a network needs at least one pixel`,
    );
  }
  if (count <= VALIDATION_COUNT) {
    throw new KitError(
      `${trainFile}: ${count} training images, but the last ${VALIDATION_COUNT} are held out for validation, so at least ${
        VALIDATION_COUNT + 1
      } are needed`,
      "use the full MNIST training set (60,000 images), or leave --data out to use the verified cache",
    );
  }
  if (mnist.test.count === 0) {
    throw new KitError(
      `${testFile}: no test images; a run needs at least one to measure its test accuracy`,
    );
  }
}

/**
 * @param sizes Layer widths, e.g. `[784, 128, 64, 10]`.
 * @returns How many weights and biases the network has.
 */
export function parameterCount(sizes: readonly number[]): number {
  let parameters = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    parameters += (sizes[l] + 1) * sizes[l + 1];
  }
  return parameters;
}

/**
 * Estimates a run's memory: parameters with their gradients and optimizer
 * state (3 copies), and the activations and their gradients for one batch
 * and one 1,000-image evaluation chunk.
 *
 * @param sizes Layer widths, e.g. `[784, 128, 64, 10]`.
 * @param config Batch size and dtype.
 * @returns Bytes.
 */
export function estimateMemoryBytes(
  sizes: readonly number[],
  config: Pick<TrainConfig, "batchSize" | "dtype">,
): number {
  const parameters = parameterCount(sizes);
  const units = sizes.reduce((sum, width) => sum + width, 0);
  const rows = config.batchSize + 1000;
  const bytes = config.dtype === "f64" ? 8 : 4;
  return (3 * parameters + 3 * rows * units) * bytes;
}

/**
 * Refuses a network whose estimated memory is above the limit.
 *
 * @param sizes Layer widths.
 * @param config Batch size and dtype.
 * @param maxMemoryMb The limit (`--max-memory`).
 * @throws {KitError} With the estimate and the limit.
 */
export function checkMemory(
  sizes: readonly number[],
  config: Pick<TrainConfig, "batchSize" | "dtype">,
  maxMemoryMb = DEFAULT_MAX_MEMORY_MB,
): void {
  const mb = estimateMemoryBytes(sizes, config) / 2 ** 20;
  if (mb <= maxMemoryMb) return;
  throw new KitError(
    `--hidden ${sizes.slice(1, -1).join(",")}: the ${
      sizes.join("-")
    } network needs about ${
      Math.ceil(mb)
    } MB (parameters, gradients, optimizer state, activations), above --max-memory ${maxMemoryMb} MB`,
    "use smaller --hidden layers or --batch-size, or raise --max-memory if the machine has the memory",
  );
}

/** A run folder ready to write into. */
export interface RunFolder {
  /** The folder. */
  dir: string;
  /** This run's lock on it. */
  lock: RunLock;
  /**
   * After a failure: releases the lock and removes the folder if this run
   * created it and nothing was saved into it.
   */
  abandon(): Promise<void>;
}

/** How a run folder is prepared: {@link prepareRunFolder}'s options. */
export interface RunFolderOptions {
  /** When the run started (names the default folder). */
  startedAt: Date;
  /** `--force`: overwrite a finished run's files, clear a stale lock. */
  force?: boolean;
  /** `--resume`: the folder holds the stopped run, which continues. */
  resume?: boolean;
  /** How many bytes the run will write (the probe file's size). */
  probeBytes?: number;
}

/**
 * Creates (or opens) the run folder, locks it, and checks that the run can
 * write there without overwriting anything.
 *
 * @param out `--out`, or `undefined` for `runs/<timestamp>/` (with `-2`,
 * `-3`, ... when two runs start in the same second).
 * @param options When the run started, `--force`, and how many bytes the
 * run will write (the probe file's size).
 * @returns The locked folder.
 * @throws {KitError} Naming the folder or file in the way.
 */
export async function prepareRunFolder(
  out: string | undefined,
  options: RunFolderOptions,
): Promise<RunFolder> {
  const { dir, created } = out === undefined
    ? await createDefaultFolder(options.startedAt)
    : await openFolder(out);
  const removeIfEmpty = async () => {
    if (created) await Deno.remove(dir).catch(() => {});
  };
  let lock: RunLock;
  try {
    // The run being resumed was stopped: its lock, if left, is stale.
    lock = await acquireRunLock(dir, {
      clearStale: options.force || options.resume,
    });
  } catch (error) {
    await removeIfEmpty();
    throw error;
  }
  const abandon = async () => {
    await lock.release();
    await removeIfEmpty();
  };
  try {
    if (!options.resume) await refuseOverwrite(dir, options.force ?? false);
    await probeWrite(dir, options.probeBytes ?? 0);
  } catch (error) {
    await abandon();
    throw error;
  }
  return { dir, lock, abandon };
}

/**
 * Runs `body` in a prepared run folder: the lock is released afterwards,
 * and after a failure a folder this run created and left empty is removed.
 *
 * @param out `--out`, or `undefined` for `runs/<timestamp>/`.
 * @param options As for {@link prepareRunFolder}; `quiet` silences the
 * note about removed temporary files.
 * @param body Trains and writes into the folder.
 * @returns What `body` returns.
 * @throws {KitError} From the checks, or whatever `body` throws.
 */
export async function withRunFolder<T>(
  out: string | undefined,
  options: RunFolderOptions & { quiet?: boolean },
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const folder = await prepareRunFolder(out, options);
  const { cleaned, clearedStalePid } = folder.lock;
  if (clearedStalePid !== undefined) {
    console.error(
      `note: cleared the stale lock of process ${clearedStalePid} (no longer running) in ${folder.dir}`,
    );
  }
  if (cleaned.length > 0 && !options.quiet) {
    console.log(
      `removed ${cleaned.length} temporary files of an interrupted save in ${folder.dir}`,
    );
  }
  try {
    return await body(folder.dir);
  } catch (error) {
    await folder.abandon();
    throw error;
  } finally {
    await folder.lock.release();
  }
}

/**
 * Picks and creates the run folder without locking it: `out`, or a new
 * `runs/<timestamp>/` (with `-2`, `-3`, ... when taken). For code that
 * must know the folder before training starts (the lab's Live view).
 *
 * @param out `--out`, or `undefined`.
 * @param startedAt When the run started.
 * @returns The folder, and whether this call created it (a run that fails
 * removes a folder it created and left empty).
 * @throws {KitError} When it cannot be created.
 */
export async function chooseRunFolder(
  out: string | undefined,
  startedAt: Date,
): Promise<{ dir: string; created: boolean }> {
  return out === undefined
    ? await createDefaultFolder(startedAt)
    : await openFolder(out);
}

/** `runs/<timestamp>`, or the first free `runs/<timestamp>-N`. */
async function createDefaultFolder(
  startedAt: Date,
): Promise<{ dir: string; created: boolean }> {
  const stamp = startedAt.toISOString().replace(/:/g, "-").replace(/\..*$/, "");
  await mkdirOrExplain("runs", { recursive: true });
  for (let n = 1;; n++) {
    const dir = join("runs", n === 1 ? stamp : `${stamp}-${n}`);
    try {
      await Deno.mkdir(dir); // not recursive: fails if another run has it
      return { dir, created: true };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        throw cannotCreate(dir, error);
      }
    }
  }
}

async function openFolder(
  dir: string,
): Promise<{ dir: string; created: boolean }> {
  const info = await Deno.stat(dir).catch(() => undefined);
  if (info && !info.isDirectory) {
    throw new KitError(`--out ${dir}: exists and is not a folder`);
  }
  if (info) return { dir, created: false };
  await mkdirOrExplain(dir, { recursive: true });
  return { dir, created: true };
}

async function mkdirOrExplain(
  dir: string,
  options: Deno.MkdirOptions,
): Promise<void> {
  try {
    await Deno.mkdir(dir, options);
  } catch (error) {
    throw cannotCreate(dir, error);
  }
}

function cannotCreate(dir: string, error: unknown): KitError {
  return new KitError(
    `${dir}: cannot create the run folder (${(error as Error).message})`,
    "choose an --out folder you can write to",
  );
}

/** An earlier run is never overwritten; the user's own files only with --force. */
async function refuseOverwrite(dir: string, force: boolean): Promise<void> {
  const exists = (name: string) =>
    Deno.stat(join(dir, name)).then(() => true, () => false);
  for (const file of [METRICS_FILE, MODEL_FILE]) {
    if (await exists(file)) {
      throw new KitError(
        `${dir}: already holds a run (${file}); it is left untouched`,
        "choose another --out folder, or leave --out out for a new runs/<timestamp>/",
      );
    }
  }
  if (force) return;
  for (const file of [REPORT_FILE, FIGURES_DIR]) {
    if (await exists(file)) {
      throw new KitError(
        `${
          join(dir, file)
        }: would be overwritten by the run's report; it is left untouched`,
        "choose another --out folder, or pass --force to overwrite it",
      );
    }
  }
}

/**
 * Writes and removes a file as large as what the run will save, so an
 * unwritable folder or a full disk is found now, not after an epoch.
 */
async function probeWrite(dir: string, bytes: number): Promise<void> {
  const probe = join(dir, `.probe.${Deno.pid}.tmp`);
  const zeros = new Uint8Array(Math.min(bytes, 2 ** 20));
  try {
    using file = await Deno.open(probe, { createNew: true, write: true });
    for (let left = bytes; left > 0;) {
      left -= await file.write(zeros.subarray(0, Math.min(left, zeros.length)));
    }
  } catch (error) {
    throw new KitError(
      `${dir}: cannot write the run's files (${
        (error as Error).message
      }; tried ${bytes} bytes)`,
      "free some disk space or choose another --out folder",
    );
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
}
