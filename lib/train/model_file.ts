/**
 * Saving and loading a trained {@link Mlp} with the input scale it was
 * trained with, so the file alone turns raw pixel bytes into predictions.
 *
 * The format (version 2), all integers and floats little-endian:
 *
 * | bytes      | what                                                       |
 * |------------|------------------------------------------------------------|
 * | 8          | magic: ASCII `MNISTMLP`                                    |
 * | 4          | `H`: the header's length in bytes (uint32)                 |
 * | H          | header: UTF-8 JSON, see {@link ModelHeader}                |
 * | 0-7        | zero padding so the values start at a multiple of 8        |
 * | the rest   | every parameter's values in header order, f32 or f64      |
 *
 * A reader checks the magic, the version, that the header describes a valid
 * MLP, and that the file holds exactly as many bytes as the header promises
 * (before allocating anything), so a truncated file or one with trailing
 * bytes is refused, as is a NaN or infinite parameter and (when the caller
 * says what it expects) a model of another architecture. Version 1 files
 * (no input scale) are refused with the version named: retrain.
 *
 * @module
 */

import { writeFileAtomic } from "../base/atomic.ts";
import { KitError } from "../base/errors.ts";
import type { Normalizer } from "../data/dataset.ts";
import { type ActivationName, ACTIVATIONS } from "../nn/layers.ts";
import { Mlp, type MlpArchitecture } from "../nn/mlp.ts";

/**
 * The first eight bytes of every model file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const bytes = encodeModel(new Mlp({ sizes: [2, 2] }), { scale: 1 });
 * assert(new TextDecoder().decode(bytes.subarray(0, 8)) === MODEL_MAGIC);
 * ```
 */
export const MODEL_MAGIC = "MNISTMLP";
/**
 * The format version this code writes and reads: 2 since the file holds
 * the input scale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(MODEL_VERSION === 2);
 * ```
 */
export const MODEL_VERSION = 2;

/**
 * The JSON header of a model file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const header: ModelHeader = {
 *   version: MODEL_VERSION,
 *   sizes: [784, 10],
 *   activation: "relu",
 *   dtype: "f32",
 *   input: { scale: 0.0117 },
 *   parameters: [{ name: "layer0.weights", shape: [784, 10] }, { name: "layer0.bias", shape: [10] }],
 * };
 * assert(header.parameters.length === 2);
 * ```
 */
export interface ModelHeader {
  /** Always {@link MODEL_VERSION} for files this code writes. */
  version: number;
  /** Layer widths, e.g. `[784, 128, 64, 10]`. */
  sizes: number[];
  /** The hidden activation. */
  activation: ActivationName;
  /** How the values are stored: `"f32"` (4 bytes each) or `"f64"` (8). */
  dtype: "f32" | "f64";
  /** The input normalization: network input = pixel byte × `scale`. */
  input: Normalizer;
  /** Each parameter's name and shape, in the order the values follow. */
  parameters: { name: string; shape: number[] }[];
}

/**
 * A model read from a file, with the input scale it was trained with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const bytes = encodeModel(new Mlp({ sizes: [3, 2] }), { scale: 0.5 });
 * const loaded: LoadedModel = decodeModel(bytes, "memory");
 * assert(loaded.normalizer.scale === 0.5);
 * ```
 */
export interface LoadedModel {
  /** The network, ready to `predict`. */
  model: Mlp;
  /** Turns pixel bytes (0-255) into the inputs the model trained on. */
  normalizer: Normalizer;
}

/**
 * Serializes a model and its input normalization to the model-file format.
 *
 * @param model The model to serialize.
 * @param normalizer The byte scale the model was trained with.
 * @returns The bytes of a model file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const model = new Mlp({ sizes: [3, 2], seed: 1 });
 * const copy = decodeModel(encodeModel(model, { scale: 0.25 }), "memory");
 * assert(copy.model.layers.length === 1);
 * assert(copy.normalizer.scale === 0.25);
 * ```
 */
