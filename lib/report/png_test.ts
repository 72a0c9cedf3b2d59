import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { encodePng, PNG_SIGNATURE, pngDataUrl } from "./png.ts";
import { createRaster, type Raster } from "./raster.ts";
import { syntheticDigits } from "../../tests/helpers/synthetic.ts";

/** Decodes with pngjs; always RGBA. */
function decode(bytes: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(bytes));
}

/** A 28x28 digit-like image with every byte value 0-255 present. */
function digit(): Uint8Array {
  const { images } = syntheticDigits(1, 3);
  for (let i = 0; i < 256; i++) images[500 + i] = i;
  return images;
}

Deno.test("encodePng() starts with the PNG signature and an IHDR holding the raster's size", () => {
  const bytes = encodePng(createRaster(37, 11, 1, 0));
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE);
  assert.deepEqual([...PNG_SIGNATURE], [137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(new TextDecoder().decode(bytes.subarray(12, 16)), "IHDR");
  assert.equal(view.getUint32(16), 37, "width");
  assert.equal(view.getUint32(20), 11, "height");
  assert.equal(bytes[24], 8, "bit depth");
  assert.equal(bytes[25], 0, "color type 0: gray");
  assert.equal(encodePng(createRaster(2, 2, 3))[25], 2, "color type 2: RGB");
});

Deno.test("encodePng() of a 28x28 digit decodes to exactly the input pixels", () => {
  const image = digit();
  const raster: Raster = { width: 28, height: 28, channels: 1, data: image };
  const png = decode(encodePng(raster));
  assert.equal(png.width, 28);
  assert.equal(png.height, 28);
  const gray = new Uint8Array(784);
  for (let p = 0; p < 784; p++) {
    const [r, g, b, a] = png.data.subarray(4 * p, 4 * p + 4);
    assert.ok(r === g && g === b && a === 255, `pixel ${p} is not opaque gray`);
    gray[p] = r;
  }
  assert.deepEqual(gray, image);
});

Deno.test("encodePng() of an RGB raster decodes to the same colors", () => {
  const raster = createRaster(5, 3, 3);
  raster.data.forEach((_, i) => raster.data[i] = (i * 37) % 256);
  const png = decode(encodePng(raster));
  assert.deepEqual([png.width, png.height], [5, 3]);
  const rgb = [...png.data].filter((_, i) => i % 4 !== 3);
  assert.deepEqual(rgb, [...raster.data]);
});

Deno.test("encodePng() refuses data whose length does not match the size", () => {
  assert.throws(
    () =>
      encodePng({ width: 4, height: 4, channels: 1, data: new Uint8Array(15) }),
    /4x4 raster with 1 channel\(s\) needs 16 bytes, got 15/,
  );
});

Deno.test("createRaster() refuses a size that is not a positive integer", () => {
  assert.throws(
    () => createRaster(0, 5, 1),
    /width 0 is not a positive integer/,
  );
  assert.throws(() => createRaster(3, 2.5, 1), /height 2.5/);
});

Deno.test("pngDataUrl() embeds the PNG bytes as base64", () => {
  const bytes = encodePng(createRaster(3, 3, 1, 128));
  const url = pngDataUrl(bytes);
  assert.match(url, /^data:image\/png;base64,iVBORw0KGgo/);
  const back = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  assert.deepEqual(new Uint8Array(back), bytes);
});
