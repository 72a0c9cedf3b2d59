/**
 * `deno task predict` end to end: real MNIST test digits, redrawn by the
 * test as larger, inverted, off-centre colour PNGs, are read as the network
 * reads the originals; bad input gets one line naming the file.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { encodePng } from "../lib/report/png.ts";
import { classifyDigits } from "../lib/train/classify.ts";
import { encodeModel, loadModel } from "../lib/train/model_file.ts";
import { Mlp } from "../lib/nn/mlp.ts";
import { runScript } from "./helpers/cli.ts";
import { testDigit, trainSmallMnistRun } from "./helpers/mnist_run.ts";

const { runDir, mnist } = await trainSmallMnistRun();
const loaded = await loadModel(join(runDir, "model.bin"));
const work = await Deno.makeTempDir({ prefix: "predict_test_" });

/** Test digit `index` 4x larger, dark on light, RGB, shifted right and down. */
function redrawnPng(index: number): Uint8Array {
  const digit = testDigit(mnist, index);
  const width = 200, height = 150, factor = 4, dx = 80, dy = 30;
  const data = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < 28 * factor; y++) {
    for (let x = 0; x < 28 * factor; x++) {
      const ink = digit[Math.floor(y / factor) * 28 + Math.floor(x / factor)];
      const p = ((y + dy) * width + x + dx) * 3;
      data[p] = 255 - ink; // a red-tinted pen on white paper
      data[p + 1] = data[p + 2] = 255 - Math.round(ink * 0.9);
    }
  }
  return encodePng({ width, height, channels: 3, data });
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i] > values[best]) best = i;
  }
  return best;
}

Deno.test("predict --json reads 12 real test digits, redrawn 4x larger, inverted and off centre, as the network reads the originals", async () => {
  const indices = [...Array(12).keys()];
  const files = [];
  for (const i of indices) {
    files.push(join(work, `digit${i}.png`));
    await Deno.writeFile(files[i], redrawnPng(i));
  }
  const result = await runScript("bin/predict.ts", [
    "--json",
    runDir,
    ...files,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, indices.length);
  for (const i of indices) {
    const original = argmax(classifyDigits(loaded, testDigit(mnist, i)));
    assert.equal(lines[i].file, files[i]);
    assert.equal(lines[i].probabilities.length, 10);
    assert.equal(lines[i].digit, original, `test digit ${i}`);
    assert.equal(lines[i].digit, argmax(lines[i].probabilities));
  }
});

Deno.test("predict prints the digit and the top three probabilities, and reads FILE#INDEX from an IDX file", async () => {
  const idx = join(mnist.dir, "t10k-images-idx3-ubyte");
  const result = await runScript("bin/predict.ts", [runDir, `${idx}#0`]);
  assert.equal(result.code, 0, result.stderr);
  const probabilities = classifyDigits(loaded, testDigit(mnist, 0));
  assert.match(
    result.stdout,
    new RegExp(
      `#0: ${
        argmax(probabilities)
      }  \\(\\d \\d+\\.\\d%, \\d \\d+\\.\\d%, \\d \\d+\\.\\d%\\)\\n$`,
    ),
  );
});

/** Runs predict expecting one `error:` line naming `name`, exit 1, no trace. */
async function assertRefused(args: string[], pattern: RegExp) {
  const result = await runScript("bin/predict.ts", args);
  assert.equal(result.code, 1, result.stdout);
  const lines = result.stderr.trim().split("\n").filter((l) =>
    !l.startsWith("help:")
  );
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /Stack backtrace|\n\s+at /);
}

Deno.test("predict names a missing image file", async () => {
  await assertRefused(
    [runDir, join(work, "nope.png")],
    /^error: .*nope\.png: cannot read/,
  );
});

Deno.test("predict names a file that is not an image", async () => {
  const file = join(work, "notes.png");
  await Deno.writeTextFile(file, "not a picture");
  await assertRefused([runDir, file], /^error: .*notes\.png: not a PNG image/);
});

Deno.test("predict names a PNG that holds no ink", async () => {
  const file = join(work, "blank.png");
  await Deno.writeFile(
    file,
    encodePng({
      width: 40,
      height: 30,
      channels: 1,
      data: new Uint8Array(1200).fill(230),
    }),
  );
  await assertRefused([runDir, file], /^error: .*blank\.png: no ink found/);
});

Deno.test("predict names a PNG cut short, which decodes to nothing", async () => {
  const file = join(work, "cut.png");
  await Deno.writeFile(file, redrawnPng(0).subarray(0, 40));
  await assertRefused([runDir, file], /^error: .*cut\.png: not a PNG image/);
});

Deno.test("predict names a corrupt model file", async () => {
  const file = join(work, "corrupt.bin");
  const bytes = await Deno.readFile(join(runDir, "model.bin"));
  await Deno.writeFile(file, bytes.subarray(0, bytes.length - 100));
  await assertRefused(
    [file, join(work, "digit0.png")],
    /^error: .*corrupt\.bin: not a valid model file: .*truncated/,
  );
});

Deno.test("predict names a model file of another version", async () => {
  const file = join(work, "v3.bin");
  const bytes = encodeModel(new Mlp({ sizes: [784, 10] }), { scale: 1 });
  const at = new TextDecoder("latin1").decode(bytes).indexOf('"version":2');
  bytes[at + '"version":'.length] = "3".charCodeAt(0);
  await Deno.writeFile(file, bytes);
  await assertRefused(
    [file, join(work, "digit0.png")],
    /^error: .*v3\.bin: not a valid model file: format version 3, this kit reads version 2/,
  );
});

Deno.test("predict without images is a usage error (exit 2)", async () => {
  const result = await runScript("bin/predict.ts", [runDir]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: give a model/);
});
