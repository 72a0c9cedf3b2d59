import assert from "node:assert/strict";
import { KitError } from "../base/errors.ts";
import { type Picture, toMnistDigit } from "./preprocess.ts";

/** A light-on-dark grey picture with a filled rectangle of `level`. */
function rectangle(
  width: number,
  height: number,
  box: { x: number; y: number; w: number; h: number },
  level = 255,
): Picture {
  const pixels = new Uint8Array(width * height);
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) pixels[y * width + x] = level;
  }
  return { width, height, channels: 1, pixels };
}

/** The bounding box of nonzero pixels in a 28x28 digit. */
function boxOf(digit: Uint8Array) {
  let left = 28, right = -1, top = 28, bottom = -1;
  for (let i = 0; i < 784; i++) {
    if (digit[i] === 0) continue;
    left = Math.min(left, i % 28);
    right = Math.max(right, i % 28);
    top = Math.min(top, Math.floor(i / 28));
    bottom = Math.max(bottom, Math.floor(i / 28));
  }
  return { width: right - left + 1, height: bottom - top + 1 };
}

function centreOfMass(digit: Uint8Array) {
  let mass = 0, x = 0, y = 0;
  for (let i = 0; i < 784; i++) {
    mass += digit[i];
    x += digit[i] * (i % 28);
    y += digit[i] * Math.floor(i / 28);
  }
  return { x: x / mass, y: y / mass };
}

/** The picture `factor` times larger (nearest neighbour), inverted to dark-on-light RGBA, placed at (dx, dy) on a larger sheet. */
function upscaledInvertedShifted(
  picture: Picture,
  factor: number,
  dx: number,
  dy: number,
): Picture {
  const width = picture.width * factor + dx + 17;
  const height = picture.height * factor + dy + 5;
  const pixels = new Uint8Array(width * height * 4).fill(255);
  for (let y = 0; y < picture.height * factor; y++) {
    for (let x = 0; x < picture.width * factor; x++) {
      const ink = picture
        .pixels[
          Math.floor(y / factor) * picture.width + Math.floor(x / factor)
        ];
      const p = ((y + dy) * width + x + dx) * 4;
      pixels[p] = pixels[p + 1] = pixels[p + 2] = 255 - ink;
    }
  }
  return { width, height, channels: 4, pixels };
}

Deno.test("toMnistDigit scales a tall box so its longer side is 20 pixels, keeping the aspect ratio", () => {
  const digit = toMnistDigit(
    rectangle(100, 60, { x: 70, y: 5, w: 20, h: 40 }),
    "t",
  );
  assert.deepEqual(boxOf(digit), { width: 10, height: 20 });
});

Deno.test("toMnistDigit scales a wide box so its longer side is 20 pixels", () => {
  const digit = toMnistDigit(
    rectangle(90, 30, { x: 3, y: 20, w: 80, h: 8 }),
    "t",
  );
  assert.deepEqual(boxOf(digit), { width: 20, height: 2 });
});

Deno.test("toMnistDigit puts the centre of mass at the centre of the 28x28 field", () => {
  // An L shape: its centre of mass is far from its box's centre.
  const picture = rectangle(50, 50, { x: 2, y: 2, w: 6, h: 40 });
  for (let y = 36; y < 42; y++) {
    for (let x = 8; x < 30; x++) picture.pixels[y * 50 + x] = 255;
  }
  const { x, y } = centreOfMass(toMnistDigit(picture, "t"));
  assert.ok(Math.abs(x - 13.5) <= 0.5, `x ${x}`);
  assert.ok(Math.abs(y - 13.5) <= 0.5, `y ${y}`);
});

Deno.test("toMnistDigit keeps grey levels instead of thresholding", () => {
  const digit = toMnistDigit(
    rectangle(40, 40, { x: 10, y: 10, w: 20, h: 20 }, 128),
    "t",
  );
  assert.ok(
    digit.every((v) => v === 0 || v === 128),
    "levels other than 0 and 128",
  );
  assert.equal(digit.filter((v) => v === 128).length, 400);
});

Deno.test("toMnistDigit reads dark-on-light RGBA as it reads the same digit light-on-dark", () => {
  const light = rectangle(28, 28, { x: 9, y: 4, w: 7, h: 20 }, 200);
  const dark = upscaledInvertedShifted(light, 1, 0, 0);
  assert.deepEqual(toMnistDigit(dark, "t"), toMnistDigit(light, "t"));
});

Deno.test("toMnistDigit gives nearly the same input for a digit upscaled 5x, inverted and off centre", () => {
  // A ring-like "0" with soft edges, drawn at MNIST scale.
  const original = rectangle(28, 28, { x: 0, y: 0, w: 0, h: 0 });
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot((x - 13) / 6, (y - 14) / 9);
      original.pixels[y * 28 + x] = Math.max(0, 255 - 600 * Math.abs(r - 0.8));
    }
  }
  const expected = toMnistDigit(original, "t");
  const actual = toMnistDigit(
    upscaledInvertedShifted(original, 5, 123, 7),
    "t",
  );
  let difference = 0;
  for (let i = 0; i < 784; i++) difference += Math.abs(actual[i] - expected[i]);
  assert.ok(
    difference / 784 < 6,
    `mean absolute difference ${difference / 784}`,
  );
});

Deno.test("toMnistDigit refuses a picture with no ink, naming it", () => {
  assert.throws(
    () =>
      toMnistDigit(
        rectangle(30, 30, { x: 0, y: 0, w: 30, h: 30 }, 90),
        "blank.png",
      ),
    (e) => e instanceof KitError && /^blank\.png: no ink found/.test(e.message),
  );
  assert.throws(
    () =>
      toMnistDigit({
        width: 0,
        height: 0,
        channels: 1,
        pixels: new Uint8Array(),
      }, "e.png"),
    /e\.png: the image has no pixels/,
  );
});
