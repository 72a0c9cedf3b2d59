import assert from "node:assert/strict";
import { createWasmKernels } from "./kernels.ts";

/** Bytes of `count` images of `pixels` each: blank 16-byte runs, single
 * lit pixels inside them, and full rows, as MNIST borders and strokes. */
function images(count: number, pixels: number): Uint8Array {
  const bytes = new Uint8Array(count * pixels);
  for (let i = 0; i < bytes.length; i++) {
    const block = Math.floor((i % pixels) / 16);
    if (block % 3 === 1) bytes[i] = (i * 37) % 256;
    if (block % 3 === 2 && i % 16 === 7) bytes[i] = 255;
  }
  return bytes;
}

/** The TypeScript loop the kernel replaces: each byte times the scale in
 * double precision, rounded once to f32. */
function expected(
  bytes: Uint8Array,
  pixels: number,
  order: Int32Array,
  scale: number,
): Float32Array {
  const out = new Float32Array(order.length * pixels);
  order.forEach((image, row) => {
    for (let p = 0; p < pixels; p++) {
      out[row * pixels + p] = bytes[image * pixels + p] * scale;
    }
  });
  return out;
}

Deno.test("gatherScaled equals the TypeScript loop bit for bit: blank 16-byte runs, odd widths, either sign of scale, one and two threads", () => {
  const one = createWasmKernels({ arenaBytes: 8 << 20 });
  const two = createWasmKernels({
    arenaBytes: 8 << 20,
    worker: true,
  });
  try {
    for (const kernels of [one, two]) {
      for (const pixels of [784, 37, 16, 1]) {
        const count = 300;
        const bytes = images(count, pixels);
        const placed = kernels.placeBytes!(bytes)!;
        // Rows in a scrambled order, the last image repeated.
        const order = Int32Array.from(
          { length: count },
          (_, i) => i === count - 1 ? 0 : (i * 7) % count,
        );
        for (const scale of [1 / 255, -1 / 77.3, 3]) {
          const out = kernels.allocate!("f32", count * pixels);
          out.fill(NaN);
          assert.ok(
            kernels.gatherScaled!(placed, pixels, order, 0, count, scale, out),
          );
          const want = expected(bytes, pixels, order, scale);
          const at = out.findIndex((x, i) => !Object.is(x, want[i]));
          assert.equal(
            at,
            -1,
            `${kernels.name}, ${pixels} pixels, scale ${scale}: ` +
              `index ${at} is ${out[at]}, want ${want[at]}`,
          );
        }
      }
    }
  } finally {
    two.dispose();
  }
});
