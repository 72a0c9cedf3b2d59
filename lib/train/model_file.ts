/**
 * Saving and loading a trained {@link Mlp}.
 *
 * The format (version 1), all integers and floats little-endian:
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
 * MLP, and that the file holds exactly as many bytes as the header promises,
 * so a truncated file or one with trailing bytes is refused, as is (when the
 * caller says what it expects) a model of another architecture.
 *
 * @module
 */

import { writeFileAtomic } from "../base/atomic.ts";
import { KitError } from "../base/errors.ts";
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
 * const bytes = encodeModel(new Mlp({ sizes: [2, 2] }));
 * assert(new TextDecoder().decode(bytes.subarray(0, 8)) === MODEL_MAGIC);
 * ```
 */
export const MODEL_MAGIC = "MNISTMLP";
/**
 * The format version this code writes and reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(MODEL_VERSION === 1);
 * ```
 */
export const MODEL_VERSION = 1;

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
  /** Each parameter's name and shape, in the order the values follow. */
  parameters: { name: string; shape: number[] }[];
}

/**
 * Serializes a model to the model-file format.
 *
 * @returns The bytes of a model file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const model = new Mlp({ sizes: [3, 2], seed: 1 });
 * const copy = decodeModel(encodeModel(model), "memory");
 * assert(copy.layers.length === 1);
 * ```
 */
export function encodeModel(model: Mlp): Uint8Array {
  const parameters = model.parameters();
  const header: ModelHeader = {
    version: MODEL_VERSION,
    sizes: [...model.sizes],
    activation: model.activation,
    dtype: model.dtype,
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
 * @returns The model, ready to `predict`.
 * @throws {KitError} On a wrong magic or version, a malformed header, a
 * length that does not match the header, or an unexpected architecture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const bytes = encodeModel(new Mlp({ sizes: [3, 2], seed: 1 }));
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
): Mlp {
  const fail = (what: string) =>
    new KitError(`${source}: not a valid model file: ${what}`);
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
  if (header?.version !== MODEL_VERSION) {
    throw fail(
      `format version ${header?.version}, this kit reads version ${MODEL_VERSION}`,
    );
  }
  if (header.dtype !== "f32" && header.dtype !== "f64") {
    throw fail(`dtype ${JSON.stringify(header.dtype)} is not "f32" or "f64"`);
  }
  if (!Object.hasOwn(ACTIVATIONS, header.activation)) {
    throw fail(`unknown activation ${JSON.stringify(header.activation)}`);
  }
  let model: Mlp;
  try {
    model = new Mlp({
      sizes: header.sizes,
      activation: header.activation,
      dtype: header.dtype,
    });
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (expected) assertArchitecture(model, expected, source);
  const parameters = model.parameters();
  const described = JSON.stringify(header.parameters);
  const actual = JSON.stringify(
    parameters.map((p) => ({ name: p.name, shape: p.value.shape })),
  );
  if (described !== actual) {
    throw fail(`its parameter list does not match sizes [${header.sizes}]`);
  }
  const width = header.dtype === "f32" ? 4 : 8;
  const count = parameters.reduce((n, p) => n + p.value.data.length, 0);
  const valuesStart = align8(12 + headerLength);
  const expectedLength = valuesStart + count * width;
  if (bytes.length !== expectedLength) {
    throw fail(
      `expected ${expectedLength} bytes for ${count} ${header.dtype} values, ` +
        `found ${bytes.length}${
          bytes.length < expectedLength ? " (truncated)" : ""
        }`,
    );
  }
  let offset = valuesStart;
  for (const { value } of parameters) {
    const data = value.data;
    for (let i = 0; i < data.length; i++) {
      data[i] = width === 4
        ? view.getFloat32(offset, true)
        : view.getFloat64(offset, true);
      offset += width;
    }
  }
  return model;
}

/**
 * Throws unless a model has the expected architecture.
 *
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * await saveModel(path, new Mlp({ sizes: [3, 2], seed: 1 }));
 * assert((await loadModel(path, { sizes: [3, 2] })).sizes.join() === "3,2");
 * await Deno.remove(path);
 * ```
 */
export async function saveModel(path: string, model: Mlp): Promise<void> {
  await writeFileAtomic(path, encodeModel(model));
}

/**
 * Reads a model file.
 *
 * @param path A file written by {@link saveModel}.
 * @param expected When given, the architecture the model must have.
 * @throws {KitError} When the file is missing or invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * const model = new Mlp({ sizes: [3, 2], seed: 1 });
 * await saveModel(path, model);
 * const loaded = await loadModel(path);
 * assert(loaded.parameters()[0].value.data[0] === model.parameters()[0].value.data[0]);
 * await Deno.remove(path);
 * ```
 */
export async function loadModel(
  path: string,
  expected?: MlpArchitecture,
): Promise<Mlp> {
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