export function encodeModel(model: Mlp, normalizer: Normalizer): Uint8Array {
  const parameters = model.parameters();
  const header: ModelHeader = {
    version: MODEL_VERSION,
    sizes: [...model.sizes],
    activation: model.activation,
    dtype: model.dtype,
    input: { scale: normalizer.scale },
    parameters: parameters.map((p) => ({
      name: p.name,
      shape: [...p.value.shape],
    })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const valuesStart = align8(12 + headerBytes.length);
  const width = model.dtype === "f32" ? 4 : 8;
  const count = parameters.reduce((n, p) => n + p.value.data.length, 0);
  const bytes = new Uint8Array(valuesStart + count * width);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MODEL_MAGIC), 0);
  view.setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, 12);
  let offset = valuesStart;
  for (const { value } of parameters) {
    for (const x of value.data) {
      if (width === 4) view.setFloat32(offset, x, true);
      else view.setFloat64(offset, x, true);
      offset += width;
    }
  }
  return bytes;
}

/**
 * Parses a model file, checking everything it can.
 *
 * @param bytes The contents of a model file.
 * @param source The file's name, for error messages.
 * @param expected When given, the architecture the model must have.
 * @returns The model, ready to `predict`, and its input normalization.
 * @throws {KitError} On a wrong magic or version, a malformed header, a
 * length that does not match the header, a NaN or infinite parameter, or an
 * unexpected architecture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const bytes = encodeModel(new Mlp({ sizes: [3, 2], seed: 1 }), { scale: 1 });
 * let refused = false;
 * try {
 *   decodeModel(bytes.subarray(0, bytes.length - 1), "cut.bin"); // truncated
 * } catch {
 *   refused = true;
 * }
 * assert(refused);
 * ```
 */
export function decodeModel(
  bytes: Uint8Array,
  source: string,
  expected?: MlpArchitecture,
): LoadedModel {
  const fail = (what: string) =>
    new KitError(`${source}: not a valid model file: ${what}`);
  const { header, valuesStart } = readHeader(bytes, fail);
  const width = header.dtype === "f32" ? 4 : 8;
  const count = countValues(header.sizes);
  const expectedLength = valuesStart + count * width;
  if (bytes.length !== expectedLength) {
    throw fail(
      `expected ${expectedLength} bytes for ${count} ${header.dtype} values, ` +
        `found ${bytes.length}${
          bytes.length < expectedLength ? " (truncated)" : ""
        }`,
    );
  }
  const model = new Mlp({
    sizes: header.sizes,
    activation: header.activation,
    dtype: header.dtype,
  });
  if (expected) assertArchitecture(model, expected, source);
  const parameters = model.parameters();
  const described = JSON.stringify(header.parameters);
  const actual = JSON.stringify(
    parameters.map((p) => ({ name: p.name, shape: p.value.shape })),
  );
  if (described !== actual) {
    throw fail(`its parameter list does not match sizes [${header.sizes}]`);
  }
  readValues(bytes, valuesStart, model, fail);
  return { model, normalizer: { scale: header.input.scale } };
}

/**
 * Reads and checks the magic and the JSON header, everything but the values.
 *
 * @returns The header and where the values start.
 */
