import assert from "node:assert/strict";
import { KitError } from "../base/errors.ts";
import { encodeIdx, gunzipIdx, MAX_IDX_BYTES } from "./idx.ts";

/** Gzips `bytes`, then `zeros` more zero bytes, in 1 MiB pieces. */
async function gzip(bytes: Uint8Array, zeros = 0): Promise<Uint8Array> {
  const stream = new CompressionStream("gzip");
  const writer = stream.writable.getWriter();
  const compressed = new Response(stream.readable).arrayBuffer();
  await writer.write(bytes as BufferSource);
  const piece = new Uint8Array(2 ** 20);
  for (let left = zeros; left > 0; left -= piece.length) {
    await writer.write(piece.subarray(0, Math.min(left, piece.length)));
  }
  await writer.close();
  return new Uint8Array(await compressed);
}

Deno.test("gunzipIdx() inflates a file whose data spans many chunks, exactly", async () => {
  const images = Uint8Array.from({ length: 3000 * 784 }, (_, i) => i * 7 % 251);
  const bytes = encodeIdx([3000, 28, 28], images);
  assert.deepEqual(await gunzipIdx(await gzip(bytes), "a.gz", 3), bytes);
});

Deno.test("gunzipIdx() stops a gzip bomb at the size its header claims", async () => {
  const bomb = await gzip(encodeIdx([10], new Uint8Array(10)), 32 * 2 ** 20);
  assert.ok(bomb.length < 64 * 1024, `${bomb.length} bytes`);
  await assert.rejects(
    gunzipIdx(bomb, "bomb.gz", 1),
    (error) =>
      error instanceof KitError &&
      error.message ===
        "bomb.gz: inflates to more than the 18 bytes its header's dimensions need",
  );
});

Deno.test("gunzipIdx() refuses a header claiming more than MAX_IDX_BYTES before inflating it", async () => {
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  [0x0803, 60000, 1000, 1000].forEach((v, i) => view.setUint32(4 * i, v));
  await assert.rejects(
    gunzipIdx(await gzip(header), "huge.gz", 3),
    new RegExp(
      `^KitError: huge.gz: the header claims ${
        16 + 6e10
      } bytes, more than the ${MAX_IDX_BYTES} the kit reads$`,
    ),
  );
});

Deno.test("gunzipIdx() returns a short stream short, for parseIdx to call truncated", async () => {
  const bytes = encodeIdx([5, 2, 2], new Uint8Array(20).fill(3));
  const short = bytes.subarray(0, 30);
  assert.deepEqual(await gunzipIdx(await gzip(short), "s.gz", 3), short);
  const headerOnly = bytes.subarray(0, 9);
  assert.deepEqual(
    await gunzipIdx(await gzip(headerOnly), "h.gz", 3),
    headerOnly,
  );
});

Deno.test("gunzipIdx() stops at the header when its magic number is wrong, for parseIdx to name", async () => {
  const floats = Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0);
  const inflated = await gunzipIdx(await gzip(floats, 2 ** 20), "f.gz", 1);
  assert.deepEqual(inflated, floats.subarray(0, 8));
});
