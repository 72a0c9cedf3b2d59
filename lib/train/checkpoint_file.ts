/**
 * `RUN_DIR/checkpoint.json`: a {@link TrainCheckpoint} plus the command line
 * that started the run. Float arrays are stored as base64 of their
 * little-endian bytes (`{"dtype": "f32", "base64": "..."}`), so they come
 * back bit for bit; every field is checked on reading.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { writeFileAtomic } from "../base/atomic.ts";
import { KitError } from "../base/errors.ts";
import type { RngState } from "../base/rng.ts";
import type { FloatArray } from "../base/tensor.ts";
import {
  CHECKPOINT_VERSION,
  type TrainCheckpoint,
  type TrainProgress,
} from "./checkpoint.ts";

/** A checkpoint and the flags of the run it belongs to. */
export interface CheckpointFile {
  /** The run's command line, without `--resume`. */
  args: string[];
  /** The state. */
  checkpoint: TrainCheckpoint;
}

type Packed = { dtype: "f32" | "f64" | "i32"; base64: string };

const ARRAY_TYPES = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
} as const;

function pack(array: Float32Array | Float64Array | Int32Array): Packed {
  const dtype = array instanceof Float32Array
    ? "f32"
    : array instanceof Float64Array
    ? "f64"
    : "i32";
  const bytes = new Uint8Array(
    array.buffer,
    array.byteOffset,
    array.byteLength,
  );
  return { dtype, base64: Buffer.from(bytes).toString("base64") };
}

/**
 * @param file The state and flags.
 * @returns The JSON text.
 */
export function encodeCheckpoint(file: CheckpointFile): string {
  const { checkpoint } = file;
  const packAll = (arrays: Record<string, FloatArray>) =>
    Object.fromEntries(
      Object.entries(arrays).map(([name, array]) => [name, pack(array)]),
    );
  return JSON.stringify({
    version: CHECKPOINT_VERSION,
    args: file.args,
    progress: checkpoint.progress,
    rng: checkpoint.rng,
    order: pack(checkpoint.order),
    parameters: packAll(checkpoint.parameters),
    optimizer: packAll(checkpoint.optimizer),
  });
}

/**
 * Writes a checkpoint atomically: a kill during the write leaves the
 * previous checkpoint.
 */
export async function saveCheckpoint(
  path: string,
  file: CheckpointFile,
): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(file));
}

/**
 * Reads and checks a checkpoint file.
 *
 * @param path The file.
 * @returns The flags and state.
 * @throws {KitError} Naming the file and the first field that is wrong.
 */
export async function loadCheckpoint(path: string): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new KitError(
      `${path}: cannot read the checkpoint (${(error as Error).message})`,
      "a run folder holds a checkpoint once its first epoch has finished",
    );
  }
  return decodeCheckpoint(text, path);
}

/**
 * Parses and checks a checkpoint's text.
 *
 * @param text The JSON.
 * @param source The file, for messages.
 * @returns The flags and state.
 * @throws {KitError} Naming the file and the first field that is wrong.
 */
export function decodeCheckpoint(text: string, source: string): CheckpointFile {
  const fail = (what: string) =>
    new KitError(`${source}: not a valid checkpoint: ${what}`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(`not JSON (${(error as Error).message})`);
  }
  if (typeof json !== "object" || json === null) throw fail("not an object");
  if (json.version !== CHECKPOINT_VERSION) {
    throw fail(`version ${json.version}, expected ${CHECKPOINT_VERSION}`);
  }
  const args = json.args;
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) {
    throw fail("args is not a list of strings");
  }
  const order = unpack(json.order, "order", fail);
  if (!(order instanceof Int32Array) || !isPermutation(order)) {
    throw fail("order is not a permutation of the training images");
  }
  return {
    args,
    checkpoint: {
      progress: checkProgress(json.progress, fail),
      rng: json.rng as RngState,
      order,
      parameters: unpackAll(json.parameters, "parameters", fail),
      optimizer: unpackAll(json.optimizer, "optimizer", fail),
    },
  };
}

function unpack(
  value: unknown,
  name: string,
  fail: (what: string) => KitError,
): FloatArray | Int32Array {
  const packed = value as Partial<Packed> | null;
  const type = ARRAY_TYPES[packed?.dtype as keyof typeof ARRAY_TYPES];
  if (!type || typeof packed?.base64 !== "string") {
    throw fail(`${name} is not {dtype, base64}`);
  }
  const bytes = new Uint8Array(Buffer.from(packed.base64, "base64"));
  if (bytes.length % type.BYTES_PER_ELEMENT !== 0) {
    throw fail(
      `${name} has ${bytes.length} bytes, not whole ${packed.dtype} values`,
    );
  }
  return new type(bytes.buffer);
}

function unpackAll(
  value: unknown,
  name: string,
  fail: (what: string) => KitError,
): Record<string, FloatArray> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail(`${name} is not an object`);
  }
  const arrays: Record<string, FloatArray> = {};
  for (const [key, packed] of Object.entries(value)) {
    const array = unpack(packed, `${name}.${key}`, fail);
    if (array instanceof Int32Array) throw fail(`${name}.${key} is not floats`);
    arrays[key] = array;
  }
  return arrays;
}

function isPermutation(order: Int32Array): boolean {
  const seen = new Uint8Array(order.length);
  for (const i of order) {
    if (i < 0 || i >= order.length || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

function checkProgress(
  value: unknown,
  fail: (what: string) => KitError,
): TrainProgress {
  const p = value as Record<string, unknown> | null;
  if (typeof p !== "object" || p === null) throw fail("progress is missing");
  for (const key of ["epoch", "step", "stepInEpoch", "correct"]) {
    if (!Number.isSafeInteger(p[key]) || (p[key] as number) < 0) {
      throw fail(`progress.${key} is not a whole number ≥ 0`);
    }
  }
  for (const key of ["lossSum", "secondsInEpoch"]) {
    if (!Number.isFinite(p[key])) throw fail(`progress.${key} is not a number`);
  }
  for (const key of ["epochs", "batchAccuracy", "batchLoss"]) {
    if (!Array.isArray(p[key])) throw fail(`progress.${key} is not a list`);
  }
  const steps = (p.batchLoss as unknown[]).length;
  if (steps !== p.step || (p.batchAccuracy as unknown[]).length !== steps) {
    throw fail(`progress holds ${steps} batch losses for ${p.step} steps`);
  }
  return p as unknown as TrainProgress;
}