function readHeader(
  bytes: Uint8Array,
  fail: (what: string) => KitError,
): { header: ModelHeader; valuesStart: number } {
  if (
    bytes.length < 12 ||
    new TextDecoder().decode(bytes.subarray(0, 8)) !== MODEL_MAGIC
  ) {
    throw fail(`it does not start with "${MODEL_MAGIC}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) {
    throw fail(
      `the header needs ${headerLength} bytes but the file has ${bytes.length} in all (truncated?)`,
    );
  }
  let header: ModelHeader;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        bytes.subarray(12, 12 + headerLength),
      ),
    );
  } catch {
    throw fail("its header is not valid JSON");
  }
  checkHeader(header, fail);
  return { header, valuesStart: align8(12 + headerLength) };
}

/** Throws unless a parsed header is one this code can read. */
function checkHeader(
  header: ModelHeader,
  fail: (what: string) => KitError,
): void {
  if (header?.version !== MODEL_VERSION) {
    const older = header?.version === 1
      ? " (version 1 files do not hold the input scale; train the model again)"
      : "";
    throw fail(
      `format version ${
        JSON.stringify(header?.version)
      }, this kit reads version ${MODEL_VERSION}${older}`,
    );
  }
  if (header.dtype !== "f32" && header.dtype !== "f64") {
    throw fail(`dtype ${JSON.stringify(header.dtype)} is not "f32" or "f64"`);
  }
  if (!Object.hasOwn(ACTIVATIONS, header.activation)) {
    throw fail(`unknown activation ${JSON.stringify(header.activation)}`);
  }
  const sizes = header.sizes;
  if (
    !Array.isArray(sizes) || sizes.length < 2 ||
    !sizes.every((s) => Number.isSafeInteger(s) && s > 0)
  ) {
    throw fail(
      `sizes must be two or more positive integers, got ${
        JSON.stringify(sizes)
      }`,
    );
  }
  const scale = header.input?.scale;
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0) {
    throw fail(
      `input.scale must be a positive number, got ${JSON.stringify(scale)}`,
    );
  }
}

/** How many numbers an MLP of these widths learns: weights plus biases. */
function countValues(sizes: readonly number[]): number {
  let count = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    count += sizes[i] * sizes[i + 1] + sizes[i + 1];
  }
  return count;
}

/** Fills the model's parameters from the file, refusing NaN and infinities. */
function readValues(
  bytes: Uint8Array,
  valuesStart: number,
  model: Mlp,
  fail: (what: string) => KitError,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = model.dtype === "f32" ? 4 : 8;
  let offset = valuesStart;
  for (const { name, value } of model.parameters()) {
    const data = value.data;
    for (let i = 0; i < data.length; i++) {
      data[i] = width === 4
        ? view.getFloat32(offset, true)
        : view.getFloat64(offset, true);
      offset += width;
      if (!Number.isFinite(data[i])) {
        throw fail(`parameter ${name} holds ${data[i]} at index ${i}`);
      }
    }
  }
}

/**
 * Throws unless a model has the expected architecture.
 *
 * @param model A model.
 * @param expected The architecture it must have (sizes, activation, dtype
 * where given).
 * @param source Where the model came from, for the message.
 * @throws {KitError} Naming both architectures when they differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const model = new Mlp({ sizes: [3, 2] });
 * assertArchitecture(model, { sizes: [3, 2] }, "model.bin"); // passes
 * let refused = false;
 * try {
 *   assertArchitecture(model, { sizes: [3, 4, 2] }, "model.bin");
 * } catch {
 *   refused = true;
 * }
 * assert(refused);
 * ```
 */
export function assertArchitecture(
  model: Mlp,
  expected: MlpArchitecture,
  source: string,
): void {
  const want = describe({
    sizes: expected.sizes,
    activation: expected.activation ?? model.activation,
    dtype: expected.dtype ?? model.dtype,
  });
  const got = describe(model);
  if (want !== got) {
    throw new KitError(
      `${source}: the model is ${got}, expected ${want}`,
      "train a model with this architecture, or pass flags that match the file",
    );
  }
}

/**
 * Writes a model file atomically.
 *
 * @param path Where to write.
 * @param model The model.
 * @param normalizer The byte scale the model was trained with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * await saveModel(path, new Mlp({ sizes: [3, 2], seed: 1 }), { scale: 0.5 });
 * assert((await loadModel(path, { sizes: [3, 2] })).model.sizes.join() === "3,2");
 * await Deno.remove(path);
 * ```
 */
export async function saveModel(
  path: string,
  model: Mlp,
  normalizer: Normalizer,
): Promise<void> {
  await writeFileAtomic(path, encodeModel(model, normalizer));
}

/**
 * Reads a model file.
 *
 * @param path A file written by {@link saveModel}.
 * @param expected When given, the architecture the model must have.
 * @returns The model and the input scale it was trained with.
 * @throws {KitError} When the file is missing or invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * const model = new Mlp({ sizes: [3, 2], seed: 1 });
 * await saveModel(path, model, { scale: 0.0117 });
 * const loaded = await loadModel(path);
 * assert(loaded.model.parameters()[0].value.data[0] === model.parameters()[0].value.data[0]);
 * assert(loaded.normalizer.scale === 0.0117);
 * await Deno.remove(path);
 * ```
 */
export async function loadModel(
  path: string,
  expected?: MlpArchitecture,
): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new KitError(
      `${path}: cannot read model file (${(error as Error).message})`,
    );
  }
  return decodeModel(bytes, path, expected);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function describe(a: MlpArchitecture): string {
  return `${a.sizes.join("-")} ${a.activation} ${a.dtype}`;
}
