import assert from "node:assert/strict";
import { join } from "node:path";
import {
  decodeModel,
  encodeModel,
  KitError,
  loadModel,
  Mlp,
  MODEL_MAGIC,
  Rng,
  saveModel,
  zeros,
} from "../../mod.ts";

const SCALE = { scale: 0.25 };

function input(rows: number, cols: number) {
  const rng = new Rng(3);
  const x = zeros([rows, cols]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  return x;
}

for (const dtype of ["f32", "f64"] as const) {
  Deno.test(`a saved ${dtype} model loads back with identical parameters and predictions`, async () => {
    const dir = await Deno.makeTempDir();
    const model = new Mlp({
      sizes: [20, 8, 10],
      activation: "tanh",
      dtype,
      seed: 5,
    });
    await saveModel(join(dir, "model.bin"), model, { scale: 0.0117 });
    const { model: loaded, normalizer } = await loadModel(
      join(dir, "model.bin"),
      {
        sizes: [20, 8, 10],
        activation: "tanh",
      },
    );
    assert.equal(loaded.toString(), model.toString());
    for (const [i, p] of model.parameters().entries()) {
      assert.deepEqual(loaded.parameters()[i].value.data, p.value.data, p.name);
    }
    const x = input(5, 20);
    assert.deepEqual(loaded.predict(x), model.predict(x));
    assert.deepEqual(normalizer, { scale: 0.0117 });
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("the model file starts with the magic and a JSON header giving the architecture", () => {
  const bytes = encodeModel(new Mlp({ sizes: [4, 3, 10] }), SCALE);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), MODEL_MAGIC);
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
  );
  assert.deepEqual(header.sizes, [4, 3, 10]);
  assert.equal(header.dtype, "f32");
  assert.equal(header.version, 2);
  assert.deepEqual(header.input, SCALE);
  const values = 4 * 3 + 3 + 3 * 10 + 10;
  assert.equal(
    bytes.length,
    Math.ceil((12 + headerLength) / 8) * 8 + 4 * values,
  );
});

Deno.test("a truncated model file is refused, naming the file", () => {
  const bytes = encodeModel(new Mlp({ sizes: [4, 3, 10] }), SCALE);
  assert.throws(
    () => decodeModel(bytes.subarray(0, bytes.length - 4), "m.bin"),
    (e) =>
      e instanceof KitError &&
      /^m\.bin: not a valid model file: expected \d+ bytes .* \(truncated\)$/
        .test(e.message),
  );
  assert.throws(
    () => decodeModel(bytes.subarray(0, 20), "m.bin"),
    /m\.bin: .*truncated/,
  );
});

Deno.test("a model of another architecture is refused", () => {
  const bytes = encodeModel(new Mlp({ sizes: [784, 32, 10] }), SCALE);
  assert.throws(
    () => decodeModel(bytes, "m.bin", { sizes: [784, 128, 64, 10] }),
    /m\.bin: the model is 784-32-10 relu f32, expected 784-128-64-10 relu f32/,
  );
  assert.throws(
    () => decodeModel(bytes, "m.bin", { sizes: [784, 32, 10], dtype: "f64" }),
    /expected 784-32-10 relu f64/,
  );
});

Deno.test("a file that is not a model, or has trailing bytes, is refused", () => {
  assert.throws(
    () =>
      decodeModel(new TextEncoder().encode("hello world, not a model"), "x"),
    /does not start with "MNISTMLP"/,
  );
  const bytes = encodeModel(new Mlp({ sizes: [4, 10] }), SCALE);
  const longer = new Uint8Array(bytes.length + 8);
  longer.set(bytes);
  assert.throws(
    () => decodeModel(longer, "x"),
    /expected \d+ bytes for 50 f32 values, found \d+$/,
  );
  const corrupt = bytes.slice();
  corrupt[13] = 0x7b; // break the JSON header
  assert.throws(() => decodeModel(corrupt, "x"), /header is not valid JSON/);
});

Deno.test("loadModel names a missing file", async () => {
  await assert.rejects(
    loadModel("/nonexistent/model.bin"),
    /\/nonexistent\/model\.bin: cannot read model file/,
  );
});

/** Rewrites a model file's JSON header with `edit`, keeping its values. */
function withHeader(
  bytes: Uint8Array,
  edit: (header: Record<string, unknown>) => void,
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
  );
  edit(header);
  const values = bytes.subarray(Math.ceil((12 + headerLength) / 8) * 8);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + text.length) / 8) * 8;
  const out = new Uint8Array(start + values.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 12);
  out.set(values, start);
  return out;
}

Deno.test("a version 1 model file (no input scale) is refused, naming the version", () => {
  const bytes = withHeader(
    encodeModel(new Mlp({ sizes: [4, 10] }), SCALE),
    (header) => {
      header.version = 1;
      delete header.input;
    },
  );
  assert.throws(
    () => decodeModel(bytes, "old.bin"),
    /^KitError: old\.bin: not a valid model file: format version 1, this kit reads version 2 \(version 1 files do not hold the input scale/,
  );
});

Deno.test("a model file whose input scale is missing, zero or not a number is refused", () => {
  const bytes = encodeModel(new Mlp({ sizes: [4, 10] }), SCALE);
  for (
    const input of [undefined, { scale: 0 }, { scale: "1" }, { scale: -2 }]
  ) {
    const edited = withHeader(bytes, (header) => {
      header.input = input;
    });
    assert.throws(
      () => decodeModel(edited, "m.bin"),
      /m\.bin: not a valid model file: input\.scale must be a positive number/,
      JSON.stringify(input),
    );
  }
});

for (const bad of [NaN, Infinity, -Infinity]) {
  Deno.test(`a model file holding ${bad} in a parameter is refused, naming the parameter and index`, () => {
    const model = new Mlp({ sizes: [4, 3, 10] });
    model.parameters()[2].value.data[7] = bad; // layer1.weights
    assert.throws(
      () => decodeModel(encodeModel(model, SCALE), "m.bin"),
      new RegExp(
        `m\\.bin: not a valid model file: parameter layer1\\.weights holds ${bad} at index 7$`,
      ),
    );
  });
}

Deno.test("a header promising a huge model is refused by its size before anything is allocated", () => {
  const bytes = withHeader(
    encodeModel(new Mlp({ sizes: [4, 10] }), SCALE),
    (header) => {
      header.sizes = [1_000_000, 1_000_000, 10];
    },
  );
  assert.throws(
    () => decodeModel(bytes, "m.bin"),
    /m\.bin: not a valid model file: expected \d+ bytes for 1000011000010 f32 values, found \d+ \(truncated\)$/,
  );
});

Deno.test("a header with sizes that are not positive integers is refused", () => {
  const bytes = encodeModel(new Mlp({ sizes: [4, 10] }), SCALE);
  for (const sizes of [[4], [4, 0], [4, 2.5], "4,10", [4, -10]]) {
    const edited = withHeader(bytes, (header) => {
      header.sizes = sizes;
    });
    assert.throws(
      () => decodeModel(edited, "m.bin"),
      /m\.bin: not a valid model file: sizes must be two or more positive integers/,
      JSON.stringify(sizes),
    );
  }
});
